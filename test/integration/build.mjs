// Bundles the integration tests (and the loopback servers they start) into out/test/integration/, one file per
// test, for the extension host's mocha runner; `vscode` and mocha come from the host.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const entries = readdirSync(here).filter((f) => f.endsWith('.test.ts')).map((f) => path.join(here, f));
rmSync(path.join(root, 'out/test/integration'), { recursive: true, force: true });
await build({
  entryPoints: entries,
  outdir: path.join(root, 'out/test/integration'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});
// The folder the test window opens: tests write their fixtures here.
const workspace = path.join(root, 'out/test/workspace');
mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
writeFileSync(path.join(workspace, 'README.txt'), 'Workspace opened by the AUP Bisect integration tests.\n');
console.log(`integration: bundled ${entries.length} test file(s) into out/test/integration`);

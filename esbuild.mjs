// Bundles the extension and the CLI into dist/. `vscode` stays external (the host provides it);
// node-pty stays external because it is a native addon used only by the e2e tests.
import { build, context } from 'esbuild';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'info',
  external: ['vscode', 'node-pty'],
};

const entries = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', minify: !watch },
  // Loaded after activation (src/extension/loadHeavy.ts), so activation parses only the small bundle above.
  { ...common, entryPoints: ['src/extension/heavy.ts'], outfile: 'dist/extension-heavy.js', minify: !watch },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
];

if (watch) {
  for (const options of entries) await (await context(options)).watch();
} else {
  await Promise.all(entries.map((options) => build(options)));
}

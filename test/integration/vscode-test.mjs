// @vscode/test-cli configuration. The "VS Code executable" is our launcher, which runs the tests inside the VS Code
// bundled with code-server (installed by scripts/setup-vscode.sh), since desktop VS Code cannot be downloaded here.
import { defineConfig } from '@vscode/test-cli';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

export default defineConfig({
  label: 'integration',
  files: '../../out/test/integration/*.test.js',
  extensionDevelopmentPath: root,
  workspaceFolder: path.join(root, 'out/test/workspace'),
  useInstallation: { fromPath: path.join(here, 'launcher/code') },
  mocha: { ui: 'bdd', timeout: 60_000, color: false },
});

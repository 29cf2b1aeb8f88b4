// `npm run test:integration`: installs what is missing (scripts/setup-vscode.sh, cached in .cache/), builds the
// extension and the tests, runs the mocha suite inside code-server's VS Code with @vscode/test-cli, packages the
// .vsix and installs it offline. Screenshots go to artifacts/; AUP_UPDATE_SCREENSHOTS=1 copies them to
// media/screenshots/ for the README.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const started = Date.now();
function step(name, command, args) {
  const t = Date.now();
  console.log(`\n== ${name}`);
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    console.error(`test:integration: "${name}" failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
  console.log(`== ${name}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

step('install VS Code (code-server), Node 24, chromium', 'bash', ['scripts/setup-vscode.sh']);
step('build the extension', 'npm', ['run', '--silent', 'build']);
step('bundle the integration tests', 'node', ['test/integration/build.mjs']);
// Screenshots of an earlier run must not pass for this run's (AUP_UPDATE_SCREENSHOTS copies what is there).
rmSync(path.join(root, 'artifacts'), { recursive: true, force: true });
step('run the tests in VS Code', 'npx', ['--no-install', 'vscode-test', '--config', 'test/integration/vscode-test.mjs']);
// The README's screenshots are refreshed on request only, so a test run does not leave changed images behind.
if (process.env.AUP_UPDATE_SCREENSHOTS) {
  const shots = path.join(root, 'media/screenshots');
  mkdirSync(shots, { recursive: true });
  for (const name of ['notification', 'bisect', 'draft', 'draft-searched', 'make-it-pass', 'trigger']) {
    const from = path.join(root, 'artifacts', `${name}.png`);
    if (existsSync(from)) copyFileSync(from, path.join(shots, `${name}.png`));
  }
  console.log('copied the screenshots to media/screenshots');
  step('quantize the screenshots (the .vsix carries them)', 'bash', ['scripts/optimize-screenshots.sh']);
}
step('package the .vsix', 'npm', ['run', '--silent', 'package']);
step('install the .vsix offline', 'node', ['test/integration/vsix-smoke.mjs']);
console.log(`\ntest:integration: all passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);

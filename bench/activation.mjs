// bench:activation: what activating AUP Bisect costs the editor: loading dist/extension.js and running activate(),
// measured in fresh Node processes (a cold require each time) against a recording stand-in for the `vscode` module
// that answers instantly, so the figure is our code's share alone. Goal: < 50 ms. Prints median, p90 and max.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(root, 'dist/extension.js');
if (!existsSync(bundle)) {
  console.error('bench:activation: dist/extension.js is missing: run npm run build');
  process.exit(1);
}
const runs = Number(process.env.RUNS ?? 15);

// One cold activation, in a child process; prints {requireMs, activateMs, watchersMs}.
const child = String.raw`
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');
const noop = () => ({ dispose() {} });
const event = () => noop;
class EventEmitter { constructor() { this.l = []; this.event = (f) => { this.l.push(f); return { dispose() {} }; }; } fire(v) { for (const f of this.l) f(v); } dispose() {} }
class Uri { constructor(p) { this.scheme = 'file'; this.path = p; this.fsPath = p; } static file(p) { return new Uri(p); } static joinPath(b, ...s) { return new Uri(path.join(b.path, ...s)); } static from(x) { return new Uri(x.path); } static parse(s) { return new Uri(s); } with(c) { return new Uri(c.path ?? this.path); } toString() { return this.path; } }
const item = () => ({ show() {}, hide() {}, dispose() {} });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aup-bench-'));
const vscode = {
  EventEmitter, Uri, TreeItem: class {}, ThemeIcon: class {}, MarkdownString: class {},
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 }, StatusBarAlignment: { Left: 1, Right: 2 },
  ProgressLocation: { Notification: 15 }, ViewColumn: { Active: -1 }, ConfigurationTarget: { Global: 1 }, ExtensionMode: { Production: 1, Development: 2, Test: 3 },
  window: { createStatusBarItem: item, createTreeView: () => ({ dispose() {} }), createOutputChannel: () => ({ info() {}, warn() {}, error() {}, debug() {}, trace() {}, dispose() {} }),
    onDidStartTerminalShellExecution: event(), showWarningMessage: async () => undefined, showInformationMessage: async () => undefined },
  workspace: { isTrusted: true, getConfiguration: () => ({ get: (k, d) => (k === 'transcriptDir' ? tmp : d) }), onDidChangeConfiguration: event(), onDidGrantWorkspaceTrust: event(),
    registerTextDocumentContentProvider: noop },
  commands: { registerCommand: noop, executeCommand: async () => undefined },
  env: {}, authentication: {},
};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) { return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest); };
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };
const context = { subscriptions: [], globalStorageUri: Uri.file(path.join(tmp, 'storage')), extensionUri: Uri.file(process.argv[1]), secrets: { get: async () => undefined }, extension: { packageJSON: {} } };
const t0 = performance.now();
const ext = require(process.argv[2]);
const t1 = performance.now();
const api = ext.activate(context);
const t2 = performance.now();
api.ready.then(() => {
  const t3 = performance.now();
  process.stdout.write(JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, watchersMs: t3 - t2 }));
  for (const d of context.subscriptions) try { d.dispose(); } catch {}
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
});
`;

const samples = [];
for (let i = 0; i < runs; i++) {
  const r = spawnSync(process.execPath, ['-e', child, root, bundle], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`bench:activation: a run failed:\n${r.stderr}`);
    process.exit(1);
  }
  samples.push(JSON.parse(r.stdout));
}
const stat = (key) => {
  const v = samples.map((s) => s[key]).sort((a, b) => a - b);
  const at = (q) => v[Math.min(v.length - 1, Math.floor(q * v.length))];
  return { median: at(0.5), p90: at(0.9), max: v[v.length - 1] };
};
const total = samples.map((s) => s.requireMs + s.activateMs).sort((a, b) => a - b);
const fmt = (n) => `${n.toFixed(1)} ms`;
const size = (await import('node:fs')).statSync(bundle).size;
console.log(`bench:activation: ${runs} cold activations of dist/extension.js (${(size / 1024).toFixed(0)} KB), Node ${process.version}`);
for (const [key, label] of [['requireMs', 'load bundle'], ['activateMs', 'activate()']]) {
  const s = stat(key);
  console.log(`  ${label.padEnd(12)} median ${fmt(s.median)}  p90 ${fmt(s.p90)}  max ${fmt(s.max)}`);
}
const median = total[Math.floor(total.length / 2)];
console.log(`  ${'activation'.padEnd(12)} median ${fmt(median)}  p90 ${fmt(total[Math.floor(0.9 * total.length)])}  (goal < 50 ms: ${median < 50 ? 'met' : 'NOT met'})`);
const w = stat('watchersMs');
console.log(`  after activation (off the activation path): watchers started and past transcripts scanned, median ${fmt(w.median)}`);

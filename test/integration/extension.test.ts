/// <reference types="mocha" />
/**
 * The extension inside a real VS Code (code-server's build, driven by headless Chromium), against loopback stand-ins
 * of the remote services: a real Claude Code transcript appended to a watched folder, the Messages API stand-in
 * (src/sim) probed by the official SDK, and a loopback GitHub API filed to by octokit.
 */
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { minimalBytes } from '../../src/core/bisect/result';
import { startSim, type SimServer } from '../../src/sim/server';
import { startGitHubServer, type GitHubServer } from '../support/github-server';
import type { AupBisectTestHooks } from '../../src/extension/extension';
import type { SavedResult } from '../../src/extension/results';
import { Commands } from '../../src/extension/commands/ids';
import { click, deadline, extensionApi, MAX_PROBES, within, screenTexts, screenshot, setSetting, visibleNotifications, waitFor } from './support';

const root = path.resolve(__dirname, '../../..');
const fixture = path.join(root, 'test/fixtures/claude-code/print-refused-cyber.jsonl');
const workspace = path.join(root, 'out/test/workspace');
// A fresh folder each run, so the setting changes (VS Code keeps user settings between runs) and the watcher moves.
const claudeDir = path.join(workspace, `.claude-test-${Date.now()}`);
const projectDir = path.join(claudeDir, 'projects', '-work-demo');

/**
 * A recorded transcript's lines as Claude Code would write them now: every timestamp moved by the same amount, so the
 * first is the current time and the gaps between entries stay as recorded. The refusal then happened today, as a live
 * one does; with the recording's own date, the status bar's count of today's refusals would depend on the day the
 * suite runs.
 */
function asWrittenNow(lines: string[]): string[] {
  const stamps = lines.flatMap((l) => [...l.matchAll(/"timestamp":"([^"]+)"/g)].map((m) => Date.parse(m[1]!)));
  const shift = Date.now() - Math.min(...stamps);
  return lines.map((l) => l.replace(/"timestamp":"([^"]+)"/g, (_all, t: string) => `"timestamp":"${new Date(Date.parse(t) + shift).toISOString()}"`));
}

/** Resolves with the first value `listen` hands its callback; the subscription ends then. */
function nextEvent<T>(listen: (callback: (value: T) => void) => vscode.Disposable): Promise<T> {
  return new Promise((resolve) => {
    const sub = listen((value) => {
      sub.dispose();
      resolve(value);
    });
  });
}

describe('AUP Bisect in VS Code', function (this: Mocha.Suite) {
  // Each test sets its own deadline from its steps (support.ts deadline()); this one covers the hooks.
  this.timeout(deadline(3));
  let api: AupBisectTestHooks;
  let sim: SimServer;
  let github: GitHubServer;
  let refusalKey: string;
  let saved: SavedResult;

  before(async () => {
    await mkdir(projectDir, { recursive: true });
    api = await extensionApi();
    await setSetting('transcriptDir', claudeDir);
    await waitFor('the watcher to move to the test folder', () => api.watchedDir === path.join(claudeDir, 'projects'));
    await api.ready;
  });

  after(async () => {
    await rm(claudeDir, { recursive: true, force: true });
    await sim?.close();
    await github?.close();
  });

  it('notifies promptly when Claude Code appends a refusal to a transcript, and lists it in the tree', async () => {
    const lines = asWrittenNow((await readFile(fixture, 'utf8')).split('\n').filter(Boolean));
    // Everything from the first line that speaks of the refusal on is what Claude Code writes when it happens.
    const refusedAt = lines.findIndex((l) => /refusal|"<synthetic>"/.test(l));
    assert.ok(refusedAt > 0, 'the fixture holds a refused turn');
    const transcript = path.join(projectDir, 'session-under-test.jsonl');
    // The session so far, then (as Claude Code does) the refusal appended to the same file. (Whether the watcher has
    // read the first part before the append does not matter: a file new to it is read from its first byte.)
    await writeFile(transcript, `${lines.slice(0, refusedAt).join('\n')}\n`);
    // What the status bar and the tree say at the moment the notification fires: all three come from the store, which
    // is updated before anyone is notified, so they must agree then, not some time later.
    const started = Date.now();
    const notified = nextEvent<{ key: string; text: string }>((cb) => api.onDidNotify(cb)).then((n) => ({
      ...n,
      ms: Date.now() - started,
      statusBar: api.statusBarText,
      inTree: api.tree.getChildren().flatMap((day) => api.tree.getChildren(day)).flatMap((session) => api.tree.getChildren(session))
        .some((node) => node.type === 'refusal' && node.refusal.key === n.key),
    }));
    await appendFile(transcript, `${lines.slice(refusedAt).join('\n')}\n`);
    const n = await within(notified, 'the notification', () =>
      `; watching ${api.watchedDir}; store: ${JSON.stringify(api.store.all().map((r) => [r.key, r.live, r.at, Date.now()]))}`);
    // The 500 ms goal is printed, not asserted: bench:detect measures it, and a busy machine must not turn a timing
    // into a red run.
    console.log(`      notification ${n.ms} ms after the transcript append (goal < 500 ms; bench:detect measures it)`);
    assert.match(n.text, /^Claude Code refusal \(.*\): API Error: /);
    assert.equal(n.statusBar, '$(shield) 1', 'the status bar counted the refusal before it was notified');
    assert.ok(n.inTree, 'the tree listed the refusal before it was notified');
    refusalKey = n.key;

    // What a person sees: the notification with its actions (in the notification center: a headless window
    // without focus keeps new notifications there instead of as toasts).
    await vscode.commands.executeCommand('aupBisect.refusals.focus');
    await vscode.commands.executeCommand('notifications.showList');
    const toasts = await waitFor('the notification on screen', async () => {
      const texts = await visibleNotifications();
      return texts.some((t) => t.includes('Claude Code refusal')) ? texts : undefined;
    });
    assert.ok(toasts.some((t) => t.includes('Bisect Trigger') && t.includes('Draft Issue')), `notification: ${toasts.join(' | ')}`);
    const [day0] = api.tree.getChildren();
    const [session0] = api.tree.getChildren(day0);
    const [refusal0] = api.tree.getChildren(session0);
    await api.treeView.reveal(refusal0!, { expand: true, select: true });
    const rowLabel = String(api.tree.getTreeItem(refusal0!).label);
    await waitFor('the refusal selected in the Refusals view', async () =>
      (await screenTexts('.monaco-list-row.selected')).some((t) => t.includes(rowLabel)) || undefined);
    await screenshot('notification');

    const [day] = api.tree.getChildren();
    assert.ok(day && day.type === 'day');
    const [session] = api.tree.getChildren(day);
    const [refusal] = api.tree.getChildren(session);
    assert.ok(refusal && refusal.type === 'refusal');
    const item = api.tree.getTreeItem(refusal);
    assert.equal(item.contextValue, 'refusal transcript requestId');
    const details = api.tree.getChildren(refusal).map((d) => String(api.tree.getTreeItem(d).label));
    assert.ok(details.some((d) => /^Request ID: req_/.test(d)), details.join(', '));
    assert.ok(details.some((d) => d.startsWith('Model: ')), details.join(', '));
    assert.equal(api.statusBarText, '$(shield) 1');
  }).timeout(deadline(6));

  it('bisects that refusal against the Messages API stand-in and shows the diff and the saved result', async () => {
    const rules = path.join(root, 'src/sim/rules/demo.json');
    sim = await startSim({ rules });
    await vscode.commands.executeCommand(Commands.setApiKey, 'sk-ant-test-key-for-loopback');
    await setSetting('apiBaseUrl', sim.url);
    await setSetting('oracle', 'api');
    await setSetting('concurrency', 2);
    // The work is bounded like the deadline: at most MAX_PROBES probes (the run stops there and says so).
    await setSetting('budget.maxProbes', MAX_PROBES);
    // The API oracle is paid, so the extension asks first: answer the modal as a person would.
    const run = vscode.commands.executeCommand<SavedResult | undefined>(Commands.bisectRefusal, { refusalKey });
    await click('Start Bisect');
    const result = await run;
    assert.ok(result, 'the bisect returned a result');
    saved = result;
    const r = saved.result;
    assert.equal(r.stoppedEarly, undefined, `the bisect ran to its end: ${r.stoppedEarly}`);
    console.log(`      ${r.original.size} B -> ${Buffer.byteLength(r.minimal)} B in ${r.probes} probes (${sim.stats().requests} requests to the stand-in), refused ${r.verification.refused}/${r.verification.of}`);
    assert.ok(Buffer.byteLength(r.minimal) < r.original.size / 10, 'much smaller than the original');
    assert.match(r.minimal, /reverse shell|exfiltrate|keylogger/i);
    assert.equal(r.oracle, 'api');
    assert.ok(r.verification.refused > 0);

    // Every snippet the draft will offer was run: the reproductions are the last requests the stand-in served, each
    // form one exact request k times, refused as often as its rate says (the rates the draft test reads below).
    const served = sim.stats();
    const reproductions = r.reproductions ?? [];
    assert.ok(reproductions.length > 0, 'the reproductions were probed');
    let at = served.log.length - reproductions.reduce((n, x) => n + x.of, 0);
    for (const rate of reproductions) {
      const probes = served.log.slice(at, at + rate.of);
      at += rate.of;
      assert.equal(probes.length, rate.of, `${rate.form}: ${rate.of} requests in the stand-in's log`);
      assert.equal(new Set(probes.map((p) => p.inputBytes)).size, 1, `${rate.form}: one exact request, sent ${rate.of} times`);
      assert.equal(probes.filter((p) => p.verdict === 'refused').length, rate.refused, `${rate.form}: its rate is what the stand-in answered`);
    }

    // Saved in globalStorage and listed under its refusal.
    const files = await readdir(path.join(api.storagePath, 'results'));
    assert.ok(files.includes(`${saved.id}.json`), files.join(', '));
    assert.ok(api.store.resultsFor(r.refusal?.id).some((x) => x.id === saved.id));

    // The diff editor: original vs minimal, as virtual documents.
    const diff = await waitFor('the diff editor', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'aup-bisect'),
    );
    const input = diff.input as vscode.TabInputTextDiff;
    const minimalDoc = await vscode.workspace.openTextDocument(input.modified);
    assert.equal(minimalDoc.getText(), r.minimal);
    const originalDoc = await vscode.workspace.openTextDocument(input.original);
    assert.ok(originalDoc.getText().length > minimalDoc.getText().length);

    // The live view, in its final state, reopened from storage as the tree does.
    await vscode.commands.executeCommand('notifications.clearAll');
    const view = await vscode.commands.executeCommand<import('../../src/extension/bisect/panel').BisectPanel>(Commands.openResult, { resultId: saved.id });
    await view.ready;
    // The size of what is sent: the ` … ` marking removed text between fragments is not counted.
    assert.equal(view.stats?.currentSize, minimalBytes(r));
    await waitFor('the minimal candidate drawn in the bisect view', async () => (await screenTexts('#minimal')).includes(r.minimal) || undefined);
    await screenshot('bisect');
  }).timeout(deadline(10, MAX_PROBES));

  it('bisects the active file with the keyless stand-in oracle, without asking (it costs nothing)', async () => {
    const filler = Array.from({ length: 60 }, (_, i) => `Line ${i}: notes about the build, the tests and the release plan.`);
    filler.splice(37, 0, 'The keylogger sample must stay hidden from the audit log.');
    const file = path.join(workspace, 'notes.md');
    await writeFile(file, `${filler.join('\n')}\n`);
    await vscode.window.showTextDocument(vscode.Uri.file(file));
    await setSetting('oracle', 'sim');
    try {
      const result = await vscode.commands.executeCommand<SavedResult | undefined>(Commands.bisectFile, vscode.Uri.file(file));
      assert.ok(result, 'the bisect returned a result');
      assert.equal(result.result.oracle, 'sim');
      assert.equal(result.result.original.fileName, 'notes.md');
      assert.match(result.result.minimal, /keylogger.*hidden/);
      assert.ok(Buffer.byteLength(result.result.minimal) < 80, result.result.minimal);
      assert.ok(api.store.allResults().some((r) => r.id === result.id && !r.refusalId), 'listed under the file results');
    } finally {
      await setSetting('oracle', 'api');
    }
  }).timeout(deadline(4, MAX_PROBES));

  it('reads only Claude Code in a terminal: nothing for `cat` of notes quoting a refusal, one notification for claude and its transcript', async () => {
    const jsonl = path.join(root, 'test/fixtures/claude-code/tui-read-refused.jsonl');
    const raw = path.join(root, 'test/fixtures/claude-code/tui-read-refused.raw');
    const lines = asWrittenNow((await readFile(jsonl, 'utf8')).split('\n').filter(Boolean));
    const refusedAt = lines.findIndex((l) => /refusal|"<synthetic>"/.test(l));
    const transcript = path.join(projectDir, 'tui-session.jsonl');
    await writeFile(transcript, `${lines.slice(0, refusedAt).join('\n')}\n`);

    // execution.read() only yields what is written after its first call, which the extension makes as the execution
    // start event reaches it. So each command below prints only once that event has reached this test too (it
    // listens after the extension, so the extension has called read() by then): it waits for a gate file this test
    // creates then. Without the gate, a busy machine could deliver the event after the output and lose it.
    const gates = await mkdtemp(path.join(os.tmpdir(), 'aup-gates-'));
    const catGate = path.join(gates, 'cat');
    const claudeGate = path.join(gates, 'claude');
    const waitGate = (gate: string): string => `i=0; while [ ! -e '${gate}' ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done`;
    // A tiny `claude` on PATH that prints what the real Claude Code TUI drew when the request was refused (captured
    // from the real CLI), so the terminal runs a real `claude` command line.
    const bin = await mkdtemp(path.join(os.tmpdir(), 'aup-claude-shim-'));
    await writeFile(path.join(bin, 'claude'), `#!/bin/sh\n${waitGate(claudeGate)}\nexec cat '${raw}'\n`, { mode: 0o755 });
    // Notes that quote a refusal, as a bug report or a README would: printing them is not a refusal.
    const notes = path.join(workspace, 'refusal-notes.md');
    await writeFile(notes, [
      '# What Claude Code said yesterday',
      '',
      'API Error: Claude Code is unable to respond to this request, which appears to violate our Usage Policy',
      '(https://www.anthropic.com/legal/aup). Please double press esc to edit your last message or start a new',
      'session for Claude Code to assist with a different task.',
      '',
    ].join('\n'));

    const seen: string[] = [];
    const sub = api.onDidNotify((n) => seen.push(n.text));
    const terminal = vscode.window.createTerminal({ name: 'claude', shellPath: '/bin/bash', env: { PATH: `${bin}:${process.env.PATH ?? ''}` } });
    const opening = [catGate, claudeGate];
    const started = vscode.window.onDidStartTerminalShellExecution((e) => {
      const gate = e.terminal === terminal ? opening.shift() : undefined;
      if (gate) writeFileSync(gate, '');
    });
    try {
      terminal.show();
      const activated = nextEvent<vscode.TerminalShellIntegrationChangeEvent>((cb) =>
        vscode.window.onDidChangeTerminalShellIntegration((e) => e.terminal === terminal && cb(e)));
      const shell: vscode.TerminalShellIntegration =
        terminal.shellIntegration ?? (await within(activated, 'bash shell integration to activate')).shellIntegration;
      const finished = (execution: vscode.TerminalShellExecution): Promise<vscode.TerminalShellExecutionEndEvent> =>
        nextEvent((cb) => vscode.window.onDidEndTerminalShellExecution((e) => e.execution === execution && cb(e)));

      // `cat` of the notes: run to its end, its output printed after the extension could have started reading it.
      const cat = shell.executeCommand(`${waitGate(catGate)}; cat '${notes}'`);
      await within(finished(cat), 'the `cat` command to finish');

      // Then `claude`. A terminal's output reaches the extension in order, so by the time the refusal claude printed
      // is notified, anything read from the `cat` before it would have been notified already.
      shell.executeCommand('claude');
      await waitFor('the terminal notification', () => (seen.length > 0 ? true : undefined));
      assert.deepEqual(seen.length, 1, `notifications: ${seen.join(' | ')}`);
      assert.match(seen[0]!, /^Claude Code refusal \(Opus 5\.5, category cyber\) in terminal "claude": Opus 5\.5's safeguards flagged/);

      // Claude Code writes the same turn to its transcript: same request id, so no second notification. The watcher
      // decides whether to notify in the same step that joins the record to the sighting, so once they are joined
      // the count is final.
      await appendFile(transcript, `${lines.slice(refusedAt).join('\n')}\n`);
      const merged = await waitFor('the transcript record to join the terminal sighting', () =>
        api.store.all().find((r) => r.terminal && r.record));
      assert.equal(seen.length, 1, `notifications: ${seen.join(' | ')}`);
      assert.equal(merged.terminal?.requestId, 'req_011CZ6rMRmPHeWyPTqkbM5VM');
      assert.ok(merged.record?.models.some((m) => m.requestId === 'req_011CZ6rMRmPHeWyPTqkbM5VM'));
    } finally {
      started.dispose();
      terminal.dispose();
      sub.dispose();
      await rm(bin, { recursive: true, force: true });
      await rm(gates, { recursive: true, force: true });
      await rm(notes, { force: true });
    }
  }).timeout(deadline(6));

  it('opens the Refusal Ledger from its command', async () => {
    await vscode.commands.executeCommand(Commands.showLedger);
    const tab = await waitFor('the ledger view', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Refusal Ledger'),
    );
    assert.ok(tab);
  }).timeout(deadline(2));

  it('drafts the issue and files it against a loopback GitHub API with the stubbed GitHub session', async () => {
    github = await startGitHubServer({
      token: 'gho_loopbackToken123',
      login: 'aup-tester',
      issues: [
        { repo: 'anthropics/claude-code', title: '[BUG] Opus 5.5 safeguards flagged a reverse shell exercise (cyber)', body: 'safeguards cyber reverse shell exfiltrate', comments: 12 },
        { repo: 'anthropics/claude-code', title: 'Usage Policy refusal on a licence file', body: 'Usage Policy', state: 'closed' },
      ],
    });
    await setSetting('githubApiUrl', github.url);
    // The built-in GitHub sign-in cannot reach github.com here; the extension takes its session from this hook.
    api.useGitHubSession(async () => ({ accessToken: 'gho_loopbackToken123', account: { label: 'aup-tester' } }));
    const panel = await vscode.commands.executeCommand<import('../../src/extension/draft/panel').DraftPanel>(Commands.draftIssue, { resultId: saved.id });
    assert.ok(panel);
    const draft = panel.current;
    assert.match(draft.title, /.+/);
    assert.ok(draft.body.includes(saved.result.minimal.split('\n')[0]!), 'the body quotes the minimal trigger');
    assert.ok(!draft.body.includes('sk-ant-test-key'), 'no API key in the draft');
    // Each shell snippet follows the sentence giving its measured rate, one of the rates the stand-in's log showed.
    const paragraphs = draft.body.split(/\n\n/);
    const leads = paragraphs.flatMap((p, i) => (p.startsWith('```sh') ? [paragraphs[i - 1]!] : []));
    assert.ok(leads.length > 0, 'the draft offers a reproduction');
    const measured = (saved.result.reproductions ?? []).map((x) => `${x.refused}/${x.of}`);
    for (const lead of leads) {
      const rate = /refused \*\*(\d+\/\d+)\*\* \(this exact request, through the `api` oracle\):$/.exec(lead);
      assert.ok(rate, `a snippet without its rate: ${lead.slice(-160)}`);
      assert.ok(measured.includes(rate[1]!), `${rate[1]} is not one of the measured rates ${measured.join(', ')}`);
    }
    // The view shows the exact queries and where they go, and sends nothing until the button is pressed.
    const shownQueries = await waitFor('the search queries in the view', async () => {
      const texts = await screenTexts('#searchQueries li');
      return texts.length > 0 ? texts : undefined;
    });
    assert.deepEqual(await screenTexts('#searchEndpoint'), [`${github.url}/search/issues`]);
    // The view is up and drawn: nothing was searched for it. (A search sent later but before the click would still
    // show below: the queries sent must then equal the ones on screen exactly once.)
    assert.deepEqual(github.requests.filter((q) => q.path.startsWith('/search/')), [], 'no search before the click');
    assert.ok(draft.body.includes('- [ ] I have searched'), 'the checklist does not claim a search yet');
    // Cleared again on every look, so a notification arriving meanwhile cannot keep the screen from settling.
    await waitFor('the notifications to be cleared from the screen', async () => {
      await vscode.commands.executeCommand('notifications.clearAll');
      return (await visibleNotifications()).length === 0 || undefined;
    });
    await screenshot('draft');

    await click('Search GitHub for duplicates');
    await panel.duplicatesShown;
    const sent = github.requests.filter((q) => q.path === '/search/issues').map((q) => q.query.q);
    assert.deepEqual(sent, shownQueries, 'searched with exactly the queries shown');
    const listed = await waitFor('the duplicate list', async () => {
      const texts = await screenTexts('#duplicates li');
      return texts.some((t) => t.includes('Opus 5.5 safeguards flagged a reverse shell exercise')) ? texts : undefined;
    });
    // 12 comments and a title naming the model and category: an open umbrella for this refusal, offered "Add to #N".
    assert.ok(listed.some((t) => /^#(\d+) \[BUG\] Opus 5\.5 safeguards flagged a reverse shell exercise \(cyber\) \(open, 12 comments\) open umbrella issue for this model and category Add to #\1$/.test(t)), listed.join(' | '));
    await waitFor('the checklist ticked after the search', () => panel.current.body.includes('- [x] I have searched') || undefined);
    await screenshot('draft-searched');

    await click('File Issue on GitHub');
    const filed = await waitFor('the issue to be filed', () => panel.filedIssue);
    const created = github.requests.find((q) => q.method === 'POST' && q.path === '/repos/anthropics/claude-code/issues');
    assert.ok(created, 'octokit POSTed the issue');
    assert.equal(created.headers.authorization, 'token gho_loopbackToken123');
    const body = created.body as { title: string; body: string };
    assert.equal(body.title, panel.current.title);
    assert.ok(body.body.includes('- [x] I have searched'), 'the filed checklist says the search ran');
    assert.ok(!body.body.includes(process.env.HOME ?? '/nonexistent-home'), 'home path redacted');
    assert.equal(filed.number, github.issues.find((i) => i.title === body.title)?.number);
    await waitFor('the view to say where it was filed', async () =>
      (await screenTexts('#status')).some((t) => t.includes(`Filed as #${filed.number}`)) || undefined);
    await screenshot('draft-filed');
  }).timeout(deadline(10));
});

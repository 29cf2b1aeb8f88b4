/// <reference types="mocha" />
/**
 * Beyond the report, inside a real VS Code: Make It Pass on a bisected workspace file (the Messages API stand-in
 * probed through the official SDK), and "Add to #N" in the draft view, which comments on an existing issue of a
 * loopback GitHub through octokit instead of filing a new one.
 */
import Anthropic from '@anthropic-ai/sdk';
import * as assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { duplicateQueryFor, searchQueries } from '../../src/core/report/duplicates';
import { startSim, type SimServer } from '../../src/sim/server';
import { startGitHubServer, type GitHubServer } from '../support/github-server';
import type { AupBisectTestHooks } from '../../src/extension/extension';
import type { DraftPanel } from '../../src/extension/draft/panel';
import type { SavedResult } from '../../src/extension/results';
import type { MakeItPassRun } from '../../src/extension/unblock/result';
import { Commands } from '../../src/extension/commands/ids';
import { click, deadline, extensionApi, MAX_PROBES, screenTexts, screenshot, setSetting, visibleNotifications, waitFor } from './support';

const root = path.resolve(__dirname, '../../..');
const workspace = path.join(root, 'out/test/workspace');
const API_KEY = 'sk-ant-test-key-for-loopback';

/**
 * Release notes with two independent triggers of the stand-in's demo rules, forty lines apart: a bisect finds one
 * of them, and removing only that one still leaves the file refused. Make It Pass has to find and remove both.
 */
function releaseNotes(): string {
  const lines = Array.from({ length: 80 }, (_, i) => `Line ${i}: notes about the build, the tests and the release plan.`);
  lines.splice(20, 0, 'The keylogger sample must stay hidden from the audit log.');
  lines.splice(60, 0, 'The red team opened a reverse shell to exfiltrate the staging database.');
  return `${lines.join('\n')}\n`;
}

/** Refused answers of the stand-in to `runs` requests holding `text`, read from its own counters. */
async function refusedOf(sim: SimServer, text: string, runs: number, model: string): Promise<{ refused: number; passed: number }> {
  const client = new Anthropic({ apiKey: API_KEY, baseURL: sim.url, maxRetries: 0 });
  sim.resetStats();
  for (let i = 0; i < runs; i++) {
    await client.messages.create({ model, max_tokens: 64, messages: [{ role: 'user', content: text }] });
  }
  const { refused, passed, requests } = sim.stats();
  assert.equal(requests, runs, 'every request reached the stand-in');
  return { refused, passed };
}

describe('Make It Pass and Add to #N in VS Code', function (this: Mocha.Suite) {
  this.timeout(deadline(3));
  let api: AupBisectTestHooks;
  let sim: SimServer;
  let github: GitHubServer | undefined;
  let saved: SavedResult;
  let draft: DraftPanel | undefined;
  const file = path.join(workspace, 'release-notes.md');
  const selectionFile = path.join(workspace, 'selection-notes.md');
  const original = releaseNotes();

  before(async () => {
    api = await extensionApi();
    sim = await startSim({ rules: path.join(root, 'src/sim/rules/demo.json') });
    await vscode.commands.executeCommand(Commands.setApiKey, API_KEY);
    await setSetting('apiBaseUrl', sim.url);
    await setSetting('oracle', 'api');
    await setSetting('concurrency', 2);
    await setSetting('budget.maxProbes', MAX_PROBES);
    await writeFile(file, original);
  });

  after(async () => {
    // The other suites read what is on screen (webview texts): leave none of this suite's views behind.
    draft?.panel.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await sim?.close();
    await github?.close();
    for (const f of [file, `${file}.orig`, path.join(workspace, 'release-notes.sanitized.md'), selectionFile, `${selectionFile}.orig`, path.join(workspace, 'selection-notes.sanitized.md')]) await rm(f, { force: true });
  });

  it('writes a sanitized copy of a bisected file that the stand-in passes 5/5 while the original is refused, and replaces the original only on request, after a backup', async () => {
    // The bisect first (the API oracle is paid: the view asks, and the test answers as a person would).
    const bisect = vscode.commands.executeCommand<SavedResult | undefined>(Commands.bisectFile, vscode.Uri.file(file));
    await click('Start Bisect');
    const result = await bisect;
    assert.ok(result, 'the bisect returned a result');
    saved = result;
    assert.match(saved.result.minimal, /keylogger|reverse shell|exfiltrate/);
    await vscode.commands.executeCommand('notifications.clearAll');

    // Make It Pass from the result (as the view's button and the editor hover run it): asked before spending, then run.
    const running = vscode.commands.executeCommand<MakeItPassRun | undefined>(Commands.makeItPass, { resultId: saved.id });
    await click('Start Make It Pass');
    const pass = await running;
    assert.ok(pass, 'Make It Pass returned its run');
    const run = pass.run;
    console.log(`      pass set: ${run.spans} spans, ${run.removedBytes} of ${run.originalBytes} B, ${run.passSet.triggersFound} triggers beyond the bisect's, ` +
      `verified ${run.passSet.verification.passed}/${run.passSet.verification.of}, ${run.probes} probes (+ ${run.cachedProbes} cached)`);
    assert.equal(run.status, 'passes', run.passSet.stoppedEarly);
    assert.deepEqual(run.passSet.verification, { passed: 5, of: 5 });
    // The bisect's trigger was one of the two; the other one had to go too.
    assert.ok(run.passSet.triggersFound >= 1, 'a trigger beyond the bisect\'s was found');
    const sanitizedFile = path.join(workspace, 'release-notes.sanitized.md');
    assert.deepEqual(run.written.sanitized, [sanitizedFile]);
    const sanitized = await readFile(sanitizedFile, 'utf8');
    assert.equal(await readFile(file, 'utf8'), original, 'the original is untouched');
    assert.ok(sanitized.includes('Line 79: notes about the build'), 'the rest of the file is kept');
    assert.ok(sanitized.length > original.length - 200, `only the triggers went: ${original.length} -> ${sanitized.length} characters`);

    // The rates, from the stand-in's own counters: the original refused every time, the copy passed every time.
    const model = saved.result.model ?? 'claude-opus-4-8';
    const before = await refusedOf(sim, original, 5, model);
    const after = await refusedOf(sim, sanitized, 5, model);
    console.log(`      stand-in: original refused ${before.refused}/5, sanitized copy passed ${after.passed}/5`);
    assert.deepEqual(before, { refused: 5, passed: 0 });
    assert.deepEqual(after, { refused: 0, passed: 5 });

    // The view shows the verification rate and offers the next steps.
    await waitFor('the verification rate in the bisect view', async () =>
      (await screenTexts('#passVerification')).includes('passes 5/5 on the whole input after the removals') || undefined);
    assert.ok((await screenTexts('#passWritten li')).includes(`Sanitized copy: ${sanitizedFile}`));
    assert.equal(pass.panel.pass?.offers.replaceOriginal, true);
    await waitFor('the notifications to be cleared from the screen', async () => {
      await vscode.commands.executeCommand('notifications.clearAll');
      return (await visibleNotifications()).length === 0 || undefined;
    });
    await screenshot('make-it-pass');

    // Replacing the original is the user's word: a button, and the original is kept byte for byte beside it first.
    await click('Replace Original (keeps a backup)');
    await waitFor('the original replaced', async () => ((await readFile(file, 'utf8')) === sanitized ? true : undefined));
    assert.equal(await readFile(`${file}.orig`, 'utf8'), original, 'the backup holds the original');
    await waitFor('the view to name the backup', async () =>
      (await screenTexts('#passWritten li')).some((t) => t.includes(`backup: ${file}.orig`)) || undefined);
  }).timeout(deadline(12, 2 * MAX_PROBES));

  it('"Add to #N" comments on the open issue through octokit after the gate and the review, and files nothing', async () => {
    assert.ok(saved, 'the bisect of the previous test saved a result');
    // An open issue the draft's duplicate search finds (it holds every term of its queries), with the comments of an umbrella.
    const query = duplicateQueryFor({ result: saved.result }, 'anthropics/claude-code');
    const terms = searchQueries(query).flatMap((q) => q.split(' ').filter((t) => !t.includes(':'))).map((t) => t.replace(/"/g, ''));
    github = await startGitHubServer({
      token: 'gho_loopbackToken123',
      login: 'aup-tester',
      issues: [{ repo: 'anthropics/claude-code', title: `[BUG] ${query.model ?? 'Claude'} safeguards flagged release notes`, body: terms.join(' '), comments: 14 }],
    });
    const umbrella = github.issues[0]!.number;
    await setSetting('githubApiUrl', github.url);
    api.useGitHubSession(async () => ({ accessToken: 'gho_loopbackToken123', account: { label: 'aup-tester' } }));

    const panel = await vscode.commands.executeCommand<DraftPanel | undefined>(Commands.draftIssue, { resultId: saved.id });
    assert.ok(panel, 'the draft view opened');
    draft = panel;
    await click('Search GitHub for duplicates');
    await panel.duplicatesShown;
    await click(`Add to #${umbrella}`);
    // The review step: the comment is shown, gated, and nothing has been sent yet.
    const shown = await waitFor('the comment shown for review', async () => (await screenTexts('#commentText')).find((t) => t.trim() !== ''));
    assert.deepEqual(github.requests.filter((q) => q.method !== 'GET'), [], 'nothing posted before "Post"');
    assert.ok(!shown.includes(process.env.HOME ?? '/nonexistent-home'), 'the gate took the home folder out');
    assert.ok(!shown.includes(API_KEY), 'no API key in the comment');

    await click(`Post this comment to #${umbrella}`);
    await waitFor('the comment to reach GitHub', () => (github!.comments.length > 0 ? true : undefined));
    await waitFor('the view to link the comment', async () =>
      (await screenTexts('#status')).some((t) => t.includes(`Commented on #${umbrella}`)) || undefined);
    // Exactly one write, the comment on #N, with the reviewed text; no new issue.
    const writes = github.requests.filter((q) => q.method !== 'GET');
    assert.deepEqual(writes.map((q) => `${q.method} ${q.path}`), [`POST /repos/anthropics/claude-code/issues/${umbrella}/comments`]);
    assert.equal(writes[0]!.headers.authorization, 'token gho_loopbackToken123');
    assert.equal((writes[0]!.body as { body: string }).body.trim(), shown.trim());
    assert.equal(github.issues.length, 1, 'no issue was created');
    assert.deepEqual(github.comments.map((c) => [c.repo, c.issue]), [['anthropics/claude-code', umbrella]]);
  }).timeout(deadline(10));

  it('makes a bisected selection pass: only the selected range is sanitized, and Replace Original replaces only that range, after a backup', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await writeFile(selectionFile, original);
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(selectionFile));
    const editor = await vscode.window.showTextDocument(document, { preview: false });
    // Lines 15 to 25: the keylogger line (20) is in the selection, the reverse shell line (61) is not.
    editor.selection = new vscode.Selection(new vscode.Position(15, 0), new vscode.Position(26, 0));
    const start = document.offsetAt(editor.selection.start);
    const end = document.offsetAt(editor.selection.end);
    const bisect = vscode.commands.executeCommand<SavedResult | undefined>(Commands.bisectFile);
    await click('Start Bisect');
    const bisected = await bisect;
    assert.ok(bisected, 'the bisect returned a result');
    assert.deepEqual(bisected.result.original.selection, { start, end });
    assert.match(bisected.result.minimal, /keylogger|hidden/);
    await vscode.commands.executeCommand('notifications.clearAll');

    const running = vscode.commands.executeCommand<MakeItPassRun | undefined>(Commands.makeItPass, { resultId: bisected.id });
    await click('Start Make It Pass');
    const pass = await running;
    assert.ok(pass, 'Make It Pass returned its run');
    const run = pass.run;
    console.log(`      selection: ${run.spans} spans, ${run.removedBytes} of ${run.originalBytes} B, verified ${run.passSet.verification.passed}/${run.passSet.verification.of}, ${run.probes} probes (+ ${run.cachedProbes} cached)`);
    assert.equal(run.status, 'passes', run.passSet.stoppedEarly);
    assert.deepEqual(run.passSet.verification, { passed: 5, of: 5 });
    assert.equal(run.originalBytes, Buffer.byteLength(original.slice(start, end)), 'the input was the selection, not the file');

    // The copy: the file with only the selected range sanitized; the trigger outside the selection is left as it was.
    const copyFile = path.join(workspace, 'selection-notes.sanitized.md');
    assert.deepEqual(run.written.sanitized, [copyFile]);
    const copy = await readFile(copyFile, 'utf8');
    const tail = original.length - end;
    assert.equal(copy.slice(0, start), original.slice(0, start));
    assert.equal(copy.slice(copy.length - tail), original.slice(end));
    const sanitizedSelection = copy.slice(start, copy.length - tail);
    assert.equal(sanitizedSelection, run.selection?.sanitized);
    // The stand-in's own counters: the selection as it was refused, as sanitized passed; the rest of the file is not this run's.
    const model = bisected.result.model ?? 'claude-opus-4-8';
    const before = await refusedOf(sim, original.slice(start, end), 5, model);
    const after = await refusedOf(sim, sanitizedSelection, 5, model);
    console.log(`      stand-in: selection refused ${before.refused}/5, sanitized selection passed ${after.passed}/5`);
    assert.deepEqual(before, { refused: 5, passed: 0 });
    assert.deepEqual(after, { refused: 0, passed: 5 });
    assert.ok(copy.includes('The red team opened a reverse shell to exfiltrate the staging database.'), 'outside the selection nothing changed');

    await vscode.commands.executeCommand('notifications.clearAll');
    await click('Replace Original (keeps a backup)');
    await waitFor('the selected range replaced', async () => ((await readFile(selectionFile, 'utf8')) === copy ? true : undefined));
    assert.equal(await readFile(`${selectionFile}.orig`, 'utf8'), original, 'the backup holds the file as it was');
  }).timeout(deadline(12, 2 * MAX_PROBES));
});

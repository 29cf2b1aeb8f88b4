/// <reference types="mocha" />
/**
 * The trigger in the editor (#16 item 1), inside a real VS Code: a workspace file bisected against the keyless stand-in
 * oracle gets its kept spans listed in the Problems panel and explained by a hover, read back through the API; the
 * marks follow an edit above them and go away when the file is saved; they come back when the saved result is
 * reopened over the file as bisected (and the view says why not otherwise); a selection of an untitled buffer is marked.
 */
import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../src/extension/commands/ids';
import type { BisectPanel } from '../../src/extension/bisect/panel';
import type { SavedResult } from '../../src/extension/results';
import { deadline, extensionApi, MAX_PROBES, screenshot, screenTexts, setSetting, waitFor } from './support';

const root = path.resolve(__dirname, '../../..');
const workspace = path.join(root, 'out/test/workspace');

/** The extension's marks on a document: its aup-bisect diagnostics, in document order. */
function marks(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'aup-bisect').sort((a, b) => a.range.start.compareTo(b.range.start));
}

function hoverText(hover: vscode.Hover): string {
  return hover.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
}

describe('The trigger in the editor', function (this: Mocha.Suite) {
  this.timeout(deadline(3));
  const file = path.join(workspace, 'trigger-notes.md');
  const uri = vscode.Uri.file(file);
  /** The first test's result, the file's text it bisected, and the kept characters. */
  let bisected: { saved: SavedResult; text: string; kept: string } | undefined;

  before(async () => {
    await extensionApi();
    await setSetting('oracle', 'sim');
    await setSetting('budget.maxProbes', MAX_PROBES);
  });

  after(async () => {
    await setSetting('oracle', undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('marks the kept spans of a bisected file, with a hover, follows an edit above them and clears on save', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => `Line ${i + 1}: notes about the build, the tests and the release plan.`);
    lines.splice(17, 0, 'The keylogger sample must stay hidden from the audit log.');
    await writeFile(file, `${lines.join('\n')}\n`);

    const saved = await vscode.commands.executeCommand<SavedResult | undefined>(Commands.bisectFile, uri);
    assert.ok(saved, 'the bisect returned a result');
    const r = saved.result;
    assert.ok(r.verification.refused > 0, `refused on verification: ${r.status}`);
    const kept = r.parts[0]?.minimalExact ?? r.minimal;

    // The Problems panel: one warning per kept span, at exactly the characters the bisect kept.
    const document = await vscode.workspace.openTextDocument(uri);
    const found = await waitFor('the trigger in the Problems panel', () => (marks(uri).length > 0 ? marks(uri) : undefined));
    console.log(`      ${found.length} span(s) marked: ${found.map((d) => JSON.stringify(document.getText(d.range))).join(', ')}; minimal ${JSON.stringify(r.minimal)}`);
    assert.equal(found.map((d) => document.getText(d.range)).join(''), kept);
    assert.ok(found.every((d) => d.range.start.line === 17), found.map((d) => d.range.start.line).join(','));
    for (const d of found) {
      assert.equal(d.message, `refusal trigger on ${r.model ?? r.oracle}`);
      assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
    }

    // The hover over a kept span: the result and its next steps as command links for this result.
    const first = found[0]!.range;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, first.start.translate(0, 1));
    const ours = hovers.map(hoverText).find((t) => t.includes('AUP Bisect'));
    assert.ok(ours, `hovers: ${hovers.map(hoverText).join(' | ')}`);
    // The rate is said once: in our hover, not again in the diagnostic's line VS Code shows above it.
    const rate = `refused ${r.verification.refused}/${r.verification.of}`;
    assert.equal(hovers.map(hoverText).join('\n').split(rate).length - 1, 1, hovers.map(hoverText).join(' | '));
    const args = encodeURIComponent(JSON.stringify([{ resultId: saved.id }]));
    for (const link of [`[Draft Issue](command:${Commands.draftIssue}?${args})`, `[Make It Pass](command:aupBisect.makeItPass?${args})`, `[Show Bisect](command:${Commands.openResult}?${args})`]) {
      assert.ok(ours.includes(link), `${link} in ${ours}`);
    }

    // What a person sees: the decorated file, its hover and the Problems panel.
    const editor = await vscode.window.showTextDocument(document, { preview: false });
    editor.selection = new vscode.Selection(first.start.translate(0, 1), first.start.translate(0, 1));
    editor.revealRange(first, vscode.TextEditorRevealType.InCenter);
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    await vscode.commands.executeCommand('editor.action.showHover');
    await waitFor('the hover on screen', async () => (await screenTexts('.monaco-hover')).some((t) => t.includes('Make It Pass')) || undefined);
    await screenshot('trigger');

    // An edit above the spans moves them with the text they cover.
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'A new first line.\n'));
    const moved = await waitFor('the marks to move down a line', () => {
      const now = marks(uri);
      return now.length === found.length && now.every((d) => d.range.start.line === 18) ? now : undefined;
    });
    assert.equal(moved.map((d) => editor.document.getText(d.range)).join(''), kept);

    // Saving ends them: the text on disk is no longer the one that was bisected.
    await editor.document.save();
    await waitFor('the marks cleared on save', () => marks(uri).length === 0);
    bisected = { saved, text: `${lines.join('\n')}\n`, kept };
  }).timeout(deadline(10, MAX_PROBES));

  it('restores the marks when the saved result is reopened and the file holds what was bisected, and says in the view why not otherwise', async () => {
    assert.ok(bisected, 'the previous test bisected the file');
    const open = (): Thenable<BisectPanel | undefined> => vscode.commands.executeCommand<BisectPanel | undefined>(Commands.openResult, { resultId: bisected!.saved.id });

    // The file now has a line the bisect never saw at its top: no marks, and the view says why.
    const stale = await open();
    assert.ok(stale, 'the result view opened');
    const why = await waitFor('the view to say why there are no marks', async () => (await screenTexts('#marks')).find((t) => t.includes('not marked')));
    assert.equal(why, `The trigger is not marked in the editor: ${file} no longer holds the text that was bisected (it was edited since).`);
    assert.equal(marks(uri).length, 0);
    stale.panel.dispose();

    // The file back as it was bisected: reopening the result marks exactly the kept characters again.
    await writeFile(file, bisected.text);
    const document = await vscode.workspace.openTextDocument(uri);
    await waitFor('the editor to read the file again', () => document.getText() === bisected!.text || undefined);
    const fresh = await open();
    assert.ok(fresh, 'the result view opened again');
    const back = await waitFor('the marks restored', () => (marks(uri).length > 0 ? marks(uri) : undefined));
    assert.equal(back.map((d) => document.getText(d.range)).join(''), bisected.kept);
    assert.ok(back.every((d) => d.range.start.line === 17), back.map((d) => d.range.start.line).join(','));
    await waitFor('the view to say where the marks are', async () => (await screenTexts('#marks')).includes(`The trigger is marked in the editor in ${file}.`) || undefined);
    fresh.panel.dispose();
  }).timeout(deadline(8));

  it('marks a selection bisected in an untitled buffer', async () => {
    const lines = Array.from({ length: 12 }, (_, i) => `Draft ${i + 1}: what the release needs before Friday.`);
    lines.splice(7, 0, 'The keylogger sample must stay hidden from the audit log.');
    const document = await vscode.workspace.openTextDocument({ content: lines.join('\n'), language: 'markdown' });
    assert.equal(document.uri.scheme, 'untitled');
    const editor = await vscode.window.showTextDocument(document, { preview: false });
    // Lines 6 to 9 (0-based 5..8), the trigger among them.
    editor.selection = new vscode.Selection(new vscode.Position(5, 0), new vscode.Position(9, 0));
    const saved = await vscode.commands.executeCommand<SavedResult | undefined>(Commands.bisectFile);
    assert.ok(saved, 'the bisect returned a result');
    assert.ok(saved.result.verification.refused > 0, `refused on verification: ${saved.result.status}`);
    assert.equal(saved.result.original.path, undefined, 'an untitled buffer has no path');
    const kept = saved.result.parts[0]?.minimalExact ?? saved.result.minimal;
    const found = await waitFor('the trigger marked in the untitled buffer', () => (marks(document.uri).length > 0 ? marks(document.uri) : undefined));
    console.log(`      untitled: ${found.length} span(s) marked: ${found.map((d) => JSON.stringify(document.getText(d.range))).join(', ')}`);
    assert.equal(found.map((d) => document.getText(d.range)).join(''), kept);
    assert.ok(found.every((d) => d.range.start.line === 7), found.map((d) => d.range.start.line).join(','));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, found[0]!.range.start.translate(0, 1));
    assert.ok(hovers.map(hoverText).some((t) => t.includes('[Make It Pass](command:aupBisect.makeItPass')), hovers.map(hoverText).join(' | '));
    // Closed unsaved (the bisect opened its diff over it): a dirty untitled buffer left open would ask to be saved.
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }).timeout(deadline(8, MAX_PROBES));
});

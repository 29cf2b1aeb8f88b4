/// <reference types="mocha" />
/**
 * The trigger in the editor (#16 item 1), inside a real VS Code: a workspace file bisected against the keyless stand-in
 * oracle gets its kept spans listed in the Problems panel and explained by a hover, read back through the API; the
 * marks follow an edit above them and go away when the file is saved.
 */
import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../src/extension/commands/ids';
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
      assert.equal(d.message, `needed for the refusal on ${r.model ?? r.oracle}: refused ${r.verification.refused}/${r.verification.of}`);
      assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
    }

    // The hover over a kept span: the result and its next steps as command links for this result.
    const first = found[0]!.range;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, first.start.translate(0, 1));
    const ours = hovers.map(hoverText).find((t) => t.includes('AUP Bisect'));
    assert.ok(ours, `hovers: ${hovers.map(hoverText).join(' | ')}`);
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
  }).timeout(deadline(10, MAX_PROBES));
});

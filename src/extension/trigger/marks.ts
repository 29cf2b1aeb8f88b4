/**
 * The trigger in the editor: after a bisect whose content came from an editor buffer (a file's, a selection of it, an
 * untitled one), a file, or Claude Code's Read of a workspace file, its kept spans are decorated there, listed in the
 * Problems panel, and explained by a hover with the next steps. The marks follow edits until the document is saved or
 * closed (ranges.ts); where they go is plan.ts, where the spans are locate.ts. A saved result reopened gets its marks
 * back when the file still holds what was bisected (`restore`). Owned by the container; the bisect flow calls `show`.
 */
import type * as vscode from 'vscode';
import { log } from '../logger';
import type { SavedResult } from '../results';
import {
  createDiagnostic,
  createDiagnosticCollection,
  createHover,
  createTextEditorDecorationType,
  isInWorkspace,
  offsetRange,
  onDidChangeTextDocument,
  onDidChangeVisibleTextEditors,
  onDidCloseTextDocument,
  onDidSaveTextDocument,
  openTextDocument,
  registerHoverProvider,
  textDocuments,
  Uri,
  visibleTextEditors,
} from '../vscodeapi';
import { merge, spansInFile, type Span } from './locate';
import { planMarks, type MarkOutcome } from './plan';
import { applyEdits } from './ranges';
import { diagnosticMessage, DIAGNOSTIC_SOURCE, HOVER_COMMANDS, hoverMarkdown } from './text';

interface Marked {
  saved: SavedResult;
  spans: Span[];
}

export class TriggerMarks implements vscode.Disposable {
  /** By document URI (string form). */
  private readonly marks = new Map<string, Marked>();
  private readonly diagnostics = createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  private readonly decoration = createTextEditorDecorationType({
    backgroundColor: 'rgba(255, 140, 0, 0.22)',
    border: '1px dashed rgba(255, 140, 0, 0.9)',
    overviewRulerColor: 'rgba(255, 140, 0, 0.9)',
  });
  private readonly disposables: vscode.Disposable[];

  constructor() {
    this.disposables = [
      this.diagnostics,
      this.decoration,
      // Untitled buffers are marked too (a bisect of their text or selection).
      registerHoverProvider('file', { provideHover: (document, position) => this.hover(document, position) }),
      registerHoverProvider('untitled', { provideHover: (document, position) => this.hover(document, position) }),
      onDidChangeTextDocument((e) => this.edited(e)),
      onDidSaveTextDocument((document) => this.clear(document.uri)),
      onDidCloseTextDocument((document) => this.clear(document.uri)),
      // A file marked while it was not shown gets its decorations when an editor opens it.
      onDidChangeVisibleTextEditors((editors) => {
        for (const editor of editors) if (this.marks.has(editor.document.uri.toString())) this.render(editor.document);
      }),
    ];
  }

  /**
   * Marks the kept spans of a bisect result in the documents its content came from. `sent` are the texts of the parts
   * as sent (by index, as the result's parts); `from` is the editor document a Bisect File of a buffer or selection
   * read (an untitled one included). A document that no longer holds what was bisected gets no marks.
   */
  async show(saved: SavedResult, sent: readonly (string | undefined)[], from?: vscode.Uri): Promise<MarkOutcome> {
    const plan = planMarks(saved.result, sent, {
      ...(from ? { document: { uri: from.toString(), name: from.scheme === 'file' ? from.fsPath : from.path } } : {}),
      inWorkspace: (path) => isInWorkspace(Uri.file(path)),
    });
    const outcome: MarkOutcome = { marked: [], notMarked: [...plan.notMarked] };
    for (const { place, name, parts } of plan.planned) {
      let document: vscode.TextDocument;
      try {
        document = await openTextDocument('uri' in place ? Uri.parse(place.uri) : Uri.file(place.path));
      } catch (error) {
        outcome.notMarked.push(`${name} cannot be opened (${error instanceof Error ? error.message : String(error)})`);
        continue;
      }
      const text = document.getText();
      const spans: Span[] = [];
      let changed = 0;
      for (const part of parts) {
        const found = spansInFile(part, text);
        if (found) spans.push(...found);
        else changed++;
      }
      if (changed > 0) outcome.notMarked.push(`${name} no longer holds the text that was bisected (it was edited since)`);
      if (spans.length === 0) continue;
      this.marks.set(document.uri.toString(), { saved, spans: merge(spans) });
      this.render(document);
      outcome.marked.push(name);
    }
    for (const why of outcome.notMarked) log.info(`no trigger marks: ${why}`);
    return outcome;
  }

  /**
   * The marks of a saved result reopened (Show Bisect, the Refusals view): the parts as sent are rebuilt (a refusal's
   * from its transcript, a file's or a buffer's from the text saved with the result) and located again in the files.
   */
  async restore(saved: SavedResult): Promise<MarkOutcome> {
    const { result } = saved;
    if (result.refusal) {
      let sent: string[];
      try {
        const { rebuildRequest } = await import('../../core/transcript/parts');
        sent = (await rebuildRequest(result.refusal)).parts.map((p) => p.text);
      } catch (error) {
        return { marked: [], notMarked: [`the refused request cannot be rebuilt from its transcript (${error instanceof Error ? error.message : String(error)})`] };
      }
      return this.show(saved, sent);
    }
    // A file's text, a buffer's or a selection's: what was sent is the text saved with the result.
    const sent = [saved.originalText];
    if (result.original.path) return this.show(saved, sent);
    // An untitled buffer has no path: the open one that still holds the text where it was bisected.
    const start = result.original.selection?.start ?? 0;
    const buffer = textDocuments().find((d) => d.uri.scheme === 'untitled' && d.getText().slice(start, start + saved.originalText.length) === saved.originalText);
    return this.show(saved, sent, buffer?.uri);
  }

  private render(document: vscode.TextDocument): void {
    const mark = this.marks.get(document.uri.toString());
    if (!mark) return;
    const ranges = mark.spans.map((s) => offsetRange(document, s.start, s.end));
    const message = diagnosticMessage(mark.saved.result);
    this.diagnostics.set(document.uri, ranges.map((r) => createDiagnostic(r, message, 'warning', DIAGNOSTIC_SOURCE)));
    for (const editor of visibleTextEditors()) {
      if (editor.document.uri.toString() === document.uri.toString()) editor.setDecorations(this.decoration, ranges);
    }
  }

  private edited(e: vscode.TextDocumentChangeEvent): void {
    const key = e.document.uri.toString();
    const mark = this.marks.get(key);
    if (!mark || e.contentChanges.length === 0) return;
    mark.spans = applyEdits(mark.spans, e.contentChanges.map((c) => ({ offset: c.rangeOffset, length: c.rangeLength, inserted: c.text.length })));
    if (mark.spans.length === 0) this.clear(e.document.uri);
    else this.render(e.document);
  }

  private hover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const mark = this.marks.get(document.uri.toString());
    if (!mark) return undefined;
    const at = document.offsetAt(position);
    const span = mark.spans.find((s) => s.start <= at && at < s.end);
    return span && createHover(hoverMarkdown(mark.saved.result, mark.saved.id), HOVER_COMMANDS, offsetRange(document, span.start, span.end));
  }

  private clear(uri: vscode.Uri): void {
    if (!this.marks.delete(uri.toString())) return;
    this.diagnostics.delete(uri);
    for (const editor of visibleTextEditors()) if (editor.document.uri.toString() === uri.toString()) editor.setDecorations(this.decoration, []);
  }

  dispose(): void {
    this.marks.clear();
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}

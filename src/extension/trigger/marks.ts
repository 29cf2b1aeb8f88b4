/**
 * The trigger in the editor: after a bisect whose content came from a workspace file (the file itself, a selection
 * of it, or Claude Code's Read of it), its kept spans are decorated in that file, listed in the Problems panel, and
 * explained by a hover with the next steps. The marks follow edits until the file is saved or closed (ranges.ts);
 * where the spans are comes from locate.ts. Owned by the container; the bisect flow calls `show`.
 */
import type * as vscode from 'vscode';
import type { ProbePart } from '../../core/probe/oracle/types';
import { log } from '../logger';
import type { SavedResult } from '../results';
import {
  createDiagnostic,
  createDiagnosticCollection,
  createHover,
  createTextEditorDecorationType,
  offsetRange,
  onDidChangeTextDocument,
  onDidChangeVisibleTextEditors,
  onDidCloseTextDocument,
  onDidSaveTextDocument,
  openTextDocument,
  registerHoverProvider,
  Uri,
  visibleTextEditors,
} from '../vscodeapi';
import { merge, partsFromFile, spansInFile, type SentPart, type Span } from './locate';
import { applyEdits } from './ranges';
import { diagnosticMessage, DIAGNOSTIC_SOURCE, HOVER_COMMANDS, hoverMarkdown, marksTrigger } from './text';

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
      registerHoverProvider('file', { provideHover: (document, position) => this.hover(document, position) }),
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
   * Marks the kept spans of a finished bisect in the files its content came from. `sent` are the parts as sent (by
   * index, as the result's parts); `selectionStart` is where a bisected selection began in its file. Returns the
   * number of files marked (none for a result that is not a verified trigger, a PDF, or a file changed since).
   */
  async show(saved: SavedResult, sent: readonly ProbePart[], selectionStart?: number): Promise<number> {
    if (!marksTrigger(saved.result)) return 0;
    const parts: SentPart[] = saved.result.parts.flatMap((summary) => {
      const part = sent[summary.index];
      return part ? [{ summary, text: part.text, base: selectionStart }] : [];
    });
    const paths = new Set(parts.map((p) => p.summary.filePath).filter((p): p is string => Boolean(p)));
    let marked = 0;
    for (const filePath of paths) {
      const fromFile = partsFromFile(parts, filePath);
      if (fromFile.length === 0) continue;
      let document: vscode.TextDocument;
      try {
        document = await openTextDocument(Uri.file(filePath));
      } catch (error) {
        log.warn(`no trigger marks in ${filePath}: cannot open it (${error instanceof Error ? error.message : String(error)})`);
        continue;
      }
      const text = document.getText();
      const spans: Span[] = [];
      for (const part of fromFile) {
        const found = spansInFile(part, text);
        if (found) spans.push(...found);
        else log.info(`no trigger marks for part ${part.summary.index} in ${filePath}: the file no longer holds what was bisected`);
      }
      if (spans.length === 0) continue;
      this.marks.set(document.uri.toString(), { saved, spans: merge(spans) });
      this.render(document);
      marked++;
    }
    return marked;
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

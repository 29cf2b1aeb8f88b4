/**
 * Marks that follow edits of a document: each edit shifts the spans after it, drops a span it touches, and leaves the
 * spans before it alone. Pure, so the rules are unit-tested apart from VS Code (marks.ts feeds it
 * onDidChangeTextDocument's changes).
 */
import type { Span } from './locate';

/** One replacement, in offsets of the document before it: [offset, offset + length) became `inserted` characters. */
export interface Edit {
  offset: number;
  length: number;
  inserted: number;
}

/**
 * The spans after one edit. An insertion exactly at a span's start moves it, one at its end leaves it; an edit that
 * overlaps a span or inserts inside it drops it (the kept content is no longer what was probed).
 */
export function applyEdit(spans: readonly Span[], edit: Edit): Span[] {
  const a = edit.offset;
  const b = edit.offset + edit.length;
  const delta = edit.inserted - edit.length;
  if (edit.length === 0 && edit.inserted === 0) return [...spans];
  const out: Span[] = [];
  for (const s of spans) {
    if (b <= s.start) out.push({ start: s.start + delta, end: s.end + delta });
    else if (a >= s.end) out.push(s);
    // Otherwise the edit reaches into the span (a < s.end and b > s.start, or an insertion strictly inside).
  }
  return out;
}

/** The spans after several edits applied in order (as VS Code lists one event's content changes). */
export function applyEdits(spans: readonly Span[], edits: readonly Edit[]): Span[] {
  return edits.reduce<Span[]>((acc, e) => applyEdit(acc, e), [...spans]);
}

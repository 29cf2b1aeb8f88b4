/**
 * Where a bisect's kept spans sit in a workspace file, as offsets of the file's current text. A part's `fragments`
 * are offsets in the text the oracle was sent: the file itself (Bisect File, possibly a selection starting at `base`),
 * or Claude Code's line-numbered Read output of it (mapped back line by line). Pure: each span is checked against
 * the text it claims to cover, so a file edited since the bisect gets no marks rather than wrong ones.
 */
import type { PartSummary } from '../../core/bisect/result';
import { readOffsetMap } from '../../core/unblock/sanitize';

/** [start, end) in UTF-16 units of a document's text. */
export interface Span {
  start: number;
  end: number;
}

/** What of a sent part the locator needs: its summary, and the exact text that was sent. */
export interface SentPart {
  summary: PartSummary;
  text: string;
  /** Where the sent text starts in the file (a selection); 0 for a whole file or a Read. */
  base?: number;
}

/** The parts of a result whose kept content came from `filePath` (file parts and Read tool results; never a PDF). */
export function partsFromFile<T extends SentPart>(parts: readonly T[], filePath: string): T[] {
  return parts.filter((p) => p.summary.needed && p.summary.filePath === filePath && !isPdf(p.summary) && (p.summary.kind === 'file' || p.summary.toolName === 'Read'));
}

/** A PDF's fragments are glyph indices with their codes, not offsets of a text. */
export function isPdf(summary: PartSummary): boolean {
  return Boolean(summary.fragments?.some((f) => f.codes !== undefined)) || /\.pdf$/i.test(summary.fileName ?? summary.filePath ?? '');
}

/** The kept spans of one part in `fileText`, sorted and merged; undefined when they no longer match the file. */
export function spansInFile(part: SentPart, fileText: string): Span[] | undefined {
  const fragments = part.summary.fragments ?? [];
  const out: Span[] = [];
  if (part.summary.toolName === 'Read') {
    const map = readOffsetMap(fileText, part.text);
    if (!map) return undefined;
    for (const f of fragments) {
      if (part.text.slice(f.offset, f.offset + f.text.length) !== f.text) return undefined;
      // A fragment across lines skips the line numbers: consecutive file offsets form one span.
      for (let k = f.offset; k < f.offset + f.text.length; k++) {
        const at = map[k]!;
        if (at < 0) continue;
        const last = out[out.length - 1];
        if (last && last.end === at) last.end = at + 1;
        else out.push({ start: at, end: at + 1 });
      }
    }
  } else {
    const base = part.base ?? 0;
    if (fileText.slice(base, base + part.text.length) !== part.text) return undefined;
    for (const f of fragments) out.push({ start: base + f.offset, end: base + f.offset + f.text.length });
  }
  return merge(out);
}

/** Sorted by start, overlapping or touching spans merged, empty ones dropped. */
export function merge(spans: readonly Span[]): Span[] {
  const out: Span[] = [];
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else if (s.end > s.start) out.push({ ...s });
  }
  return out;
}

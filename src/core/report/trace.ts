/**
 * Redaction that follows the content through the reduction. Secrets are found in each ORIGINAL part, where their
 * boundaries are intact ("underneath AKIA..." has a space before the key; the minimal "underneathAKIA..." has not),
 * and the kept atoms of each part (BisectPartSummary.kept) say which characters of the minimal text came from a
 * secret. The draft masks exactly those, however the fragments were glued, before anything is cut for display.
 */
import type { ProbeInput } from '../probe/oracle/types';
import { modelFor } from '../reduce/model';
import { readable } from '../reduce/model';
import type { PartSummary as BisectPartSummary, SecretSpan } from '../reduce/result';
import { findSecrets, type GateContext } from './gate';
import { applySpans, type RedactOutcome, type Span } from './redact';

/** Runs of kept atom ranges [a0, b0, a1, b1, ...]. */
type Runs = readonly number[];

/** Character offset of every atom boundary of a part's full text: offsets[a] is where atom a starts. */
async function atomOffsets(part: ProbeInput['parts'][number]): Promise<{ text: string; offsets: number[] | undefined }> {
  const model = await modelFor(part);
  if (model.kind === 'text' && model.levels.length > 1) return { text: model.text([0, model.atomCount]), offsets: undefined };
  // PDF glyphs (one or two characters each) and opaque parts: measure each atom's text.
  const offsets = [0];
  let text = '';
  for (let a = 0; a < model.atomCount; a++) {
    text += model.text([a, a + 1]);
    offsets.push(text.length);
  }
  return { text, offsets };
}

/**
 * The secret spans of each part, in the coordinates of that part's `minimal` text. `ids` number the original
 * secrets, so fragments of one secret share a placeholder.
 */
export async function traceSecrets(input: ProbeInput, parts: readonly BisectPartSummary[], ctx: GateContext = {}): Promise<SecretSpan[][]> {
  const out: SecretSpan[][] = [];
  let id = 0;
  for (const summary of parts) {
    const part = input.parts[summary.index];
    if (!part || !summary.needed) {
      out.push([]);
      continue;
    }
    const { text, offsets } = await atomOffsets(part);
    const found = resolve(await findSecrets(text, ctx));
    const kept = summary.kept ?? alignRuns(text, summary.minimal, offsets);
    const spans: SecretSpan[] = [];
    const first = id;
    // `minimal` is the readable form: runs that were apart in the original are joined with a visible gap (model.ts
    // readable()), which the offsets must step over; a result written before gaps existed has none.
    let glued = 0;
    for (let i = 0; i < kept.length; i += 2) glued += (offsets ? offsets[kept[i + 1]!]! - offsets[kept[i]!]! : kept[i + 1]! - kept[i]!);
    const gapped = summary.minimal.length !== glued;
    let pos = 0;
    let previous = '';
    for (let i = 0; i < kept.length; i += 2) {
      const a = kept[i]!;
      const b = kept[i + 1]!;
      const from = offsets ? offsets[a]! : a;
      const to = offsets ? offsets[b]! : b;
      const piece = text.slice(from, to);
      if (gapped && i > 0) pos += readable([{ offset: 0, text: previous }, { offset: 0, text: piece }]).length - previous.length - piece.length;
      previous = piece;
      for (let k = 0; k < found.length; k++) {
        const s = found[k]!;
        const start = Math.max(from, s.start);
        const end = Math.min(to, s.end);
        if (start < end) spans.push({ start: pos + start - from, end: pos + end - from, kind: s.kind, id: first + k });
      }
      pos += to - from;
    }
    id += found.length;
    out.push(spans);
  }
  return out;
}

/** Overlapping spans of the rule sets folded into one each (widest extent, first kind). */
function resolve(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/**
 * For results without kept runs (older results, runs stopped before the reducer reported): the kept text as
 * atom runs of the original by a greedy left-to-right match of whole kept pieces. Only a fallback: the exit gate
 * still runs over whatever leaves.
 */
function alignRuns(text: string, minimal: string, offsets: number[] | undefined): number[] {
  if (offsets) return minimal.length > 0 ? [0, offsets.length - 1] : [];
  const runs: number[] = [];
  let at = 0;
  let i = 0;
  while (i < minimal.length) {
    // Longest prefix of the rest of minimal found at or after `at`.
    let len = minimal.length - i;
    let found = -1;
    while (len > 0 && (found = text.indexOf(minimal.slice(i, i + len), at)) === -1) len = Math.floor(len / 2);
    if (found === -1) break;
    runs.push(found, found + len);
    at = found + len;
    i += len;
  }
  return runs;
}

/**
 * A part's minimal text with every traced secret character replaced. Each maximal run of masked characters
 * becomes one placeholder; fragments of the same original secret share its number.
 */
export function maskTraced(minimal: string, spans: readonly SecretSpan[]): RedactOutcome {
  if (spans.length === 0) return { text: minimal, redactions: [] };
  return applySpans(
    minimal,
    spans.map((s) => ({ start: s.start, end: s.end, kind: s.kind, value: `#${s.id}`, ruleSet: 'aup-bisect' as const })),
  );
}

/** The whole minimal trigger of a result (needed parts joined by a blank line, as runBisect joins them), masked. */
export function maskedTrigger(parts: readonly BisectPartSummary[]): RedactOutcome {
  const needed = parts.filter((p) => p.needed);
  let offset = 0;
  const all: SecretSpan[] = [];
  for (const p of needed) {
    for (const s of p.secrets ?? []) all.push({ ...s, start: s.start + offset, end: s.end + offset });
    offset += p.minimal.length + 2;
  }
  return maskTraced(needed.map((p) => p.minimal).join('\n\n'), all);
}

/**
 * Where a minimal trigger sits in the input it came from. A bisect result carries the trigger's text per part (the
 * kept atoms, concatenated), not their offsets; the pass-set search needs offsets in the ORIGINAL, so it aligns the
 * text back onto the part. An alignment is a guess (a fragment may occur more than once): the search probes what it
 * removes, so a wrong guess costs probes, never a wrong answer.
 */
import type { PartModel } from '../reduce/model';
import { runsAtom, type Runs } from '../reduce/runs';

/** Atoms [start, end) of one part of the original input (UTF-16 units of a text, glyphs of a PDF) to take out. */
export interface Removal {
  part: number;
  start: number;
  end: number;
}

/**
 * The minimal text as fragments of `text`, in order, each the longest prefix of what is left of `minimal` that occurs
 * at or after the previous fragment (earliest occurrence). Undefined when `minimal` is not a subsequence of `text`
 * in that greedy sense (the text changed, or the minimal came from another input).
 */
export function alignFragments(text: string, minimal: string): Array<[number, number]> | undefined {
  const out: Array<[number, number]> = [];
  let pos = 0;
  let i = 0;
  while (i < minimal.length) {
    let at = text.indexOf(minimal[i]!, pos);
    if (at < 0) return undefined;
    // Longest found length `lo`, by doubling then bisection (a prefix that does not occur has no longer one that does).
    let lo = 1;
    let hi = minimal.length - i;
    while (lo < hi) {
      const len = Math.min(hi, lo * 2);
      const found = text.indexOf(minimal.slice(i, i + len), pos);
      if (found < 0) {
        hi = len - 1;
        break;
      }
      lo = len;
      at = found;
    }
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      const found = text.indexOf(minimal.slice(i, i + mid), pos);
      if (found >= 0) {
        lo = mid;
        at = found;
      } else hi = mid - 1;
    }
    const last = out[out.length - 1];
    if (last && last[1] === at) last[1] = at + lo;
    else out.push([at, at + lo]);
    pos = at + lo;
    i += lo;
  }
  return out;
}

/**
 * The text a part model shows for the kept atoms, with the atom index behind every character (a text atom is one
 * UTF-16 unit; a PDF glyph may show two characters, a page without text shows "[page N]").
 */
export function shownText(model: PartModel, kept: Runs): { text: string; atomAt: (char: number) => number } {
  // The exact kept content (fragments glued as sent), not `text()`, which marks gaps for reading.
  const text = exactText(model, kept);
  let total = 0;
  for (let i = 0; i < kept.length; i += 2) total += kept[i + 1]! - kept[i]!;
  if (text.length === total) return { text, atomAt: (c) => runsAtom(kept, c) };
  const atoms: number[] = [];
  for (let i = 0; i < kept.length; i += 2) {
    for (let a = kept[i]!; a < kept[i + 1]!; a++) {
      const shown = exactText(model, [a, a + 1]).length;
      for (let k = 0; k < shown; k++) atoms.push(a);
    }
  }
  return { text, atomAt: (c) => atoms[c]! };
}

/**
 * The minimal text of one part, aligned onto what the part showed (`shown`, by default the kept atoms' text), as
 * removals of original atoms. Characters that stand for no atom (a mask) are skipped.
 */
export function removalsFor(
  part: number,
  model: PartModel,
  kept: Runs,
  minimal: string,
  shown: { text: string; atomAt: (char: number) => number } = shownText(model, kept),
): Removal[] | undefined {
  if (minimal === '') return [];
  const fragments = alignFragments(shown.text, minimal);
  if (!fragments) return undefined;
  const out: Removal[] = [];
  for (const [s, e] of fragments) {
    let start = Number.POSITIVE_INFINITY;
    let end = -1;
    for (let c = s; c < e; c++) {
      const a = shown.atomAt(c);
      if (a < 0) continue;
      start = Math.min(start, a);
      end = Math.max(end, a + 1);
    }
    // Kept atoms need not be contiguous: a fragment that spans a gap (an earlier removal) becomes one removal per run.
    for (let i = 0; i < kept.length; i += 2) {
      const a = Math.max(start, kept[i]!);
      const b = Math.min(end, kept[i + 1]!);
      if (a < b) out.push({ part, start: a, end: b });
    }
  }
  return out;
}

/**
 * A text part with each removal replaced by `mask` (a whole part removed becomes the mask alone), and the original
 * character behind each character of the result (-1 for the mask's own characters).
 */
export function maskedText(text: string, part: number, removals: readonly Removal[], mask: string): { text: string; atomAt: (char: number) => number } {
  let out = '';
  const atoms: number[] = [];
  let pos = 0;
  const keep = (a: number, b: number) => {
    out += text.slice(a, b);
    for (let k = a; k < b; k++) atoms.push(k);
  };
  for (const r of normalise(removals.filter((x) => x.part === part))) {
    keep(pos, r.start);
    out += mask;
    for (let k = 0; k < mask.length; k++) atoms.push(-1);
    pos = r.end;
  }
  keep(pos, text.length);
  return { text: out, atomAt: (c) => atoms[c] ?? -1 };
}

/** Sorted by part then start, overlapping or touching removals of a part merged. */
export function normalise(removals: readonly Removal[]): Removal[] {
  const sorted = [...removals].sort((a, b) => a.part - b.part || a.start - b.start);
  const out: Removal[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.part === r.part && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else if (r.end > r.start) out.push({ ...r });
  }
  return out;
}

/** What stays of a part of `atomCount` atoms once these removals (of any parts) are applied, as runs. */
export function keptRuns(atomCount: number, part: number, removals: readonly Removal[]): number[] {
  const out: number[] = [];
  let pos = 0;
  for (const r of normalise(removals.filter((x) => x.part === part))) {
    if (r.start > pos) out.push(pos, r.start);
    pos = Math.max(pos, r.end);
  }
  if (pos < atomCount) out.push(pos, atomCount);
  return out;
}

export function removalKey(removals: readonly Removal[]): string {
  return normalise(removals).map((r) => `${r.part}:${r.start}-${r.end}`).join(',');
}

function exactText(model: PartModel, kept: Runs): string {
  return model.fragments(kept).map((f) => f.text).join('');
}

/**
 * Baselines, written here and labelled as such in the table:
 * - reference ddmin (Zeller & Hildebrandt 2002): subsets, then complements, granularity doubling, memoised by
 *   content; over lines, then over the characters of what is left;
 * - line-level ddmin with a coarse half-split pass first (keep whichever half is still refused, repeat), which is what
 *   refusal minimizers in the wild do.
 * Both may run k tests of one round at once (picire's parallel ddmin: the first refused in order wins).
 */
import { createHash } from 'node:crypto';

export type Test = (text: string) => Promise<boolean>;

export interface DdminStats {
  capped: boolean;
}

function memoised(test: Test): Test {
  const memo = new Map<string, Promise<boolean>>();
  return (text) => {
    const k = createHash('sha1').update(text).digest('hex');
    let p = memo.get(k);
    if (!p) {
      p = test(text);
      memo.set(k, p);
    }
    return p;
  };
}

async function firstRefused(cands: string[][], test: Test, k: number): Promise<number> {
  for (let i = 0; i < cands.length; i += k) {
    const batch = cands.slice(i, i + k);
    const answers = await Promise.all(batch.map((c) => test(c.join(''))));
    const hit = answers.indexOf(true);
    if (hit >= 0) return i + hit;
  }
  return -1;
}

/** ddmin over units; stops (capped) when `budget()` says so, returning the smallest refused so far. */
export async function ddmin(units: string[], test: Test, k: number, budget: () => boolean, stats: DdminStats): Promise<string[]> {
  let cur = units;
  let n = 2;
  while (cur.length >= 2) {
    if (budget()) {
      stats.capped = true;
      break;
    }
    const size = cur.length / n;
    const chunks: string[][] = [];
    for (let i = 0; i < n; i++) chunks.push(cur.slice(Math.round(i * size), Math.round((i + 1) * size)));
    const sub = await firstRefused(chunks, test, k);
    if (sub >= 0) {
      cur = chunks[sub]!;
      n = 2;
      continue;
    }
    const comps = n > 2 ? chunks.map((_, i) => chunks.filter((__, j) => j !== i).flat()) : [];
    const comp = await firstRefused(comps, test, k);
    if (comp >= 0) {
      cur = comps[comp]!;
      n = Math.max(n - 1, 2);
      continue;
    }
    if (n >= cur.length) break;
    n = Math.min(cur.length, 2 * n);
  }
  return cur;
}

export function lines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Reference ddmin: lines, then characters of what is left (characters capped by a probe budget). */
export async function referenceDdmin(text: string, rawTest: Test, k: number, count: () => number, charCap: number, stats: DdminStats): Promise<string> {
  const test = memoised(rawTest);
  const byLines = (await ddmin(lines(text), test, k, () => false, stats)).join('');
  const start = count();
  return (await ddmin(Array.from(byLines), test, k, () => count() - start >= charCap, stats)).join('');
}

/** What refusal minimizers in the wild do: halve while a half is refused, then ddmin over lines. */
export async function lineDdminHalfSplit(text: string, rawTest: Test, k: number): Promise<string> {
  const test = memoised(rawTest);
  let cur = lines(text);
  while (cur.length >= 2) {
    const mid = cur.length >> 1;
    const halves = [cur.slice(0, mid), cur.slice(mid)];
    const hit = await firstRefused(halves, test, k);
    if (hit < 0) break;
    cur = halves[hit]!;
  }
  return (await ddmin(cur, test, k, () => false, { capped: false })).join('');
}

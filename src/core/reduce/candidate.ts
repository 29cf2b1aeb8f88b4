/**
 * Candidates and the unit spaces the passes work in. A candidate is the kept atoms of each part (runs.ts); a unit space
 * is n units over a base candidate (the live parts of a request, or the units of one part at one level), so a pass
 * only says which units it keeps and never how a candidate is built.
 */
import { runsKey, runsSelect, runsSubset, type Runs } from './runs';

/** A candidate: the kept atoms of each part (empty: the part is dropped from the request). */
export type Cand = Runs[];

export function candKey(cand: Cand): string {
  return cand.map(runsKey).join('|');
}

/** True when every atom a keeps, b keeps too (monotone inference runs on this). */
export function candSubset(a: Cand, b: Cand): boolean {
  return a.every((r, i) => runsSubset(r, b[i] ?? []));
}

/** Sorted position ranges with empty ones dropped and touching ones merged. */
export function mergeRanges(r: number[]): number[] {
  const out: number[] = [];
  for (let k = 0; k < r.length; k += 2) {
    const a = r[k]!;
    const b = r[k + 1]!;
    if (b <= a) continue;
    if (out.length && out[out.length - 1] === a) out[out.length - 1] = b;
    else out.push(a, b);
  }
  return out;
}

/** n units over a base candidate; every candidate a pass makes comes from one of these. */
export interface UnitSpace {
  /** The candidate with every unit of this space kept. */
  readonly base: Cand;
  readonly n: number;
  /** The base with units a..b-1 kept and the other units of this space dropped. */
  window(a: number, b: number): Cand;
  /** The base without the units marked in drop (length n). */
  without(drop: Uint8Array): Cand;
  /** The base without unit k: the one-unit removal of the 1-minimality pass, its check and the control. */
  withoutUnit(k: number): Cand;
}

/** The units of part p between consecutive cuts (positions over the part's kept atoms in base). */
export function partUnits(base: Cand, p: number, cuts: readonly number[]): UnitSpace {
  const n = cuts.length - 1;
  const select = (pos: number[]): Cand => base.map((r, i) => (i === p ? runsSelect(r, mergeRanges(pos)) : r));
  return {
    base,
    n,
    window: (a, b) => select(a < b ? [cuts[a]!, cuts[b]!] : []),
    without: (drop) => {
      const pos: number[] = [];
      for (let u = 0; u < n; u++) if (!drop[u]) pos.push(cuts[u]!, cuts[u + 1]!);
      return select(pos);
    },
    withoutUnit: (k) => select([0, cuts[k]!, cuts[k + 1]!, cuts[n]!]),
  };
}

/** The parts still in base (in order) as units: dropping unit j drops the j-th live part whole. */
export function liveParts(base: Cand): UnitSpace {
  const parts = base.map((r, i) => (r.length ? i : -1)).filter((i) => i >= 0);
  const keep = (kept: (j: number) => boolean): Cand => base.map((r, i) => (parts.includes(i) && !kept(parts.indexOf(i)) ? [] : r));
  return {
    base,
    n: parts.length,
    window: (a, b) => keep((j) => j >= a && j < b),
    without: (drop) => keep((j) => !drop[j]),
    withoutUnit: (k) => keep((j) => j !== k),
  };
}

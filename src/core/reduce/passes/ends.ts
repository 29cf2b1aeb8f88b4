/**
 * The end searches: inside a window known to be refused, the shortest refused prefix (searchEnd) and the shortest
 * refused suffix (searchStart), by (k+1)-section search with k probes in flight, or once noise has been seen by
 * probabilistic bisection: probes at the quantiles of the posterior over the boundary (posterior.ts), from every
 * answer gathered (the earlier ones included), one fresh answer per probe, until one position holds all but
 * BOUNDARY_ERROR of the mass. A boundary is only where the search goes next: the candidate it leads to is confirmed
 * by a sequential test (the checkpoint).
 */
import type { Cand, UnitSpace } from '../candidate';
import type { Entry } from '../evidence';
import { Posterior } from '../posterior';
import type { PassContext } from './context';

/** Posterior mass left outside a boundary that probabilistic bisection settles on (noisy mode). */
export const BOUNDARY_ERROR = 0.005;

export interface EndSearch {
  /** The window [from, to) of the space, known to be refused. */
  from: number;
  to: number;
  /** Probes per round. */
  slots: number;
  /** Probes in the first round, when one of its slots goes to a probe sent beside it (default: slots). */
  first?: number;
}

/** Smallest e in (from, to] with units from..e-1 refused. */
export async function searchEnd(ctx: PassContext, space: UnitSpace, { from: a0, to: b0, slots: k, first }: EndSearch): Promise<number> {
  const asked = new Map<number, Entry>();
  const ask = (x: number) => {
    const cand = space.window(a0, x);
    asked.set(x, ctx.entry(cand));
    return ctx.decide(cand);
  };
  let lo = a0;
  let hi = b0;
  for (let round = 0; hi - lo > 1; round++) {
    // Noise seen: from here on, a probabilistic bisection over every answer gathered (the earlier ones included).
    if (ctx.evidence.noisy) return noisyBisect(ctx, (x) => space.window(a0, x), asked, a0 + 1, b0, false, k);
    const width = narrowest(hi - lo, k);
    const pts = points(lo, hi, round === 0 ? Math.max(1, Math.min(width, first ?? k)) : width);
    const answers = await ctx.all(pts.map(ask));
    const refusedAt = pts.filter((_, i) => answers[i]);
    if (refusedAt.length) {
      hi = Math.min(...refusedAt);
      lo = Math.max(lo, ...pts.filter((x, i) => !answers[i] && x < hi));
    } else lo = Math.max(...pts);
  }
  return hi;
}

/** Largest s in [from, to) with units s..to-1 refused. */
export async function searchStart(ctx: PassContext, space: UnitSpace, { from: a0, to: e, slots: k }: EndSearch): Promise<number> {
  const asked = new Map<number, Entry>();
  const ask = (x: number) => {
    const cand = space.window(x, e);
    asked.set(x, ctx.entry(cand));
    return ctx.decide(cand);
  };
  let lo = a0;
  let hi = e;
  while (hi - lo > 1) {
    if (ctx.evidence.noisy) return noisyBisect(ctx, (x) => space.window(x, e), asked, a0, e - 1, true, k);
    const pts = points(lo, hi, narrowest(hi - lo, k));
    const answers = await ctx.all(pts.map(ask));
    const refusedAt = pts.filter((_, i) => answers[i]);
    if (refusedAt.length) lo = Math.max(...refusedAt);
    const passedAbove = pts.filter((x, i) => !answers[i] && x > lo);
    hi = passedAbove.length ? Math.min(...passedAbove) : hi;
    if (!refusedAt.length && !passedAbove.length) break;
  }
  return lo;
}

/** Rounds a (k+1)-section search needs at worst to pin one position among `len`. */
export function sectionRounds(len: number, k: number): number {
  let rounds = 0;
  for (let l = len; l > 1; l = Math.ceil(l / (k + 1))) rounds++;
  return rounds;
}

/**
 * The fewest probes a round that pin the end in as many rounds (at worst) as k would: each added probe buys less
 * (log2(k+1) bits for k), so slots that save no round are left to other work (11 positions take two rounds at 3 a
 * round as at 8: 6 probes instead of 11).
 */
export function narrowest(len: number, k: number): number {
  const rounds = sectionRounds(len, k);
  let w = 1;
  while (w < k && sectionRounds(len, w) > rounds) w++;
  return w;
}

/** Up to k evenly spaced points strictly inside (lo, hi): one round of a (k+1)-section search. */
export function points(lo: number, hi: number, most: number): number[] {
  const k = Math.min(most, hi - lo - 1);
  const pts = new Set<number>();
  for (let j = 1; j <= k; j++) pts.add(lo + Math.round((j * (hi - lo)) / (k + 1)));
  return [...pts].filter((x) => x > lo && x < hi).sort((x, y) => x - y);
}

/**
 * Probabilistic bisection of one boundary h in [hlo, hhi]. A probe at x is cand(x); start (refusedAbove): refused
 * iff h >= x; end: refused iff h <= x, i.e. iff h < x + 1. asked holds the probes so far, by x.
 */
async function noisyBisect(
  ctx: PassContext,
  cand: (x: number) => Cand,
  asked: Map<number, Entry>,
  hlo: number,
  hhi: number,
  refusedAbove: boolean,
  k: number,
): Promise<number> {
  // The cut a probe at x makes: h >= cut on one side, h < cut on the other.
  const cutOf = (x: number) => (refusedAbove ? x : x + 1);
  const xOf = (c: number) => (refusedAbove ? c : c - 1);
  const most = 12 + 6 * Math.ceil(Math.log2(hhi - hlo + 2));
  for (let spent = 0; ; ) {
    const probes = [...asked.entries()]
      .map(([x, e]) => ({ c: cutOf(x), e }))
      .filter(({ c, e }) => c > hlo && c <= hhi && e.refused + e.passed > 0)
      .sort((u, v) => u.c - v.c);
    const posterior = new Posterior(
      hlo,
      hhi,
      probes.map(({ c, e }) => ({ cuts: [c], refusedIf: (h: number) => (refusedAbove ? h >= c : h < c), refused: e.refused, passed: e.passed })),
      ctx.evidence.flipRate(),
    );
    const { segment: best, mass } = posterior.map();
    if ((best.L === best.R && mass >= 1 - BOUNDARY_ERROR) || spent >= most) return best.L;
    const xs = new Set<number>();
    const q = Math.min(k, hhi - hlo);
    for (let j = 1; j <= q; j++) xs.add(xOf(posterior.quantile(j / (q + 1), hlo + 1, hhi)));
    const entries = [...xs].map((x) => {
      const e = ctx.entry(cand(x));
      asked.set(x, e);
      return e;
    }).filter((e) => !(e.cachedRepeat && e.refused + e.passed > 0));
    // Every probe wanted is answered from a cache: no new evidence can come, so the best guess it is.
    if (!entries.length) return best.L;
    spent += entries.length;
    await ctx.all(entries.map((e) => ctx.probe(e)));
  }
}

/**
 * The 1-minimality pass: remove single units at the finest level until none can go. With no noise seen, every removal
 * is sent at once while nothing has gone (the usual case: a pinned trigger; the scheduler keeps c in flight), c at a
 * time after a deletion. Units are recomputed from the kept candidate after every deletion (unitsOf).
 * Real probes only: no monotone inference, and after a deletion another pass over the smaller candidate, since a unit
 * that was needed before it may not be needed after it when the oracle is not monotone (removals of the exact same
 * candidate asked before are answered from the memo: those were real probes). The pass ends with a sweep in which
 * nothing could go, every removal of the result asked: that is what `oneMinimal` reports.
 */
import type { Cand, UnitSpace } from '../candidate';
import { MARGIN, UNIT_MARGIN } from '../evidence';
import type { PassContext } from './context';

export async function oneMinimal(ctx: PassContext, space: UnitSpace, { unitsOf }: { unitsOf: (cand: Cand) => UnitSpace }): Promise<Cand> {
  const ev = ctx.evidence;
  let cur = space.base;
  for (let pass = 0; pass < 50; pass++) {
    let deleted = false;
    const noisyAtStart = ev.noisy;
    let u = 0;
    for (;;) {
      const units = unitsOf(cur);
      const n = units.n;
      if (u >= n) break;
      // Everything at once while nothing has gone (the usual case: a pinned trigger); c at a time after a deletion,
      // since the answers still out were asked about the larger candidate.
      // Noisy and a unit already went: one at a time (the sequential test fills the slots with repeats), since every
      // further candidate of a batch that held a deletion costs a full sequential test for nothing.
      const width = !ev.noisy && ev.monotone && !deleted ? n - u : ev.noisy && deleted ? 1 : Math.min(ctx.slots, n - u);
      const batch = Array.from({ length: width }, (_, j) => u + j);
      const cands = batch.map((k) => units.withoutUnit(k));
      // Once a unit went, the span holds deletable units after all: the full "passes" lead again.
      const answers = await ctx.all(cands.map((c) => ctx.decide(c, false, deleted ? MARGIN : UNIT_MARGIN)));
      const hit = answers.indexOf(true);
      if (hit >= 0) {
        cur = cands[hit]!;
        ctx.accept(cur);
        deleted = true;
        u = batch[hit]!;
      } else u += batch.length;
    }
    // Done when a sweep removed nothing, and noise (if any) was already known when it started: otherwise its first
    // answers were single ones taken at face value, so one more sweep.
    if (!deleted && (noisyAtStart || !ev.noisy)) break;
  }
  return cur;
}

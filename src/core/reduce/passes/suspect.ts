/**
 * Suspect base: group testing that let nothing go for SUSPECT probes, with no noise seen yet, asks the candidate it
 * stands on once more. A flipped "refused" (on the base, or on a deletion that took the trigger away) would otherwise
 * have every later deletion pass and the rest taken apart unit by unit, for hundreds of probes; a different answer
 * switches to noisy mode, where a candidate that is not refused is rewound.
 */
import type { Cand } from '../candidate';
import { Rewind, type PassContext } from './context';

/** Probes of group testing without a single deletion after which its base is asked again. */
export const SUSPECT = 16;

/** Where one group-testing run stands: units deleted so far, and the probe count when that last changed. */
export interface SuspectState {
  since: number;
  deleted: number;
}

export function suspectState(ctx: PassContext): SuspectState {
  return { since: ctx.probesIssued, deleted: 0 };
}

export async function suspectBase(ctx: PassContext, current: () => Cand, drop: Uint8Array, state: SuspectState): Promise<void> {
  if (ctx.evidence.noisy) return;
  let deleted = 0;
  for (const d of drop) deleted += d;
  if (deleted !== state.deleted) {
    state.deleted = deleted;
    state.since = ctx.probesIssued;
    return;
  }
  if (ctx.probesIssued - state.since < SUSPECT) return;
  state.since = ctx.probesIssued;
  const base = current();
  const e = ctx.entry(base);
  if (e.cachedRepeat || e.refused === 0 || e.passed > 0) return;
  await ctx.probe(e);
  if (ctx.evidence.noisy && !(await ctx.decide(base))) throw new Rewind();
}

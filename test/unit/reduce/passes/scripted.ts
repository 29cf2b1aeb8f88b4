/**
 * A scripted pass context for the passes' tests: one part of `atoms` atoms, each unit one atom, and a rule over the
 * kept atoms standing in for the oracle (optionally with scripted flips). Evidence is the real outcome cache; asking
 * records every probed candidate, so a test can count probes and see what was asked.
 */
import { settleAll } from '../../../../src/core/reduce/scheduler';
import { partUnits, type Cand, type UnitSpace } from '../../../../src/core/reduce/candidate';
import { Evidence, MARGIN, type Entry } from '../../../../src/core/reduce/evidence';
import type { PassContext } from '../../../../src/core/reduce/passes/context';
import { runsAtom, runsLength } from '../../../../src/core/reduce/runs';

export interface Scripted extends PassContext {
  /** Every probe sent, as the kept atoms, in order. */
  readonly probed: number[][];
  readonly history: Cand[];
  evidence: Evidence;
}

/** The atoms a one-part candidate keeps. */
export function atoms(cand: Cand): number[] {
  const r = cand[0]!;
  return Array.from({ length: runsLength(r) }, (_, i) => runsAtom(r, i));
}

/** All `n` atoms of one part, one unit each. */
export function wholePart(n: number): { cand: Cand; space: UnitSpace } {
  const cand: Cand = [[0, n]];
  return { cand, space: unitsOf(cand) };
}

export function unitsOf(cand: Cand): UnitSpace {
  const n = runsLength(cand[0]!);
  return partUnits(cand, 0, Array.from({ length: n + 1 }, (_, i) => i));
}

/** Refused when every one of `needed` is kept. */
export const keeps = (...needed: number[]) => (kept: number[]) => needed.every((a) => kept.includes(a));

export function scripted(rule: (kept: number[]) => boolean, opts: { slots?: number; flip?: (probe: number) => boolean } = {}): Scripted {
  const evidence = new Evidence();
  const probed: number[][] = [];
  const history: Cand[] = [];
  const ctx: Scripted = {
    slots: opts.slots ?? 1,
    evidence,
    probed,
    history,
    get probesIssued() {
      return probed.length;
    },
    entry: (cand) => evidence.entry(cand),
    async probe(e: Entry) {
      const kept = atoms(e.cand);
      probed.push(kept);
      e.issued++;
      let refused = rule(kept);
      if (opts.flip?.(probed.length)) refused = !refused;
      evidence.record(e, refused);
      return refused;
    },
    async decide(cand, infer = true, passMargin = MARGIN) {
      const e = evidence.entry(cand);
      if (!evidence.noisy) {
        if (e.refused + e.passed > 0 && !(e.refused > 0 && e.passed > 0)) return e.refused > 0;
        if (e.refused + e.passed === 0) {
          const inferred = infer && evidence.monotone ? evidence.infer(cand) : undefined;
          if (inferred !== undefined) return inferred;
          const answer = await ctx.probe(e);
          if (!evidence.noisy) return answer;
        }
        evidence.noisy = true;
      }
      for (;;) {
        const standing = evidence.standing(e, passMargin);
        if ('decided' in standing) return standing.decided;
        for (let i = 0; i < standing.more; i++) await ctx.probe(e);
      }
    },
    async reconfirm(cand) {
      await ctx.probe(evidence.entry(cand));
      return ctx.decide(cand);
    },
    all: (promises) => settleAll(promises),
    accept: (cand) => void history.push(cand),
    settleOriginal: async () => undefined,
  };
  return ctx;
}

import { describe, expect, it } from 'vitest';
import { Rewind } from '../../../../src/core/reduce/passes/context';
import { SUSPECT, suspectBase, suspectState } from '../../../../src/core/reduce/passes/suspect';
import { keeps, scripted, wholePart } from './scripted';

describe('suspect base', () => {
  it('asks nothing while group testing still deletes, or before SUSPECT probes went by', async () => {
    const ctx = scripted(keeps(1));
    const { cand } = wholePart(8);
    ctx.evidence.record(ctx.entry(cand), true);
    const state = suspectState(ctx);
    const drop = new Uint8Array(8);
    await suspectBase(ctx, () => cand, drop, state);
    drop[3] = 1;
    await suspectBase(ctx, () => cand, drop, state);
    expect(state.deleted).toBe(1);
    expect(ctx.probed).toHaveLength(0);
  });

  it('asks the base once more after SUSPECT probes without a deletion; a different answer means noise and a rewind', async () => {
    // The base was answered "refused" once, but the rule (which now stands for the truth) says it passes.
    const ctx = scripted(() => false);
    const { cand } = wholePart(8);
    ctx.evidence.record(ctx.entry(cand), true);
    const state = suspectState(ctx);
    const drop = new Uint8Array(8);
    for (let i = 0; i < SUSPECT; i++) await ctx.probe(ctx.entry([[i % 8, i % 8 + 1]]));
    await expect(suspectBase(ctx, () => cand, drop, state)).rejects.toBeInstanceOf(Rewind);
    expect(ctx.evidence.noisy).toBe(true);
  });

  it('keeps going when the base is refused again', async () => {
    const ctx = scripted(keeps(2));
    const { cand } = wholePart(8);
    ctx.evidence.record(ctx.entry(cand), true);
    const state = suspectState(ctx);
    for (let i = 0; i < SUSPECT; i++) await ctx.probe(ctx.entry([[0, 1]]));
    await suspectBase(ctx, () => cand, new Uint8Array(8), state);
    expect(ctx.entry(cand)).toMatchObject({ refused: 2, passed: 0 });
    expect(ctx.evidence.noisy).toBe(false);
  });
});

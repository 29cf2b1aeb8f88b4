import { describe, expect, it } from 'vitest';
import { deleteChunks } from '../../../../src/core/reduce/passes/chunks';
import { Rewind } from '../../../../src/core/reduce/passes/context';
import { atoms, keeps, scripted, wholePart } from './scripted';

describe('chunk deletion (group testing)', () => {
  it.each([2, 3, 4])('keeps exactly the scattered units a refusal needs, with %i chunks per round', async (slots) => {
    const ctx = scripted(keeps(10, 50, 51, 90), { slots });
    const { space } = wholePart(100);
    const out = await deleteChunks(ctx, space, { from: 0, to: 100, wholeFirst: false });
    expect(atoms(out)).toEqual([10, 50, 51, 90]);
    expect(ctx.probed.length).toBeLessThan(60);
  });

  it('takes the whole interior between two proven ends in one probe when it can all go', async () => {
    const ctx = scripted(keeps(0, 31), { slots: 2 });
    const { space } = wholePart(32);
    const out = await deleteChunks(ctx, space, { from: 1, to: 31, wholeFirst: true });
    expect(atoms(out)).toEqual([0, 31]);
    expect(ctx.probed).toHaveLength(1);
  });

  it('uses binary splitting with one slot and a noise-free oracle', async () => {
    const ctx = scripted(keeps(3, 77));
    const { space } = wholePart(128);
    const out = await deleteChunks(ctx, space, { from: 0, to: 128, wholeFirst: false });
    expect(atoms(out)).toEqual([3, 77]);
    // log2(C(128, 2)) + 1 = 14 is the bound for adaptive splitting; halving both needed units costs about 2 x 7 x 1.25.
    expect(ctx.probed.length).toBeLessThanOrEqual(20);
  });

  it('under noise, when nothing can go in a round, asks the base again and rewinds if it is not refused after all', async () => {
    // Nothing is refused; the base was answered "refused" once (a flip) before this pass.
    const ctx = scripted(() => false, { slots: 2 });
    const { cand, space } = wholePart(16);
    ctx.evidence.record(ctx.entry(cand), true);
    ctx.evidence.noisy = true;
    await expect(deleteChunks(ctx, space, { from: 0, to: 16, wholeFirst: false })).rejects.toBeInstanceOf(Rewind);
  });
});

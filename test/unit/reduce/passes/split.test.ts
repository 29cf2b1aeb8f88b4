import { describe, expect, it } from 'vitest';
import { splitChunks } from '../../../../src/core/reduce/passes/split';
import { atoms, keeps, scripted, wholePart } from './scripted';

describe('binary splitting', () => {
  it('assumes the right half of a needed pair can go, and confirms it with the next refused answer', async () => {
    const ctx = scripted(keeps(5));
    const { space } = wholePart(64);
    const out = await splitChunks(ctx, space, { from: 0, to: 64, wholeFirst: false });
    expect(atoms(out)).toEqual([5]);
    // One unit among 64: about one probe per halving (6), never the 12 that trying both halves would take.
    expect(ctx.probed.length).toBeLessThanOrEqual(8);
  });

  it('undoes an assumption that does not hold and tries those units again', async () => {
    // Units 5 and 40: the first halving keeps [0, 32) needed, so [32, 64) is assumed deletable, which is wrong.
    const ctx = scripted(keeps(5, 40));
    const { space } = wholePart(64);
    const out = await splitChunks(ctx, space, { from: 0, to: 64, wholeFirst: false });
    expect(atoms(out)).toEqual([5, 40]);
  });

  it('tries the whole range first when asked to (the interior between two proven ends)', async () => {
    const ctx = scripted(keeps(0, 9));
    const { space } = wholePart(10);
    expect(atoms(await splitChunks(ctx, space, { from: 1, to: 9, wholeFirst: true }))).toEqual([0, 9]);
    expect(ctx.probed).toHaveLength(1);
  });
});

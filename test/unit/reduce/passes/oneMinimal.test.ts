import { describe, expect, it } from 'vitest';
import { oneMinimal } from '../../../../src/core/reduce/passes/oneMinimal';
import { atoms, keeps, scripted, unitsOf } from './scripted';

describe('the 1-minimality pass', () => {
  it.each([1, 4])('removes every unit that can go, one real probe each (%i in flight)', async (slots) => {
    const ctx = scripted(keeps(12, 15), { slots });
    const out = await oneMinimal(ctx, unitsOf([[10, 20]]), { unitsOf });
    expect(atoms(out)).toEqual([12, 15]);
    // No inference: the removal of each needed unit was probed (asked with infer off).
    expect(ctx.probed.some((kept) => !kept.includes(12))).toBe(true);
    expect(ctx.probed.some((kept) => !kept.includes(15))).toBe(true);
  });

  it('sends every removal of a pinned trigger at once, and nothing more when none can go', async () => {
    const ctx = scripted(keeps(0, 1, 2, 3), { slots: 2 });
    const out = await oneMinimal(ctx, unitsOf([[0, 4]]), { unitsOf });
    expect(atoms(out)).toEqual([0, 1, 2, 3]);
    expect(ctx.probed).toHaveLength(4);
  });

  it('sweeps again after a deletion: a unit needed before it can go after it when the oracle is not monotone', async () => {
    // Like "character's": atom 1 (the apostrophe) keeps atom 0 a whole word while atom 2 (the "s") is there.
    const ctx = scripted((kept) => kept.includes(0) && !(kept.includes(2) && !kept.includes(1)));
    const out = await oneMinimal(ctx, unitsOf([[0, 3]]), { unitsOf });
    expect(atoms(out)).toEqual([0]);
    // Every removal of the result was probed on the result itself.
    expect(ctx.probed).toContainEqual([]);
  });

  it('under noise, asks each removal until the margin is reached', async () => {
    const ctx = scripted(keeps(1), { flip: (n) => n === 2 });
    ctx.evidence.noisy = true;
    const out = await oneMinimal(ctx, unitsOf([[0, 3]]), { unitsOf });
    expect(atoms(out)).toEqual([1]);
    expect(ctx.probed.length).toBeGreaterThan(3);
  });
});

import { describe, expect, it } from 'vitest';
import { points, searchEnd, searchStart } from '../../../../src/core/reduce/passes/ends';
import { keeps, scripted, wholePart } from './scripted';

describe('the end searches', () => {
  it('pin both ends of a trigger by bisection, one probe per halving with one slot', async () => {
    const ctx = scripted(keeps(120, 121, 122, 123, 124));
    const { space } = wholePart(200);
    const end = await searchEnd(ctx, space, { from: 0, to: 200, slots: 1 });
    expect(end).toBe(125);
    expect(ctx.probed.length).toBeLessThanOrEqual(Math.ceil(Math.log2(200)));
    const start = await searchStart(ctx, space, { from: 0, to: end, slots: 1 });
    expect(start).toBe(120);
    // Every probe of the prefix search is a prefix, every probe of the suffix search ends at the end found.
    expect(ctx.probed.every((kept) => kept[0] === 0 || kept.at(-1) === 124)).toBe(true);
  });

  it('find the same ends in fewer rounds with three probes per round', async () => {
    const ctx = scripted(keeps(120, 124), { slots: 3 });
    const { space } = wholePart(200);
    expect(await searchEnd(ctx, space, { from: 0, to: 200, slots: 3 })).toBe(125);
    expect(await searchStart(ctx, space, { from: 0, to: 125, slots: 3 })).toBe(120);
  });

  it('switch to probabilistic bisection once noise is known, and still land on the boundary', async () => {
    // Every fifth answer is wrong.
    const ctx = scripted(keeps(70), { flip: (n) => n % 5 === 0 });
    ctx.evidence.noisy = true;
    const { space } = wholePart(100);
    expect(await searchEnd(ctx, space, { from: 0, to: 100, slots: 1 })).toBe(71);
    expect(await searchStart(ctx, space, { from: 0, to: 71, slots: 1 })).toBe(70);
    // Some candidates were asked more than once: answers are counted, not trusted one by one.
    expect(new Set(ctx.probed.map((k) => k.join())).size).toBeLessThan(ctx.probed.length);
  });

  it('spread the probes of a round evenly inside the open interval', () => {
    expect(points(0, 100, 3)).toEqual([25, 50, 75]);
    expect(points(10, 13, 5)).toEqual([11, 12]);
    expect(points(4, 5, 2)).toEqual([]);
  });
});

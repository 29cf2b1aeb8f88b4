import { describe, expect, it } from 'vitest';
import { locate } from '../../../../src/core/reduce/passes/locate';
import { keeps, scripted, wholePart } from './scripted';

const trigger = [600, 601, 602, 603, 604];

describe('locate', () => {
  it.each([1, 2, 3, 4, 8])('finds the window of one contiguous trigger among 1,000 units with %i in flight', async (slots) => {
    const ctx = scripted(keeps(...trigger), { slots });
    const { space } = wholePart(1000);
    const found = await locate(ctx, space, { first: true });
    expect(found).toEqual({ span: [600, 605], scattered: false });
    // About log2 of the number of spans: far fewer probes than units.
    expect(ctx.probed.length).toBeLessThan(40);
  });

  it.each([1, 2, 4, 8])('says "scattered" when no window holds two fragments far apart (group testing takes over), %i in flight', async (slots) => {
    const ctx = scripted(keeps(100, 900), { slots });
    const { space } = wholePart(1000);
    expect(await locate(ctx, space, { first: true })).toEqual({ span: [0, 1000], scattered: true });
    // Several slots: one round of covering windows, all passing, and nothing more (the whole is not asked again).
    if (slots > 1) expect(ctx.probed).toHaveLength(slots);
  });

  it.each([3, 4, 8])('pins two nearby fragments wherever they sit, also when the descent\'s assumed last window does not hold them (%i in flight)', async (slots) => {
    // The check of an assumed last window goes out with the end searches' first round; when it fails, the searches
    // run again in the last window that was refused. Either way the span is the one that holds both fragments.
    for (let a = 0; a < 1000; a += 13) {
      for (const gap of [1, 5, 12, 29]) {
        const b = Math.min(999, a + gap);
        const ctx = scripted(keeps(a, b), { slots });
        const { space } = wholePart(1000);
        const found = await locate(ctx, space, { first: true });
        if (!found.scattered) expect(found.span).toEqual([a, b + 1]);
      }
    }
  });

  it('pins the two ends of separated fragments when a coarser level already located them', async () => {
    const ctx = scripted(keeps(10, 40));
    const { space } = wholePart(60);
    expect(await locate(ctx, space, { first: false })).toEqual({ span: [10, 41], scattered: false });
  });

  it('descends by the posterior once the oracle is known to flip, and the span still holds the trigger', async () => {
    const ctx = scripted(keeps(...trigger), { slots: 2, flip: (n) => n % 6 === 0 });
    ctx.evidence.noisy = true;
    const { space } = wholePart(1000);
    const { span, scattered } = await locate(ctx, space, { first: true });
    expect(scattered).toBe(false);
    expect(span[0]).toBeLessThanOrEqual(600);
    expect(span[1]).toBeGreaterThanOrEqual(605);
    expect(span[1] - span[0]).toBeLessThan(20);
  });
});

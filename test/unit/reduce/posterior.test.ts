import { describe, expect, it } from 'vitest';
import { Posterior, type Observation } from '../../../src/core/reduce/posterior';
import { seeded } from './helpers';

/** The same posterior, one position at a time (what the segments must agree with). */
function bruteBelow(lo: number, hi: number, obs: Observation[], p: number, c: number): number {
  let below = 0;
  let total = 0;
  for (let h = lo; h <= hi; h++) {
    let like = 1;
    for (const o of obs) like *= o.refusedIf(h) ? (1 - p) ** o.refused * p ** o.passed : p ** o.refused * (1 - p) ** o.passed;
    total += like;
    if (h < c) below += like;
  }
  return below / total;
}

/** "Refused iff the boundary is at or above x" (a suffix search), answered `refused`/`passed` times. */
const atOrAbove = (x: number, refused: number, passed: number): Observation => ({ cuts: [x], refusedIf: (h) => h >= x, refused, passed });

describe('the posterior over a position', () => {
  it('is flat with no answers: the median cut halves the range', () => {
    const post = new Posterior(0, 99, [], 0.1);
    expect(post.below(50)).toBeCloseTo(0.5);
    expect(post.quantile(0.5, 1, 99)).toBe(50);
    expect(post.segments).toHaveLength(1);
  });

  it('moves mass to the side the answers point to, by how sure they are', () => {
    const post = new Posterior(0, 99, [atOrAbove(50, 3, 0)], 0.1);
    // 0.9^3 against 0.1^3 per position: nearly all the mass at h >= 50.
    expect(post.below(50)).toBeCloseTo(0.001 / (0.001 + 0.729), 6);
    expect(post.quantile(0.5, 1, 99)).toBe(75);
  });

  it('settles on a single position once answers on both sides pin it', () => {
    const post = new Posterior(0, 99, [atOrAbove(41, 4, 0), atOrAbove(42, 0, 4)], 0.1);
    const { segment, mass } = post.map();
    expect(segment).toMatchObject({ L: 41, R: 41 });
    // Each side keeps (0.1/0.9)^4 per position of the pinned one's mass: about 0.6% each.
    expect(mass).toBeCloseTo(0.985, 3);
  });

  it('models windows too (refused iff the trigger lies inside): a window refused 4 times holds 99.5% of the mass', () => {
    const win: Observation = { cuts: [20, 30], refusedIf: (t) => t >= 20 && t < 30, refused: 4, passed: 0 };
    const post = new Posterior(0, 99, [win], 0.1);
    expect(post.quantile(0.005, 0, 100)).toBe(20);
    expect(post.quantile(0.995, 0, 100)).toBe(30);
  });

  it('agrees with the position-by-position computation for random answers', () => {
    const rnd = seeded(7);
    for (let round = 0; round < 20; round++) {
      const obs = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () =>
        atOrAbove(1 + Math.floor(rnd() * 60), Math.floor(rnd() * 4), Math.floor(rnd() * 4)),
      );
      const post = new Posterior(0, 60, obs, 0.15);
      for (const c of [1, 10, 30, 45, 60]) expect(post.below(c)).toBeCloseTo(bruteBelow(0, 60, obs, 0.15, c), 9);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { Evidence, MARGIN, MAX_ANSWERS, REFUSED_MARGIN, UNIT_MARGIN } from '../../../src/core/reduce/evidence';

const whole = [[0, 100]];
const left = [[0, 50]];
const inner = [[10, 20]];

describe('evidence (the outcome cache)', () => {
  it('keeps one entry per candidate content, with answer counts', () => {
    const ev = new Evidence();
    const e = ev.entry([[0, 50]]);
    expect(ev.entry(left)).toBe(e);
    ev.record(e, true);
    ev.record(e, true);
    expect(e).toMatchObject({ refused: 2, passed: 0 });
    expect(ev.noisy).toBe(false);
  });

  it('marks the oracle noisy when two answers for one input differ', () => {
    const ev = new Evidence();
    const e = ev.entry(left);
    ev.record(e, true);
    ev.record(e, false);
    expect(ev.noisy).toBe(true);
    expect(ev.flips()).toBe(1);
  });

  it('infers monotonically: under a passing candidate passes, over a refused one is refused', () => {
    const ev = new Evidence();
    ev.record(ev.entry(left), false);
    ev.record(ev.entry(inner), true);
    expect(ev.infer([[12, 15]])).toBe(false);
    // That "passes" is now a source the search leaned on (audited when a level gets stuck).
    expect([...ev.passSources].map((e) => e.key)).toEqual(['0,50']);
    expect(ev.infer([[5, 60]])).toBe(true);
    expect(ev.infer([[60, 70]])).toBeUndefined();
  });

  it('runs the sequential test on counts: refused by REFUSED_MARGIN, passes by the pass margin, else more answers', () => {
    const ev = new Evidence();
    const e = ev.entry(whole);
    expect(ev.standing(e, MARGIN)).toEqual({ more: MARGIN });
    for (let i = 0; i < REFUSED_MARGIN; i++) ev.record(e, true);
    expect(ev.standing(e, MARGIN)).toEqual({ decided: true });
    ev.record(e, false);
    // Lead 3: one more "refused" would decide, three "passes" could not yet: ask for the nearer margin.
    expect(ev.standing(e, MARGIN)).toEqual({ more: 1 });
    const unit = ev.entry(inner);
    ev.record(unit, false);
    ev.record(unit, false);
    expect(ev.standing(unit, UNIT_MARGIN)).toEqual({ decided: false });
    expect(ev.standing(unit, MARGIN)).toEqual({ more: 1 });
  });

  it('lets a near tie keep the content once MAX_ANSWERS are in, and stops asking a cache that repeats itself', () => {
    const ev = new Evidence();
    const e = ev.entry(whole);
    for (let i = 0; i < MAX_ANSWERS; i++) ev.record(e, i % 2 === 0);
    expect(ev.standing(e, MARGIN)).toEqual({ decided: false });
    const cached = ev.entry(left);
    ev.record(cached, true);
    cached.cachedRepeat = true;
    expect(ev.standing(cached, MARGIN)).toEqual({ decided: true });
  });

  it('estimates the flip rate from repeated inputs with a weak prior of 1 in 10', () => {
    const ev = new Evidence();
    expect(ev.flipRate()).toBeCloseTo(0.1);
    const e = ev.entry(whole);
    for (let i = 0; i < 20; i++) ev.record(e, i !== 0);
    expect(ev.flipRate()).toBeCloseTo(2 / 30);
  });

  it('gives the smallest refused candidate for a stop, and once noisy only one refused by the margin', () => {
    const ev = new Evidence();
    for (const [cand, bytes] of [[whole, 100], [left, 50], [inner, 10]] as const) {
      const e = ev.entry(cand.map((r) => [...r]));
      e.bytes = bytes;
      ev.record(e, true);
    }
    expect(ev.bestSoFar(whole)).toEqual(inner);
    expect(ev.best?.bytes).toBe(10);
    ev.noisy = true;
    expect(ev.bestSoFar(whole)).toEqual(whole);
    const l = ev.entry(left);
    for (let i = 1; i < REFUSED_MARGIN; i++) ev.record(l, true);
    expect(ev.bestSoFar(whole)).toEqual(left);
  });
});

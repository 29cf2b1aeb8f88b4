import { describe, expect, it } from 'vitest';
import { candKey, candSubset, liveParts, mergeRanges, partUnits } from '../../../src/core/reduce/candidate';

describe('candidates and unit spaces', () => {
  // One part of 20 atoms already cut down to [2, 8) and [12, 18); units at cuts 0, 3, 6, 9, 12 over the kept positions.
  const base = [[2, 8, 12, 18]];
  const units = partUnits(base, 0, [0, 3, 6, 9, 12]);

  it('keeps a window of units, dropping the rest of the part', () => {
    expect(units.n).toBe(4);
    expect(units.base).toBe(base);
    expect(units.window(1, 3)).toEqual([[5, 8, 12, 15]]);
    expect(units.window(2, 2)).toEqual([[]]);
  });

  it('drops marked units, and "drop unit k" is the same candidate as dropping it by mask', () => {
    expect(units.without(Uint8Array.from([1, 0, 0, 1]))).toEqual([[5, 8, 12, 15]]);
    for (let k = 0; k < units.n; k++) {
      const drop = new Uint8Array(units.n);
      drop[k] = 1;
      expect(units.withoutUnit(k)).toEqual(units.without(drop));
    }
  });

  it('leaves the other parts alone', () => {
    const two = partUnits([[0, 4], [0, 10]], 1, [0, 5, 10]);
    expect(two.window(0, 1)).toEqual([[0, 4], [0, 5]]);
  });

  it('treats the live parts of a request as units, skipping parts already dropped', () => {
    const parts = liveParts([[0, 4], [], [0, 7], [0, 2]]);
    expect(parts.n).toBe(3);
    expect(parts.withoutUnit(1)).toEqual([[0, 4], [], [], [0, 2]]);
    expect(parts.window(1, 3)).toEqual([[], [], [0, 7], [0, 2]]);
    expect(parts.without(Uint8Array.from([1, 0, 1]))).toEqual([[], [], [0, 7], []]);
  });

  it('merges touching ranges and drops empty ones', () => {
    expect(mergeRanges([0, 3, 3, 5, 7, 7, 8, 9])).toEqual([0, 5, 8, 9]);
  });

  it('tells subsets (for monotone inference) and keys candidates by content', () => {
    expect(candSubset([[3, 5], []], [[0, 8], [0, 2]])).toBe(true);
    expect(candSubset([[3, 9]], [[0, 8]])).toBe(false);
    expect(candKey([[0, 4], [], [1, 2]])).toBe('0,4||1,2');
  });
});

import { describe, expect, it } from 'vitest';
import { runsAtom, runsLength, runsSelect, runsSubset } from '../../../src/core/reduce/runs';

describe('runs (the kept atoms of a candidate)', () => {
  it('select position ranges across runs, merging what touches', () => {
    const kept = [0, 10, 20, 30]; // atoms 0-9 and 20-29: positions 0-19
    expect(runsLength(kept)).toBe(20);
    expect(runsSelect(kept, [5, 15])).toEqual([5, 10, 20, 25]);
    expect(runsSelect(kept, [0, 2, 8, 12])).toEqual([0, 2, 8, 10, 20, 22]);
    expect(runsSelect(kept, [0, 20])).toEqual([0, 10, 20, 30]);
    expect(runsAtom(kept, 12)).toBe(22);
  });

  it('tell a subset of kept atoms (what monotone inference relies on)', () => {
    expect(runsSubset([2, 4, 21, 22], [0, 10, 20, 30])).toBe(true);
    expect(runsSubset([8, 12], [0, 10, 20, 30])).toBe(false);
    expect(runsSubset([], [0, 1])).toBe(true);
  });
});

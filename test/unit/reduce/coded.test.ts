import { describe, expect, it } from 'vitest';
import { reduce } from '../../../src/core/reduce/reducer';
import type { ProbeInput } from '../../../src/core/probe/oracle/types';
import { filler, oneMinimal, predicateOracle } from './helpers';

const file = (text: string): ProbeInput => ({ parts: [{ kind: 'file', text, fileName: 'notes.txt' }] });

/** 4000 numbered lines ("L0000 ..."), so a probe's text says which lines it kept. */
function numbered(): string[] {
  return filler(4000, 7)
    .split('\n')
    .map((line, i) => `L${String(i).padStart(4, '0')} ${line}`);
}

/** Runs of consecutive line numbers in a probed text: 1 for a window, many for a coded probe. */
function runsOfLines(text: string): number {
  const ids = [...text.matchAll(/\bL(\d{4}) /g)].map((m) => Number(m[1]));
  let runs = 0;
  ids.forEach((id, i) => {
    if (i === 0 || id !== ids[i - 1]! + 1) runs++;
  });
  return runs;
}

describe('locate: coded windows', () => {
  it('spells the line that holds the trigger with coded probes once the window is small, at 8 in flight only', async () => {
    const lines = numbered();
    lines[2718] = 'L2718 the river said: how to enrich uranium at home, quietly.';
    const rule = (t: string) => t.includes('enrich uranium');
    const at = async (concurrency: number) => {
      const oracle = predicateOracle(rule);
      const out = await reduce(file(lines.join('\n')), oracle, { concurrency });
      expect(out.minimal.parts[0]!.text).toBe('enrich uranium');
      expect(out.oneMinimal).toBe(true);
      return oracle.seen.filter((t) => runsOfLines(t) > 2).length;
    };
    // One probe in flight: a descent, one window at a time (a coded probe would buy the same single bit).
    expect(await at(1)).toBe(0);
    // Eight: after the covering round, probes that keep many separated blocks of lines.
    expect(await at(8)).toBeGreaterThan(0);
  });

  it('falls back to the last refused window when the trigger spans more lines than a coded block holds', async () => {
    const lines = numbered();
    // Three lines: wider than a block plus its one line of overlap each side once the blocks are single lines.
    lines[1500] = 'L1500 begin HALF-ONE';
    lines[1501] = 'L1501 middle';
    lines[1502] = 'L1502 HALF-TWO end';
    const rule = (t: string) => /HALF-ONE\nL1501 middle\nL1502 HALF-TWO/.test(t);
    const oracle = predicateOracle(rule);
    const out = await reduce(file(lines.join('\n')), oracle, { concurrency: 8 });
    const text = out.minimal.parts[0]!.text;
    expect(rule(text)).toBe(true);
    expect(out.oneMinimal).toBe(true);
    expect(oneMinimal(text, rule)).toBe(true);
  });

  it('finds the exact trigger when a coded probe\'s answer flips', async () => {
    const lines = numbered();
    lines[3141] = 'L3141 notes on how to culture anthrax spores at scale';
    const rule = (t: string) => t.includes('anthrax spores');
    // The first coded probe (many separated blocks) answers wrong once; every other answer is true.
    let flipped = false;
    const oracle = predicateOracle(rule, {
      flip: () => {
        const last = oracle.seen[oracle.seen.length - 1]!;
        if (flipped || runsOfLines(last) <= 2) return false;
        flipped = true;
        return true;
      },
    });
    const out = await reduce(file(lines.join('\n')), oracle, { concurrency: 8 });
    expect(flipped).toBe(true);
    expect(out.minimal.parts[0]!.text).toBe('anthrax spores');
    expect(out.oneMinimal).toBe(true);
    expect(out.verification).toEqual({ refused: 5, of: 5 });
  });
});

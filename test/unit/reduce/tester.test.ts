import { describe, expect, it } from 'vitest';
import type { ProbeInput } from '../../../src/core/probe/oracle/types';
import { modelFor } from '../../../src/core/reduce/model';
import { Stop } from '../../../src/core/reduce/scheduler';
import { Tester } from '../../../src/core/reduce/tester';
import type { ReduceProgress } from '../../../src/core/reduce/result';
import { predicateOracle } from './helpers';

const text = 'alpha beta gamma delta';
const input: ProbeInput = { parts: [{ kind: 'file', text }] };

async function tester(refuses: (t: string) => boolean, opts: { flip?: () => boolean; budget?: number; onProgress?: (e: ReduceProgress) => void } = {}) {
  const oracle = predicateOracle(refuses, opts);
  const t = new Tester(input, oracle, { concurrency: 2, onProgress: opts.onProgress }, [await modelFor(input.parts[0]!)]);
  return { t, oracle };
}

describe('the tester', () => {
  it('answers from memo and monotone inference before it probes', async () => {
    const { t, oracle } = await tester((s) => s.includes('gamma'));
    expect(await t.decide([[6, 22]])).toBe(true); // 'beta gamma delta'
    expect(await t.decide([[6, 22]])).toBe(true); // memo
    expect(await t.decide([[0, 22]])).toBe(true); // a superset of a refused candidate
    expect(await t.decide([[0, 5]])).toBe(false); // probed: 'alpha'
    expect(await t.decide([[0, 3]])).toBe(false); // a subset of a passing candidate
    expect(oracle.calls).toBe(2);
  });

  it('once noisy, asks a candidate again until one answer leads by the margin', async () => {
    let n = 0;
    const { t, oracle } = await tester(() => true, { flip: () => ++n === 2 });
    const cand = [[0, 22]];
    await t.probe(t.entry(cand));
    await t.probe(t.entry(cand)); // flipped: "passes"
    expect(t.evidence.noisy).toBe(true);
    expect(await t.decide(cand)).toBe(true);
    expect(t.entry(cand)).toMatchObject({ refused: 5, passed: 1 });
    expect(oracle.calls).toBe(6);
    expect(t.repeats).toBe(5);
  });

  it('reports the noise estimate\'s repeats as "confirm" while the search goes on beside them', async () => {
    const phases: string[] = [];
    const { t } = await tester((s) => s.includes('gamma'), { onProgress: (e) => phases.push(e.phase) });
    await t.start(); // single part: the repeats are owed to the first located span
    t.phases.enter('words');
    await t.payRepeats([[11, 16]]);
    await t.decide([[6, 16]]);
    await t.checkpoint([[11, 16]]);
    expect(phases.filter((p) => p === 'confirm')).toHaveLength(2);
    expect(phases).toContain('words');
  });

  it('turns a budget error into a stop, and sends nothing after it', async () => {
    const { t, oracle } = await tester(() => true, { budget: 1 });
    await t.probe(t.entry([[0, 5]]));
    await expect(t.probe(t.entry([[0, 6]]))).rejects.toBeInstanceOf(Stop);
    await expect(t.probe(t.entry([[0, 7]]))).rejects.toBeInstanceOf(Stop);
    expect(oracle.calls).toBe(1);
    expect(t.scheduler.halted).toBeInstanceOf(Stop);
  });
});

/**
 * The range the estimate gives before a paid run, by example: what the real reducer then takes lies inside it (here
 * the shape of issue 15's defect; `npm run bench:estimate` checks 21 generated inputs), the top grows with the
 * probes in flight, and the line says what a noisy classifier can cost.
 */
import { describe, expect, it } from 'vitest';
import { estimateBisect, expectedProbes, NOISY_FACTOR } from '../../../src/core/bisect/estimate';
import type { Oracle, ProbeInput } from '../../../src/core/probe/oracle/types';
import { reduce } from '../../../src/core/reduce/reducer';
import { filler, predicateOracle } from '../reduce/helpers';

/** An oracle named like `claude -p` (4 in flight, about 20 s a probe by default), never probed here. */
const claude: Oracle = {
  name: 'claude',
  model: 'claude-opus-4-8',
  probe: () => Promise.reject(new Error('not sent: only estimated')),
  estimate: () => ({ inputTokens: 3000, outputTokens: 1, costUsd: 0.02 }),
};

/** 300 lines with two phrases within 40 characters, as the demo's donkey-ad rule refuses them. */
function donkeyFile(): { input: ProbeInput; rule: (t: string) => boolean } {
  const lines = filler(300, 7).split('\n');
  lines[120] = '// the character with a donkey underneath';
  return {
    input: { parts: [{ kind: 'file', text: lines.join('\n'), fileName: 'ad.ts' }] },
    rule: (t) => /character.{0,40}donkey underneath/s.test(t),
  };
}

describe('the estimate\'s range', () => {
  it('holds what the reducer takes on the 300-line file of the defect, at 1 and at 4 in flight', async () => {
    const { input, rule } = donkeyFile();
    for (const concurrency of [1, 4]) {
      const oracle = predicateOracle(rule);
      const out = await reduce(input, oracle, { concurrency });
      expect(out.status).toBe('reduced');
      // The estimate without the draft's reproductions, which reduce does not send.
      const { probes } = estimateBisect(input, oracle, {}, { reproRuns: 0, concurrency });
      expect(oracle.calls, `probes at ${concurrency} in flight`).toBeGreaterThanOrEqual(probes.low);
      expect(oracle.calls, `probes at ${concurrency} in flight`).toBeLessThanOrEqual(probes.high);
    }
  });

  it('leaves room for a trigger in several pieces, but never more than the input has bytes', () => {
    // 10 KB: one phrase takes about 50 probes; the defect's two phrases took 102, five scattered words in 50 KB 148.
    expect(expectedProbes(10_000)).toEqual({ low: 27, high: 144 });
    expect(expectedProbes(50_000).high).toBeGreaterThanOrEqual(148);
    // Eight bytes cannot hide a trigger of 80 characters.
    expect(expectedProbes(8)).toEqual({ low: 12, high: 28 });
  });

  it('adds probes at the top of the range as more go out at once, and fewer rounds', () => {
    const one = estimateBisect(donkeyFile().input, claude, {}, { reproRuns: 0, concurrency: 1 });
    const four = estimateBisect(donkeyFile().input, claude, {}, { reproRuns: 0, concurrency: 4 });
    expect(four.probes.low).toBe(one.probes.low);
    expect(four.probes.high).toBe(Math.ceil(one.probes.high * 1.3));
    expect(four.rounds.high).toBeLessThan(one.rounds.high);
  });

  it('gives the defect\'s user minutes that hold the wait bench:estimate measured', () => {
    const e = estimateBisect(donkeyFile().input, claude, {}, { reproRuns: 0 });
    // defect-300-lines-window at 4 in flight: 38 rounds, about 13 minutes at 20 s a probe (the old line said 3-11).
    expect(e.concurrency).toBe(4);
    expect(e.rounds.low).toBeLessThanOrEqual(38);
    expect(e.rounds.high).toBeGreaterThanOrEqual(38);
    expect(e.line).toContain(`It takes about 3-21 minutes at 4 in flight (${e.rounds.low}-${e.rounds.high} rounds of probes, about 20 s each).`);
  });

  it('says how far a classifier that answers inconsistently can take the run', () => {
    const e = estimateBisect(donkeyFile().input, claude, {}, { reproRuns: 0 });
    expect(e.noisy.probes).toBe(Math.ceil(e.probes.high * NOISY_FACTOR));
    expect(e.noisy.minutes).toBeCloseTo((e.noisy.rounds * 20) / 60);
    expect(e.line).toMatch(/ If the classifier answers inconsistently, it can take up to \d+ probes, about 61 minutes\.$/);
    // One at a time, every noisy probe is a round of its own: past an hour and a half, the line says hours.
    const one = estimateBisect(donkeyFile().input, claude, {}, { reproRuns: 0, concurrency: 1 });
    expect(one.noisy.rounds).toBe(one.noisy.probes);
    expect(one.line).toMatch(/, about \d\.\d hours\.$/);
  });
});

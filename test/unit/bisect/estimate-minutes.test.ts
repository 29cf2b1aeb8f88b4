/**
 * The minutes in the estimate: each oracle's default concurrency, the rounds that concurrency leaves (calibrated on
 * `npm run bench:reduce`'s rounds table) and the oracle's typical seconds per probe.
 */
import { describe, expect, it } from 'vitest';
import { estimateBisect } from '../../../src/core/bisect/estimate';
import { expectedMinutes, independentRounds, reductionRounds, speedup } from '../../../src/core/bisect/rounds';
import { prepareBisect } from '../../../src/core/bisect/run';
import { commandDefaults, ORACLE_DEFAULTS, oracleDefaults, resolveConcurrency } from '../../../src/core/probe/oracle/defaults';
import type { Oracle, ProbeInput } from '../../../src/core/probe/oracle/types';

/** An oracle named like one of ours that prices a probe at 9,000 input tokens and $0.05 (never probed here). */
function named(name: string): Oracle {
  return {
    name,
    model: 'claude-opus-4-8',
    probe: () => Promise.reject(new Error('not sent: only estimated')),
    estimate: () => ({ inputTokens: 9000, outputTokens: 1, costUsd: 0.05 }),
  };
}

const prompt: ProbeInput = { parts: [{ kind: 'prompt', text: 'x'.repeat(18_000) }] };

describe('default concurrency per oracle', () => {
  it('keeps the API under the lowest tier\'s 50 requests a minute, and runs 4 `claude -p` processes', () => {
    expect(ORACLE_DEFAULTS.api).toMatchObject({ concurrency: 2, secondsPerProbe: 3 });
    expect(ORACLE_DEFAULTS.claude).toMatchObject({ concurrency: 4, secondsPerProbe: 20 });
    expect(ORACLE_DEFAULTS.sim.concurrency).toBe(4);
    // 2 in flight at 3 s a probe: about 40 requests a minute.
    expect((60 / ORACLE_DEFAULTS.api.secondsPerProbe!) * ORACLE_DEFAULTS.api.concurrency).toBeLessThan(50);
  });

  it('runs a test command once per core, up to 8, and gives it no time of its own', () => {
    expect(commandDefaults(2).concurrency).toBe(2);
    expect(commandDefaults(2).secondsPerProbe).toBeUndefined();
    expect(commandDefaults(32).concurrency).toBe(8);
    expect(oracleDefaults('custom').concurrency).toBe(1);
  });

  it('lets an explicit concurrency win over the default', () => {
    expect(resolveConcurrency(undefined, 'claude')).toBe(4);
    expect(resolveConcurrency(8, 'claude')).toBe(8);
    expect(resolveConcurrency(undefined, 'api')).toBe(2);
  });
});

describe('rounds and minutes', () => {
  it('divides the probes by the speed-up bench:reduce measured, interpolating between its rows', () => {
    expect(speedup(1)).toEqual({ low: 1, high: 1 });
    expect(speedup(4)).toEqual({ low: 2.45, high: 3.42 });
    const three = speedup(3);
    expect(three.low).toBeGreaterThan(1.6);
    expect(three.high).toBeLessThan(3.42);
    // Not measured past 8: held at 8's figure rather than extrapolated.
    expect(speedup(16)).toEqual(speedup(8));
    // One phrase in 200 KB took 55 probes one at a time and 18 rounds at 4: inside the range the model gives.
    const rounds = reductionRounds({ low: 55, high: 55 }, 4);
    expect(rounds).toEqual({ low: 17, high: 23 });
    expect(independentRounds(9, 4)).toBe(3);
  });

  it('words the minutes as a range, one minute, or under a minute', () => {
    expect(expectedMinutes({ low: 18, high: 30 }, 20).text).toBe('about 6-10 minutes');
    expect(expectedMinutes({ low: 18, high: 20 }, 3).text).toBe('about 1 minute');
    expect(expectedMinutes({ low: 40, high: 90 }, 0.03).text).toBe('under a minute');
  });

  it('shows the minutes at the oracle\'s own concurrency in the one estimate line', () => {
    // 29-148 probes for the reduction at 1 in flight (193 at 4) and 3 of the one reproduction a prompt gets (the message).
    const claude = estimateBisect(prompt, named('claude'));
    expect(claude).toMatchObject({ concurrency: 4, probes: { low: 32, high: 196 }, rounds: { low: 10, high: 62 } });
    expect(claude.line).toContain(' It takes about 3-21 minutes at 4 in flight (10-62 rounds of probes, about 20 s each).');
    // At 8 in flight the same run waits fewer rounds.
    const eight = estimateBisect(prompt, named('claude'), {}, { concurrency: 8 });
    expect(eight.rounds.high).toBeLessThan(claude.rounds.high);
    expect(eight.line).toContain('at 8 in flight');
  });

  it('counts the rounds of the reproductions, the controls and the models\' probes, each sent 4 at a time', () => {
    const plain = estimateBisect(prompt, named('claude'), {}, { reproRuns: 0 });
    const repro = estimateBisect(prompt, named('claude'), {}, { reproRuns: 5 });
    // The message's reproduction, 5 probes sent 4 at a time: 2 more rounds.
    expect(repro.rounds.high - plain.rounds.high).toBe(2);
    const controls = estimateBisect(prompt, named('claude'), {}, { reproRuns: 0, controls: { low: 3, high: 9 } });
    expect(controls.rounds).toEqual({ low: plain.rounds.low + 1, high: plain.rounds.high + 3 });
    const models = estimateBisect(prompt, named('claude'), {}, { reproRuns: 0, evidence: { models: 2, k: 3 } });
    expect(models.rounds.high - plain.rounds.high).toBe(Math.ceil((models.probes.high - plain.probes.high) / 4));
  });

  it('gives a test command rounds, not minutes: its time is the command\'s own', () => {
    const command = estimateBisect(prompt, { name: 'command', probe: named('command').probe }, {}, { concurrency: 2 });
    expect(command.minutes).toBeUndefined();
    expect(command.line).toBe('command: each probe runs the test command and costs nothing. Expect 29-171 probes. It takes 16-93 rounds of probes at 2 in flight, each as long as one run of the command. If the test command answers inconsistently, it can take up to 513 probes in 278 rounds.');
  });

  it('prepares a bisect at the oracle\'s default concurrency unless one is asked for', async () => {
    const auto = await prepareBisect({ source: { kind: 'input', input: prompt }, oracle: named('claude'), cache: false });
    expect(auto.estimate.concurrency).toBe(4);
    const asked = await prepareBisect({ source: { kind: 'input', input: prompt }, oracle: named('claude'), cache: false, concurrency: 1 });
    expect(asked.estimate).toMatchObject({ concurrency: 1, rounds: asked.estimate.probes });
    await Promise.all([auto.close(), asked.close()]);
  });
});

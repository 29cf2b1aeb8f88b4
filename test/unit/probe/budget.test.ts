import { describe, expect, it } from 'vitest';
import { OracleError, type Oracle, type ProbeEstimate, type ProbeInput, type Verdict } from '../../../src/core/probe/oracle/types';
import { Budget } from '../../../src/core/probe/budget';
import { MeteredOracle } from '../../../src/core/probe/meter';

/** An oracle that reports `actual` tokens per probe and estimates `estimated`: the budget must hold either way. */
function counting(estimated: number, actual: (input: ProbeInput) => number): Oracle & { sent: number } {
  const oracle = {
    name: 'counting',
    identity: 'counting',
    sent: 0,
    estimate: (): ProbeEstimate => ({ inputTokens: estimated, outputTokens: 1, costUsd: estimated * 5e-6 }),
    probe: async (input: ProbeInput): Promise<Verdict> => {
      oracle.sent++;
      const tokens = actual(input);
      return { refused: true, usage: { inputTokens: tokens, outputTokens: 1 }, costUsd: tokens * 5e-6, bytesSent: 10, latencyMs: 0 };
    },
  };
  return oracle;
}

const input: ProbeInput = { parts: [{ kind: 'file', text: 'x' }] };

async function spendUntilStopped(meter: MeteredOracle): Promise<OracleError> {
  for (let i = 0; i < 1000; i++) {
    try {
      await meter.probe({ parts: [{ kind: 'file', text: `candidate ${i}` }] });
    } catch (error) {
      return error as OracleError;
    }
  }
  throw new Error('the budget never stopped the run');
}

describe('budgets, checked before sending', () => {
  it('stops at exactly --max-probes paid probes with OracleError budget and a hint', async () => {
    const oracle = counting(100, () => 100);
    const meter = new MeteredOracle(oracle, { budget: { maxProbes: 7 } });
    const error = await spendUntilStopped(meter);
    expect(error.kind).toBe('budget');
    expect(error.hint).toMatch(/--max-probes/);
    expect(oracle.sent).toBe(7);
  });

  it('never passes --max-tokens, even when the first estimate was too low', async () => {
    // The oracle guesses 100 tokens but each probe really costs 300: after one answer the budget scales its guesses.
    const oracle = counting(100, () => 300);
    const meter = new MeteredOracle(oracle, { budget: { maxInputTokens: 2_000 } });
    const error = await spendUntilStopped(meter);
    expect(error.kind).toBe('budget');
    expect(meter.counters.inputTokens).toBeLessThanOrEqual(2_000);
    expect(meter.counters.inputTokens).toBe(1_800);
  });

  it('never passes --max-usd, with several probes in flight reserving their share', async () => {
    const oracle = counting(1_000, () => 1_000);
    const meter = new MeteredOracle(oracle, { budget: { maxUsd: 0.0251 } });
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => meter.probe({ parts: [{ kind: 'file', text: `c${i}` }] })));
    const spent = meter.counters.costUsd;
    expect(spent).toBeLessThanOrEqual(0.0251);
    expect(oracle.sent).toBe(5);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(7);
  });

  it('lets cache hits through after the budget is spent', async () => {
    const { ProbeCache } = await import('../../../src/core/probe/cache');
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'aup-budget-'));
    try {
      const cache = await ProbeCache.open(dir);
      await new MeteredOracle(counting(1, () => 1), { cache }).probe(input);
      const meter = new MeteredOracle(counting(1, () => 1), { cache: await ProbeCache.open(dir), budget: { maxProbes: 0 } });
      expect((await meter.probe(input)).cached).toBe(true);
      await expect(meter.probe({ parts: [{ kind: 'file', text: 'new' }] })).rejects.toMatchObject({ kind: 'budget' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a negative limit', () => {
    expect(() => new Budget({ maxUsd: -1 })).toThrow(/non-negative/);
  });
});

import { describe, expect, it } from 'vitest';
import { OracleError, type Oracle, type ProbeInput, type Verdict } from '../../../src/core/probe/oracle/types';
import { MeteredOracle, type MeterEvent } from '../../../src/core/probe/meter';

/** A slow oracle that records how many probes overlap and honours the abort signal. */
function slow(ms: number): Oracle & { maxInFlight: number } {
  let inFlight = 0;
  const oracle = {
    name: 'slow',
    maxInFlight: 0,
    probe: (input: ProbeInput, signal?: AbortSignal): Promise<Verdict> =>
      new Promise((resolve, reject) => {
        inFlight++;
        oracle.maxInFlight = Math.max(oracle.maxInFlight, inFlight);
        const timer = setTimeout(() => {
          inFlight--;
          resolve({ refused: input.parts[0]!.text.includes('!'), usage: { inputTokens: 5, outputTokens: 1 }, costUsd: 0.001, bytesSent: input.parts[0]!.text.length, latencyMs: ms });
        }, ms);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          inFlight--;
          reject(new OracleError('cancelled', 'aborted'));
        });
      }),
  };
  return oracle;
}

const texts = (n: number): ProbeInput[] => Array.from({ length: n }, (_, i) => ({ parts: [{ kind: 'file' as const, text: `c${i}${i % 2 ? '!' : ''}` }] }));

describe('MeteredOracle', () => {
  it('counts every probe, paid and in flight (the reducer\'s scheduler limits how many are out)', async () => {
    const oracle = slow(30);
    const events: MeterEvent[] = [];
    const meter = new MeteredOracle(oracle, { onEvent: (e) => events.push(e) });
    const verdicts = await Promise.all(texts(10).map((t) => meter.probe(t)));
    expect(oracle.maxInFlight).toBe(10);
    expect(verdicts.filter((v) => v.refused)).toHaveLength(5);
    expect(meter.counters).toMatchObject({ probes: 10, cachedProbes: 0, inputTokens: 50, outputTokens: 10, inFlight: 0 });
    expect(meter.counters.costUsd).toBeCloseTo(0.01, 10);
    expect(events).toHaveLength(10);
    expect(events.at(-1)!.counters.probes).toBe(10);
  });

  it('cancels in-flight probes and every later one with OracleError cancelled, keeping the counts of answered ones', async () => {
    const controller = new AbortController();
    const meter = new MeteredOracle(slow(50), { signal: controller.signal });
    const [first, ...rest] = texts(6);
    await meter.probe(first!);
    const all = rest.map((t) => meter.probe(t));
    setTimeout(() => controller.abort(), 20);
    const settled = await Promise.allSettled(all);
    expect(settled.map((s) => (s.status === 'fulfilled' ? 'answer' : (s.reason as OracleError).kind))).toEqual(Array(5).fill('cancelled'));
    expect(meter.counters).toMatchObject({ probes: 1, inFlight: 0, errors: 5 });
    await expect(meter.probe(texts(1)[0]!)).rejects.toMatchObject({ kind: 'cancelled' });
  });

  it('passes transport errors through without counting them as answers', async () => {
    const failing: Oracle = { name: 'down', probe: () => Promise.reject(new OracleError('network', 'down')) };
    const meter = new MeteredOracle(failing);
    await expect(meter.probe(texts(1)[0]!)).rejects.toMatchObject({ kind: 'network' });
    expect(meter.counters).toMatchObject({ probes: 0, errors: 1 });
  });
});

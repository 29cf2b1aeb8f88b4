import { describe, expect, it } from 'vitest';
import { Phases, Scheduler, Stop, settleAll } from '../../../src/core/reduce/scheduler';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('the scheduler', () => {
  it('keeps at most --concurrency probes in flight, first come first served', async () => {
    const s = new Scheduler(3);
    let inFlight = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        await s.acquire();
        order.push(i);
        inFlight++;
        most = Math.max(most, inFlight);
        await tick();
        inFlight--;
        s.release();
      }),
    );
    expect(most).toBe(3);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('reads a missing, fractional or zero concurrency as at least one', () => {
    expect(new Scheduler(undefined).limit).toBe(1);
    expect(new Scheduler(2.7).limit).toBe(2);
    expect(new Scheduler(0).limit).toBe(1);
  });

  it('lets every promise settle before it rejects, and a stop wins over another failure', async () => {
    let late = false;
    const slow = tick(20).then(() => {
      late = true;
      return 3;
    });
    const failure = settleAll([Promise.reject(new Error('network')), slow, Promise.reject(new Stop('budget reached'))]);
    await expect(failure).rejects.toBeInstanceOf(Stop);
    expect(late).toBe(true);
    await expect(settleAll([Promise.resolve(1), slow])).resolves.toEqual([1, 3]);
  });

  it('runs work beside the search and throws its failure at the next drain', async () => {
    const s = new Scheduler(1);
    const seen: number[] = [];
    s.beside(tick().then(() => 7), (v) => seen.push(v));
    await s.drain();
    expect(seen).toEqual([7]);
    s.beside(Promise.reject(new Error('down')), () => undefined);
    await expect(s.drain()).rejects.toThrow('down');
  });

  it('quiesces: waits for every call on the wire and all work beside the search', async () => {
    const s = new Scheduler(2);
    let settled = 0;
    const call = tick(10).then(() => settled++);
    s.onWire(call);
    call.finally(() => s.offWire(call));
    s.beside(tick(15).then(() => settled++), () => undefined);
    await s.quiesce();
    expect(settled).toBe(2);
  });
});

describe('phase labels', () => {
  it('labels what is issued during a scope, and the phase before it is back afterwards, even on a throw', () => {
    const phases = new Phases('lines');
    const labels: string[] = [];
    phases.during('confirm', () => labels.push(phases.current));
    expect(phases.current).toBe('lines');
    expect(() => phases.during('audit', () => {
      throw new Error('boom');
    })).toThrow('boom');
    expect(phases.current).toBe('lines');
    phases.enter('words');
    expect([...labels, phases.current]).toEqual(['confirm', 'words']);
  });
});

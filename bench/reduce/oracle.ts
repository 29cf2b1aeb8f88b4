/**
 * The bench's one counting oracle: a predicate over the probed request, in process, with optional seeded flips and a
 * simulated latency. Time is simulated, not slept: every probe takes `latencyMs` of virtual time from the moment it
 * is sent; the clock jumps to the next completion once every slot is busy or the caller has gone quiet (nothing new
 * sent for a few real milliseconds). Wall time is then what the run would take against a 1 s oracle.
 */
import type { Oracle, ProbeInput, Verdict } from '../../src/core/probe/oracle/types';
import { seededRandom } from '../../src/sim/noise';

export type Predicate = (input: ProbeInput) => boolean | Promise<boolean>;

export class VirtualClock {
  now = 0;
  private pending: { due: number; resolve: () => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private seen = 0;

  constructor(
    private readonly slots: number,
    private readonly quietMs = 3,
  ) {}

  wait(latencyMs: number): Promise<void> {
    return new Promise((resolve) => {
      this.pending.push({ due: this.now + latencyMs, resolve });
      this.seen++;
      if (this.pending.length >= this.slots) this.advance();
      else this.arm();
    });
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    const seen = this.seen;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (seen === this.seen) this.advance();
      else this.arm();
    }, this.quietMs);
  }

  private advance(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length) return;
    const t = Math.min(...this.pending.map((p) => p.due));
    this.now = t;
    const done = this.pending.filter((p) => p.due <= t);
    this.pending = this.pending.filter((p) => p.due > t);
    for (const p of done) p.resolve();
    if (this.pending.length) this.arm();
  }
}

export interface CountingOracle extends Oracle {
  probes: number;
  bytesSent: number;
  flips: number;
  clock: VirtualClock;
}

export function inputBytes(input: ProbeInput): number {
  let n = 0;
  for (const p of input.parts) n += p.bytes ? p.bytes.byteLength : Buffer.byteLength(p.text);
  return n;
}

export function countingOracle(
  predicate: Predicate,
  opts: { slots: number; latencyMs?: number; flipRate?: number; random?: () => number; quietMs?: number },
): CountingOracle {
  const latency = opts.latencyMs ?? 1000;
  const clock = new VirtualClock(opts.slots, opts.quietMs);
  const oracle: CountingOracle = {
    name: 'bench',
    probes: 0,
    bytesSent: 0,
    flips: 0,
    clock,
    async probe(input: ProbeInput): Promise<Verdict> {
      oracle.probes++;
      const bytes = inputBytes(input);
      oracle.bytesSent += bytes;
      let refused = await predicate(input);
      if (opts.flipRate && opts.random && opts.random() < opts.flipRate) {
        refused = !refused;
        oracle.flips++;
      }
      await clock.wait(latency);
      return { refused, usage: { inputTokens: Math.ceil(bytes / 4), outputTokens: 1 }, costUsd: 0, bytesSent: bytes, latencyMs: latency };
    },
  };
  return oracle;
}

/** Seeded pseudo-random numbers (the stand-in's mulberry32), so every run sees the same flips. */
export const seeded = seededRandom;

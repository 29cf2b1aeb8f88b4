/**
 * Seeded randomness for the stand-in: classifier noise (false negatives and false positives) and response latency.
 * Seeded so a benchmark or test that asks for a 10% noisy classifier gets the same coin flips on every run.
 */

export interface NoiseOptions {
  /** Probability that a request a rule refuses passes anyway. */
  falseNegative?: number;
  /** Probability that a request no rule refuses is refused anyway (category null). */
  falsePositive?: number;
  seed?: number;
}

/** mulberry32: tiny, fast, good enough for coin flips; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type NoiseFlip = 'false-negative' | 'false-positive' | undefined;

export class Noise {
  private readonly random: () => number;
  constructor(private readonly options: NoiseOptions = {}) {
    for (const key of ['falseNegative', 'falsePositive'] as const) {
      const p = options[key];
      if (p !== undefined && !(p >= 0 && p <= 1)) throw new Error(`noise.${key} must be a probability between 0 and 1, got ${p}`);
    }
    this.random = seededRandom(options.seed ?? 1);
  }

  /** Whether to flip the classifier's verdict for this request. Draws one number per request either way. */
  flip(refused: boolean): NoiseFlip {
    const r = this.random();
    if (refused) return r < (this.options.falseNegative ?? 0) ? 'false-negative' : undefined;
    return r < (this.options.falsePositive ?? 0) ? 'false-positive' : undefined;
  }
}

/** A fixed delay or a uniform draw from [min, max] milliseconds. */
export class Latency {
  private readonly random: () => number;
  constructor(private readonly latency: number | [number, number] = 0, seed = 1) {
    const [min, max] = Array.isArray(latency) ? latency : [latency, latency];
    if (!(min >= 0 && max >= min)) throw new Error(`latency must be a number of ms or [min, max] with 0 <= min <= max`);
    this.random = seededRandom(seed ^ 0x9e3779b9);
  }

  next(): number {
    if (!Array.isArray(this.latency)) return this.latency;
    const [min, max] = this.latency;
    return Math.round(min + (max - min) * this.random());
  }
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/**
 * The posterior over an unknown integer position h in [lo, hi] (a boundary of the trigger, or the unit it sits in),
 * from answers that each flip with probability p: the math behind probabilistic bisection (the end searches) and
 * the noisy descent (locate), written once.
 *
 * Each observation is a probed candidate whose answer, were it not for noise, is a function of h that only changes
 * at its cuts; its answer counts weigh every h by p per wrong answer and 1 - p per right one. Between consecutive
 * cuts the likelihood is flat, so the posterior is a handful of segments however wide [lo, hi] is.
 */

export interface Observation {
  /** Where the predicted answer may change: h < cut and h >= cut may differ. */
  readonly cuts: readonly number[];
  /** The answer a noise-free oracle gives if the position is h. */
  refusedIf(h: number): boolean;
  readonly refused: number;
  readonly passed: number;
}

export interface Segment {
  readonly L: number;
  readonly R: number;
  /** Log-likelihood of every h in [L, R]. */
  readonly ll: number;
}

export class Posterior {
  readonly segments: readonly Segment[];
  /** Unnormalised mass of each segment. */
  private readonly weights: number[];
  private readonly total: number;

  /** A flat prior over [lo, hi], times the likelihood of the observations (summed in the order given) at flip rate p. */
  constructor(lo: number, hi: number, observations: readonly Observation[], p: number) {
    const lp = Math.log(p);
    const lq = Math.log(1 - p);
    const cuts = [...new Set(observations.flatMap((o) => o.cuts).filter((c) => c > lo && c <= hi))].sort((x, y) => x - y);
    this.segments = [lo, ...cuts].map((L, j) => {
      const R = j < cuts.length ? cuts[j]! - 1 : hi;
      let ll = 0;
      for (const o of observations) {
        ll += o.refusedIf(L) ? o.refused * lq + o.passed * lp : o.refused * lp + o.passed * lq;
      }
      return { L, R, ll };
    });
    const top = Math.max(...this.segments.map((g) => g.ll));
    this.weights = this.segments.map((g) => (g.R - g.L + 1) * Math.exp(g.ll - top));
    this.total = this.weights.reduce((a, b) => a + b, 0);
  }

  /** The most likely segment (the first of equals) and the share of the mass it holds. */
  map(): { segment: Segment; mass: number } {
    let best = 0;
    for (let j = 1; j < this.segments.length; j++) if (this.segments[j]!.ll > this.segments[best]!.ll) best = j;
    return { segment: this.segments[best]!, mass: this.weights[best]! / this.total };
  }

  /** P(h < c). */
  below(c: number): number {
    let m = 0;
    for (let j = 0; j < this.segments.length; j++) {
      const g = this.segments[j]!;
      if (c > g.R) m += this.weights[j]!;
      else {
        if (c > g.L) m += (this.weights[j]! * (c - g.L)) / (g.R - g.L + 1);
        break;
      }
    }
    return m / this.total;
  }

  /** The cut c in [min, max] with P(h < c) nearest u (the first such, from min up; min when none is nearer). */
  quantile(u: number, min: number, max: number): number {
    let best = min;
    let bestD = Infinity;
    let cum = 0;
    for (let j = 0; j < this.segments.length; j++) {
      const g = this.segments[j]!;
      const w = this.weights[j]!;
      const at = w > 0 ? g.L + ((u * this.total - cum) * (g.R - g.L + 1)) / w : g.L;
      for (const c of [Math.floor(at), Math.ceil(at), g.L, g.R + 1]) {
        if (c < min || c > max) continue;
        const d = Math.abs(this.below(c) - u);
        if (d < bestD - 1e-12) {
          bestD = d;
          best = c;
        }
      }
      cum += w;
    }
    return best;
  }
}

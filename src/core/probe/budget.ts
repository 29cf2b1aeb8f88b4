/**
 * Budgets: max paid probes, max input tokens, max USD, never exceeded. Every probe reserves its estimate BEFORE it is
 * sent; a probe whose estimate would cross a limit (counting what is spent and what other probes in flight have
 * reserved) is refused with OracleError('budget') and never sent. When the answer comes back, the reservation is
 * replaced by the real figures. Estimates are scaled up by the worst ratio of real to estimated figures seen so far,
 * so a low first guess cannot be repeated. Cache hits cost nothing and never touch the budget.
 */
import { OracleError, type ProbeEstimate } from './oracle/types';

export interface BudgetLimits {
  /** Paid probes (cache hits are free). */
  maxProbes?: number;
  /** Input tokens reported by the oracle. */
  maxInputTokens?: number;
  /** USD, from the oracle's reported or price-table cost. */
  maxUsd?: number;
}

export interface BudgetSpent {
  probes: number;
  inputTokens: number;
  costUsd: number;
}

export interface Reservation {
  readonly estimate: ProbeEstimate;
  settled: boolean;
}

export class Budget {
  readonly spent: BudgetSpent = { probes: 0, inputTokens: 0, costUsd: 0 };
  private readonly reserved: BudgetSpent = { probes: 0, inputTokens: 0, costUsd: 0 };
  private tokenScale = 1;
  private costScale = 1;

  /** `resumable`: answers are cached, so the hint can promise that a re-run will not pay for them again. */
  constructor(
    readonly limits: BudgetLimits = {},
    private readonly resumable = true,
  ) {
    for (const [name, value] of Object.entries(limits)) {
      if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
        throw new OracleError('bad-request', `budget ${name} must be a non-negative number, got ${value}`);
      }
    }
  }

  /** The estimate as the budget sees it: the oracle's, scaled by what earlier answers showed. */
  scaled(estimate: ProbeEstimate): ProbeEstimate {
    return {
      inputTokens: Math.ceil(estimate.inputTokens * this.tokenScale),
      outputTokens: estimate.outputTokens,
      costUsd: estimate.costUsd * this.costScale,
    };
  }

  /** Reserves room for one probe, or throws OracleError('budget') saying which limit and what to do. */
  reserve(rawEstimate: ProbeEstimate): Reservation {
    const estimate = this.scaled(rawEstimate);
    const { maxProbes, maxInputTokens, maxUsd } = this.limits;
    const probes = this.spent.probes + this.reserved.probes + 1;
    if (maxProbes !== undefined && probes > maxProbes) {
      throw this.error(`the probe budget is used up (${this.spent.probes} of ${maxProbes} probes sent)`, '--max-probes');
    }
    const tokens = this.spent.inputTokens + this.reserved.inputTokens + estimate.inputTokens;
    if (maxInputTokens !== undefined && tokens > maxInputTokens) {
      throw this.error(
        `the next probe (~${estimate.inputTokens} input tokens) would pass the token budget (${this.spent.inputTokens} of ${maxInputTokens} spent)`,
        '--max-tokens',
      );
    }
    const usd = this.spent.costUsd + this.reserved.costUsd + estimate.costUsd;
    if (maxUsd !== undefined && usd > maxUsd + 1e-12) {
      throw this.error(
        `the next probe (~$${estimate.costUsd.toFixed(4)}) would pass the cost budget ($${this.spent.costUsd.toFixed(4)} of $${maxUsd} spent)`,
        '--max-usd',
      );
    }
    this.reserved.probes += 1;
    this.reserved.inputTokens += estimate.inputTokens;
    this.reserved.costUsd += estimate.costUsd;
    return { estimate, settled: false };
  }

  /** The probe was answered: its real figures replace the reservation, and the estimator learns from them. */
  settle(reservation: Reservation, actual: { inputTokens: number; costUsd: number }, raw?: ProbeEstimate): void {
    if (reservation.settled) return;
    this.release(reservation);
    this.spent.probes += 1;
    this.spent.inputTokens += actual.inputTokens;
    this.spent.costUsd += actual.costUsd;
    const base = raw ?? reservation.estimate;
    if (base.inputTokens > 0 && actual.inputTokens > base.inputTokens * this.tokenScale) {
      this.tokenScale = actual.inputTokens / base.inputTokens;
    }
    if (base.costUsd > 0 && actual.costUsd > base.costUsd * this.costScale) {
      this.costScale = actual.costUsd / base.costUsd;
    }
  }

  /** The probe failed before an answer (transport error, cancel): nothing was billed, the room is given back. */
  release(reservation: Reservation): void {
    if (reservation.settled) return;
    reservation.settled = true;
    this.reserved.probes -= 1;
    this.reserved.inputTokens -= reservation.estimate.inputTokens;
    this.reserved.costUsd -= reservation.estimate.costUsd;
  }

  private error(message: string, flag: string): OracleError {
    return new OracleError(
      'budget',
      message,
      this.resumable
        ? `Raise ${flag} and run the same command again: every answer so far is cached and will not be paid twice.`
        : `Raise ${flag} and run again (with the cache on, a re-run would not pay for these answers twice).`,
    );
  }
}

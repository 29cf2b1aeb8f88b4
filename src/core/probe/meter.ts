/**
 * MeteredOracle: what the reducer actually talks to. It wraps a real oracle with, in this order: cancellation, the
 * persistent cache, the budget check before sending, and counters plus a progress event after every answer.
 * Transport errors pass through as OracleError and are never recorded as answers. It keeps no concurrency limit: the
 * reducer's scheduler (reduce/scheduler.ts) is the one limit on probes in flight, so a slot is taken once, before a
 * probe reaches this wrapper.
 */
import { inputBytes } from './oracle/estimate';
import { OracleError, type Oracle, type ProbeEstimate, type ProbeInput, type Verdict } from './oracle/types';
import { Budget, type BudgetLimits } from './budget';
import { probeKey, type ProbeCache } from './cache';

export interface MeterCounters {
  /** Paid probes: sent to the oracle and answered. */
  probes: number;
  /** Probes answered from the cache. */
  cachedProbes: number;
  inputTokens: number;
  outputTokens: number;
  bytesSent: number;
  costUsd: number;
  /** Probes that failed without an answer (after the oracle's own retries). */
  errors: number;
  /** Probes in flight right now. */
  inFlight: number;
}

export interface MeterEvent {
  type: 'answer';
  refused: boolean;
  cached: boolean;
  /** Bytes of the candidate probed. */
  size: number;
  latencyMs: number;
  counters: MeterCounters;
}

export interface MeterOptions {
  /** Absent: no persistent cache (`--no-cache`). */
  cache?: ProbeCache;
  budget?: Budget | BudgetLimits;
  /** Cancels everything: probes in flight and probes asked after it throw OracleError('cancelled'). */
  signal?: AbortSignal;
  onEvent?: (event: MeterEvent) => void;
  /**
   * "sample" (default): attempt n of an input (ProbeInput.attempt, or the n-th ask in this run) gets the n-th stored
   * answer, and a fresh one from the oracle past those: repeats are independent samples, as votes under noise need,
   * while a re-run of the same reduction replays the stored answers and pays nothing.
   * "memo": every ask gets the first answer ever stored: for oracles known to be deterministic.
   */
  repeatMode?: 'sample' | 'memo';
}

/** Used when the wrapped oracle cannot estimate (a custom oracle): size-based, free. */
const FREE: ProbeEstimate = { inputTokens: 0, outputTokens: 0, costUsd: 0 };

export class MeteredOracle implements Oracle {
  readonly counters: MeterCounters = {
    probes: 0, cachedProbes: 0, inputTokens: 0, outputTokens: 0, bytesSent: 0, costUsd: 0, errors: 0, inFlight: 0,
  };
  readonly budget: Budget;
  /** The budget or cancellation error that stopped the run, if one did (for its hint). */
  stopError?: OracleError;
  private readonly asked = new Map<string, number>();

  constructor(
    readonly inner: Oracle,
    private readonly options: MeterOptions = {},
  ) {
    this.budget = options.budget instanceof Budget ? options.budget : new Budget(options.budget, options.cache !== undefined);
  }

  get name(): string {
    return this.inner.name;
  }
  get model(): string | undefined {
    return this.inner.model;
  }
  get identity(): string | undefined {
    return this.inner.identity;
  }

  estimate(input: ProbeInput): ProbeEstimate {
    return this.inner.estimate?.(input) ?? FREE;
  }

  /** The wrapped oracle's model list (free: not a probe), or undefined when it cannot list. */
  listModels(signal?: AbortSignal): Promise<string[]> | undefined {
    return this.inner.models?.(combine(this.options.signal, signal));
  }

  async probe(input: ProbeInput, signal?: AbortSignal): Promise<Verdict> {
    try {
      return await this.meteredProbe(input, signal);
    } catch (error) {
      if (error instanceof OracleError && (error.kind === 'budget' || error.kind === 'cancelled')) this.stopError ??= error;
      throw error;
    }
  }

  private async meteredProbe(input: ProbeInput, signal?: AbortSignal): Promise<Verdict> {
    const abort = combine(this.options.signal, signal);
    if (abort?.aborted) throw cancelled();
    const cache = this.options.cache;
    const key = probeKey(this.inner.identity ?? this.inner.name, input.model ?? this.inner.model, input);
    // Which stored answer this ask may use: the reducer's attempt number when it gives one, else how often this run
    // has asked (taken synchronously, so two identical probes issued together get two different answers).
    const asked = this.asked.get(key) ?? 0;
    this.asked.set(key, asked + 1);
    const index = this.options.repeatMode === 'memo' ? 0 : typeof input.attempt === 'number' ? input.attempt : asked;

    const stored = cache?.answer(key, index);
    if (stored !== undefined) return this.fromCache(stored, input, cache!.get(key)?.lastCategory, cache!.requestId(key, index));

    const raw = this.estimate(input);
    const reservation = this.budget.reserve(raw);
    this.counters.inFlight++;
    let verdict: Verdict;
    try {
      verdict = await this.inner.probe(input, abort);
    } catch (error) {
      this.budget.release(reservation);
      this.counters.errors++;
      if (abort?.aborted) throw cancelled(error);
      throw error;
    } finally {
      this.counters.inFlight--;
    }
    this.budget.settle(reservation, { inputTokens: verdict.usage.inputTokens, costUsd: verdict.costUsd }, raw);
    const c = this.counters;
    c.probes++;
    c.inputTokens += verdict.usage.inputTokens;
    c.outputTokens += verdict.usage.outputTokens;
    c.bytesSent += verdict.bytesSent;
    c.costUsd += verdict.costUsd;
    if (cache) await cache.record(key, verdict.refused, verdict.usage, verdict.costUsd, verdict.category, verdict.requestId);
    this.emit(verdict.refused, false, inputBytes(input), verdict.latencyMs);
    return verdict;
  }

  /** Writes the cached answers out; the inner oracle stays open (for an oracle the caller owns). */
  async flush(): Promise<void> {
    await this.options.cache?.flush();
  }

  async close(): Promise<void> {
    await this.flush();
    await this.inner.close?.();
  }

  private fromCache(refused: boolean, input: ProbeInput, category: string | null | undefined, requestId: string | undefined): Verdict {
    this.counters.cachedProbes++;
    this.emit(refused, true, inputBytes(input), 0);
    return {
      // The id of the request that gave this answer when it was first asked, so a cached rate still names its requests.
      ...(requestId ? { requestId } : {}),
      refused,
      usage: { inputTokens: 0, outputTokens: 0 },
      costUsd: 0,
      bytesSent: 0,
      latencyMs: 0,
      cached: true,
      category: refused ? (category ?? null) : undefined,
      detail: 'cached answer',
    };
  }

  private emit(refused: boolean, cached: boolean, size: number, latencyMs: number): void {
    this.options.onEvent?.({ type: 'answer', refused, cached, size, latencyMs, counters: { ...this.counters } });
  }
}

function combine(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (!a) return b;
  if (!b) return a;
  return AbortSignal.any([a, b]);
}

function cancelled(cause?: unknown): OracleError {
  return new OracleError('cancelled', 'bisect cancelled', 'Run the same command again to resume: answers so far are cached.', cause ? { cause } : undefined);
}

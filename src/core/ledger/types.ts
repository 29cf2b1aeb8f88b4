/**
 * The refusal ledger's data: one entry per refused turn (a fallback chain counts once, with all its requests),
 * plus the grouped rows the CLI and the webview show. Plain JSON: entries are persisted in the ledger index.
 */
import type { RefusalKind, RefusingModel } from '../refusal/record';

/** Token counts in Anthropic's four billing buckets. */
export interface TokenUsage {
  input: number;
  output: number;
  /** cache_creation_input_tokens (cache writes). */
  cacheWrite: number;
  /** cache_read_input_tokens. */
  cacheRead: number;
}

/**
 * One request that belongs to a refused turn.
 * refused: a request the safeguards refused; retry: the same model tried again; fallback: another model answered.
 */
export interface LedgerRequest {
  role: 'refused' | 'retry' | 'fallback';
  model: string;
  requestId?: string;
  messageId?: string;
  usage: TokenUsage;
  /**
   * True when the transcript carries no usage for this request (a refused request is logged as a "<synthetic>"
   * entry with zero usage) and the input side was estimated from the context size of the request before it.
   */
  estimated: boolean;
}

/** Where an entry's cost came from. */
export type CostSource =
  /** Difference of Claude Code's own cumulative cost-state snapshots taken right before and right after the turn. */
  | 'cost-state'
  /** Token usage priced with the price table (src/core/prices.ts or an override). */
  | 'price-table';

export interface LedgerEntry {
  /** Stable across runs: session + refused user uuid (or the transcript line when there is none). */
  id: string;
  kind: RefusalKind;
  sessionId: string;
  transcript: string;
  /** 1-based line of the last refusal of the chain. */
  line: number;
  /** ISO 8601 time of the first refusal of the chain. */
  timestamp: string;
  /** ISO 8601 time of the user entry the refused request answered (the prompt or tool result). */
  promptTimestamp?: string;
  refusedUserUuid?: string;
  /** The project: the session's cwd, or the decoded projects/<dir> name when no cwd was logged. */
  project: string;
  claudeCodeVersion?: string;
  /** The refusing requests in the order they happened (several for a retry or fallback chain). */
  models: RefusingModel[];
  /** The text the user saw, verbatim (first refusal of the chain). */
  message: string;
  /** Every request of the chain: the refused ones, and the retries and fallbacks they caused. */
  requests: LedgerRequest[];
  usage: TokenUsage;
  costUSD: number;
  costSource: CostSource;
  /** Per model, from the cost-state delta or the price table. */
  costByModel: Record<string, number>;
  /** From the user entry to the last refusal, or to the fallback's answer when there was one. */
  timeLostMs: number;
  /** A fallback or retry answered and the session went on. */
  sessionContinued: boolean;
  /** False while the chain may still grow (end of the transcript reached mid-turn); re-read on the next run. */
  complete: boolean;
}

export type LedgerDimension = 'day' | 'week' | 'model' | 'category' | 'project' | 'version';
export const LEDGER_DIMENSIONS: readonly LedgerDimension[] = ['day', 'week', 'model', 'category', 'project', 'version'];

export interface LedgerRow {
  key: string;
  refusals: number;
  requests: number;
  usage: TokenUsage;
  costUSD: number;
  timeLostMs: number;
}

export interface Trend {
  /** ISO dates (UTC days, end exclusive) of the two periods compared. */
  current: { from: string; to: string; refusals: number; costUSD: number };
  previous: { from: string; to: string; refusals: number; costUSD: number };
  /** Relative change, (current - previous) / previous; null when the previous period had none. */
  refusalsChange: number | null;
  costChange: number | null;
}

export function emptyUsage(): TokenUsage {
  return { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };
}

export function addUsage(into: TokenUsage, add: TokenUsage): TokenUsage {
  into.input += add.input;
  into.output += add.output;
  into.cacheWrite += add.cacheWrite;
  into.cacheRead += add.cacheRead;
  return into;
}

export function totalTokens(u: TokenUsage): number {
  return u.input + u.output + u.cacheWrite + u.cacheRead;
}

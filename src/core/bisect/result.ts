/**
 * The bisect result: what `aup-bisect bisect --json` prints and saves, what the extension shows and stores, and what
 * the report drafts an issue from. Plain JSON. Fields named in the issue come first; the rest carry what a report
 * and the extension need.
 */
import type { RefusalRecord } from '../refusal/record';
import type { PartSummary, ReduceOutcome } from '../reduce/result';

export type { PartSummary };

/** "reduced": trigger found (CLI exit 0); "not-refused": the original did not refuse (exit 2); "stopped": budget,
 * cancellation or a failure after something was learnt (exit 1), `minimal` holding the best candidate so far. */
export type BisectStatus = ReduceOutcome['status'];

export interface BisectResult {
  status: BisectStatus;
  /** The minimal trigger text (the parts' minimal texts joined, when several parts are needed). */
  minimal: string;
  /** Paid probes sent to the oracle in this run (cache hits excluded). */
  probes: number;
  /** Probes answered from the persistent cache. */
  cachedProbes: number;
  inputTokens: number;
  bytesSent: number;
  /** True when removing any single unit at the finest granularity makes the refusal go away (checked). */
  oneMinimal: boolean;
  verification: { refused: number; of: number };
  flipsSeen: number;
  parts: PartSummary[];
  elapsedMs: number;

  outputTokens: number;
  costUsd: number;
  /** Probes repeated to confirm a decision under noise. */
  repeats: number;
  /** The control: the trigger with one unit removed, and how often it passed. */
  control?: { removed: string; passed: number; of: number };
  oracle: string;
  model?: string;
  /** ISO date of the run. */
  date: string;
  /** The original input: where it came from and how big it was (never its whole text). */
  original: { path?: string; fileName?: string; size: number; sha256: string; mediaType?: string };
  /** For PDFs and other structured inputs: the minimal candidate as a valid file, written next to the result. */
  minimalFile?: string;
  /** The refusal this bisect started from (`bisect --refusal ID`). */
  refusal?: RefusalRecord;
  /** Why the run stopped early, if it did (budget reached, cancelled): what was learned so far is still in `minimal`. */
  stoppedEarly?: string;
}

/**
 * The bisect result: what `aup-bisect bisect --json` prints and saves, and what the report drafts an issue from.
 * Plain JSON. Fields named in the issue come first; the rest carry what a report and the extension need.
 */
import type { ProbeInput } from '../oracle/types';
import type { RefusalRecord } from '../refusal/record';

export interface BisectPartSummary {
  index: number;
  kind: string;
  toolName?: string;
  filePath?: string;
  fileName?: string;
  size: number;
  /** Whether this part is needed for the refusal (false: removed whole). */
  needed: boolean;
  /** The minimal text kept from this part (empty when not needed). */
  minimal: string;
  /**
   * The kept atoms of the original part as runs [a0, b0, a1, b1, ...] (text: UTF-16 offsets; PDF: glyph indices):
   * what ties the minimal text back to the original, so redaction can follow the content.
   */
  kept?: number[];
  /** Characters of `minimal` that came from a secret in the original part (src/core/report/trace.ts). */
  secrets?: SecretSpan[];
}

/** A kept piece of an original secret, as offsets into a part's minimal text; `id` is the same for all pieces of one secret. */
export interface SecretSpan {
  start: number;
  end: number;
  kind: string;
  id: number;
}

/** The trigger with its secret-shaped values replaced by same-shape fakes, probed again (src/core/report/fake.ts). */
export interface ShareableTrigger {
  /** The trigger as it can be shown: every traced secret replaced by a fake of the same shape. */
  text: string;
  /** How often the replaced trigger was refused. */
  refused: number;
  of: number;
  /** Kinds that were replaced. */
  kinds: string[];
}

export interface BisectResult {
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
  parts: BisectPartSummary[];
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
  /** Set when the trigger holds a secret: its replaced form and how often that was refused. */
  shareable?: ShareableTrigger;
}


/** Options for the reduction algorithm (src/core/reduce/reducer.ts). Budgets are enforced by the oracle wrapper. */
export interface ReduceOptions {
  /** Probes in flight at once (default 1). */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (event: ReduceProgress) => void;
  /** Runs of the final verification (default 5). */
  verifyRuns?: number;
  /** Times the original is probed before starting, to confirm the refusal and estimate the flip rate (default 3). */
  confirmRuns?: number;
}

export interface ReduceProgress {
  /** e.g. "confirm", "parts", "locate", "lines", "words", "chars", "verify". */
  phase: string;
  /** Oracle calls issued so far by the reducer (cache hits included). */
  probes: number;
  /** Bytes in the best candidate so far, and in the original. */
  currentSize: number;
  originalSize: number;
  best: ProbeInput;
}

export interface ReduceOutcome {
  /** "not-refused": the original did not refuse (CLI exit 2). "stopped": budget or cancellation; `minimal` is the best so far. */
  status: 'reduced' | 'not-refused' | 'stopped';
  minimal: ProbeInput;
  parts: BisectPartSummary[];
  oneMinimal: boolean;
  verification: { refused: number; of: number };
  control?: { removed: string; passed: number; of: number };
  flipsSeen: number;
  repeats: number;
  /** Oracle calls issued by the reducer (the metering wrapper tells paid from cached). */
  probesIssued: number;
  stoppedEarly?: string;
}

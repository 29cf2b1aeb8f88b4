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
  /**
   * The minimal text kept from this part, for reading (empty when not needed): fragments that were apart in the
   * original are joined with a visible gap (` … `). The exact content is `minimalExact` / `fragments`.
   */
  minimal: string;
  /** The kept content exactly, fragments glued as they are sent (for a PDF: the glyphs as a reader shows them). */
  minimalExact?: string;
  /** The kept content as runs contiguous in the original: offset (UTF-16 unit, or glyph index for a PDF), text, glyph codes. */
  fragments?: { offset: number; text: string; codes?: string }[];
}

/**
 * How a bisect ended, in the JSON, the CLI and the views alike (each with its own CLI exit code):
 * - minimal: a trigger that refuses on verification, and every single-unit removal at the finest level was probed;
 * - partial: a smaller trigger that refuses, not shown 1-minimal (some removals unchecked, or a part could only be
 *   kept or dropped whole);
 * - not-attributable: the refusal reproduces but cannot be pinned on part of the content (nothing could be removed
 *   from an input that cannot be split, or the result does not refuse on verification);
 * - not-refused: the original does not refuse, nothing to bisect;
 * - stopped: budget or cancellation; `minimal` is the smallest candidate seen refused so far.
 */
export type BisectStatus = 'minimal' | 'partial' | 'not-attributable' | 'not-refused' | 'stopped';

export interface BisectResult {
  /** How the run ended (see BisectStatus), and why in a sentence. Always written; absent in results saved before it. */
  status?: BisectStatus;
  statusReason?: string;
  /** The minimal trigger text (the parts' minimal texts joined, when several parts are needed). */
  minimal: string;
  /** Paid probes sent to the oracle in this run (cache hits excluded). */
  probes: number;
  /** Probes answered from the persistent cache. */
  cachedProbes: number;
  inputTokens: number;
  bytesSent: number;
  /**
   * True when removing any single unit at the finest granularity (characters, glyphs) makes the refusal go away,
   * each removal checked by a real probe. False whenever a needed part could not be cut that fine (see `limits`).
   */
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
  /** Parts whose finest unit is coarser than a character or a glyph, and why (e.g. an image-only PDF). */
  limits?: { part: number; unit: string; why: string }[];
  /** How parts were read (a PDF decrypted, a broken PDF or JSON cut as text). */
  notes?: { part: number; note: string }[];
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
  /**
   * The reducer's own ending; the bisect result refines "reduced" into minimal / partial / not-attributable.
   * "not-refused": the original did not refuse. "stopped": budget or cancellation; `minimal` is the best so far.
   */
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

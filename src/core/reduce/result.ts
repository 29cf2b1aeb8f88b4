/**
 * What the reduction algorithm takes and gives back: its options, its progress events and its outcome. The words:
 * "reduce" is the algorithm (this folder, ReduceOutcome), "bisect" is the use case around it (src/core/bisect/,
 * BisectResult), which turns a reduce outcome plus the metering figures into the result a user sees.
 */
import type { ProbeInput } from '../probe/oracle/types';

/** What the reduction kept of one part of the request (the bisect result lists one per part). */
export interface PartSummary {
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
  /** The kept content as runs contiguous in the original: offset (UTF-16 unit, or glyph index for a PDF), text, glyph codes, page. */
  fragments?: { offset: number; text: string; codes?: string; page?: number }[];
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

/** Options for the reduction algorithm (src/core/reduce/reducer.ts). Budgets are enforced by the oracle wrapper. */
export interface ReduceOptions {
  /** Probes in flight at once (default 1). */
  concurrency?: number;
  /**
   * Probes a round of the searches (locate: the descent and the end searches) may use, at most concurrency (default
   * 6: tester.ts SEARCH_WIDTH). Fewer probes a round cost more rounds: the trade bench:reduce prints for the one-phrase case. The
   * 1-minimality pass, the verification and group testing still fill every slot (their probes are needed anyway).
   */
  searchWidth?: number;
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
  parts: PartSummary[];
  oneMinimal: boolean;
  verification: { refused: number; of: number };
  control?: { removed: string; passed: number; of: number };
  flipsSeen: number;
  repeats: number;
  /** Oracle calls issued by the reducer (the metering wrapper tells paid from cached). */
  probesIssued: number;
  stoppedEarly?: string;
}

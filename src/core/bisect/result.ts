/**
 * The bisect result: what `aup-bisect bisect --json` prints and saves, what the extension shows and stores, and what
 * the report drafts an issue from. Plain JSON. Fields named in the issue come first; the rest carry what a report
 * and the extension need.
 */
import type { RefusalRecord } from '../refusal/record';
import type { PartSummary } from '../reduce/result';
import type { Attribution } from './attribution';
import type { ModelsEvidence } from './evidence';

export type { PartSummary, Attribution, ModelsEvidence };

/**
 * How a bisect ended, in the JSON, the CLI and the views alike (each with its own CLI exit code); the use case refines
 * the reducer's "reduced" (ReduceOutcome['status']) into minimal / partial / not-attributable:
 * - minimal: a trigger that refuses on verification, and every single-unit removal at the finest level was probed;
 * - partial: a smaller trigger that refuses, not shown 1-minimal (some removals unchecked, or a part could only be
 *   kept or dropped whole);
 * - not-attributable: the refusal reproduces but cannot be pinned on part of the content (nothing could be removed
 *   from an input that cannot be split, or the result does not refuse on verification);
 * - not-refused: the original does not refuse, nothing to bisect;
 * - stopped: budget or cancellation; `minimal` is the smallest candidate seen refused so far.
 */
export type BisectStatus = 'minimal' | 'partial' | 'not-attributable' | 'not-refused' | 'stopped';

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

/**
 * The reproductions a draft can offer, by the request each one sends (src/core/report/repro.ts builds them):
 * - message: the trigger as the one user message (the curl snippet; for a prompt trigger also `claude -p 'TRIGGER'`);
 * - file: the trigger in a file Claude Code is asked to read (`cat > FILE` then `claude -p 'Read FILE ...'`);
 * - pdf-document: the minimal PDF sent as a document block.
 */
export type ReproForm = 'message' | 'file' | 'pdf-document';

/**
 * One reproduction the draft would offer, probed `of` times with exactly the request its snippet sends. `notRun` says
 * why it was not probed (the oracle cannot send that request, the budget ran out); then `of` is 0 and the draft does
 * not offer the snippet.
 */
export interface ReproductionRate {
  form: ReproForm;
  refused: number;
  of: number;
  notRun?: string;
}

export interface BisectResult {
  /** How the run ended (see BisectStatus), and why in a sentence. */
  status: BisectStatus;
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
  parts: PartSummary[];
  elapsedMs: number;

  outputTokens: number;
  costUsd: number;
  /** Probes repeated to confirm a decision under noise. */
  repeats: number;
  /**
   * Attribution first (a refusal rebuilt from a transcript): the content-free control's rate and, when it was refused,
   * the channel flagged (status not-attributable); when it was refused only with the session's id, channel "session"
   * (not-attributable too); otherwise the channel(s) holding the trigger (src/core/bisect/attribution.ts).
   */
  attribution?: Attribution;
  /** The control: the trigger with one unit removed, and how often it passed. */
  control?: { removed: string; passed: number; of: number };
  oracle: string;
  model?: string;
  /** ISO date of the run. */
  date: string;
  /** The original input: where it came from and how big it was (never its whole text). */
  original: {
    path?: string;
    fileName?: string;
    size: number;
    sha256: string;
    mediaType?: string;
    /**
     * For a refusal rebuilt from a transcript, one line on the system prompt the probes carry: "system prompt: ~N tokens
     * (B bytes) from the transcript", or why there was none to replay. Fixed context, not counted in `size`.
     */
    system?: string;
    /**
     * Set when the bisected text was an editor selection (of the file at `path`, or of an untitled buffer): where it
     * sits, as [start, end) in UTF-16 code units of the document's text. `sha256` is then the selected text's, so
     * unblock and the editor can check that the file still holds it there.
     */
    selection?: { start: number; end: number };
  };
  /** For PDFs and other structured inputs: the minimal candidate as a valid file, written next to the result. */
  minimalFile?: string;
  /** The refusal this bisect started from (`bisect --refusal ID`). */
  refusal?: RefusalRecord;
  /** Why the run stopped early, if it did (budget reached, cancelled): what was learned so far is still in `minimal`. */
  stoppedEarly?: string;
  /** Set when the trigger holds a secret: its replaced form and how often that was refused. */
  shareable?: ShareableTrigger;
  /**
   * Every reproduction the draft would offer, each probed with its snippet's exact request. Absent in results made
   * before reproductions were probed: the draft then offers none.
   */
  reproductions?: ReproductionRate[];
  /**
   * Rates across models (`bisect --models`, `aup-bisect evidence`): the trigger, its readable form and a content-free
   * control replayed k times on each model, with request ids, and the regression answer drawn from them.
   */
  evidence?: ModelsEvidence;
  /** Parts whose finest unit is coarser than a character or a glyph, and why (e.g. an image-only PDF). */
  limits?: { part: number; unit: string; why: string }[];
  /** How parts were read (a PDF decrypted, a broken PDF or JSON cut as text). */
  notes?: { part: number; note: string }[];
}

/**
 * The size of the kept content as it is sent (UTF-8 bytes, every needed part's exact text): not of `minimal`, whose
 * visible gaps (` … `) are for reading and would count bytes nobody sends.
 */
export function minimalBytes(result: Pick<BisectResult, 'parts' | 'minimal'>): number {
  const needed = result.parts.filter((p) => p.needed);
  // A result without its parts (hand-written, or saved by an early version) has only the reader's text to go by.
  if (needed.length === 0) return Buffer.byteLength(result.minimal);
  return needed.reduce((n, p) => n + Buffer.byteLength(p.minimalExact ?? p.minimal), 0);
}

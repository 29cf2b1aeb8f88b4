/**
 * One interface for everything that can say "refused" or "passed" about a candidate request: the Anthropic
 * Messages API, `claude -p`, a user's test command, the loopback stand-in. Transport failures (401, 429 after
 * retries, 529, network down, missing binary) are thrown as OracleError (a UserError) and are never verdicts.
 */
import { UserError, type UserErrorKind } from '../../errors';
import type { PartKind } from '../../refusal/record';

/**
 * The first line of Claude Code's own system prompt: the shortest system prompt that still puts the model in the
 * context the refusal happened in, used when the transcript gave us none to replay. Here, beside the contract, so the
 * draft's snippets (src/core/report/repro.ts) send the same one without loading an oracle.
 */
export const MINIMAL_SYSTEM = "You are Claude Code, Anthropic's official CLI for Claude.";

/**
 * A system prompt: one text, or the text blocks of the request it is replayed from, sent block for block. Claude Code
 * sends two (its one-line identity, then the prompt's sections joined by a blank line: the api-request-shape entries
 * of test/fixtures/claude-code, rebuilt by transcript/turn.ts systemPromptBlocks).
 */
export type SystemPrompt = string | readonly string[];

/** The system prompt as one text: blocks joined by a blank line (how the transcript's prompt snapshot is digested). */
export function systemText(system: SystemPrompt | undefined): string {
  if (system === undefined) return '';
  return typeof system === 'string' ? system : system.join('\n\n');
}

export interface ProbePart {
  /** 'file' for a plain file given to `bisect FILE`. */
  kind: PartKind | 'file';
  /** The text of the part. For binary parts (PDF) it is a latin1 view of `bytes`, kept for hashing and display. */
  text: string;
  /** Present for parts that must reach the oracle as bytes (a PDF given to the model as a document). */
  bytes?: Uint8Array;
  /** Original file name, so a test command or a document block keeps the extension (".pdf", ".py"). */
  fileName?: string;
  toolName?: string;
  filePath?: string;
  mediaType?: string;
  /** For a transcript's attachment: Claude Code's attachment type (see RefusalRecord's RequestPart). */
  attachmentType?: string;
}

export interface ProbeInput {
  /** The pieces of the request, in order. A single-file bisect has one part. */
  parts: ProbePart[];
  /** System prompt replayed from the transcript (its blocks, as Claude Code sent them), or the oracle's minimal one when absent. */
  system?: SystemPrompt;
  /** Model override for this probe; otherwise the oracle's configured model. */
  model?: string;
  /**
   * The Claude Code session to send the probe in, as Claude Code names it (only the api oracle sends it: session.ts).
   * Absent, the default: probes go FRESH. Replaying a refused request hundreds of times under the user's own session id
   * could add to what the service holds against that session, so only the attribution's session control sets it.
   */
  session?: { id: string };
  /**
   * 0-based number of a deliberate repeat of the same input (a vote under noise). The probe cache serves the n-th
   * stored answer for attempt n and asks the oracle only past what is stored; never part of the cache key.
   */
  attempt?: number;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export interface Verdict {
  refused: boolean;
  usage: Usage;
  /** Estimated or reported cost in USD (0 for free oracles such as a test command). */
  costUsd: number;
  /** Bytes of candidate content sent (the sum of the parts' sizes). */
  bytesSent: number;
  latencyMs: number;
  requestId?: string;
  /** stop_details.category when the oracle reports it. */
  category?: string | null;
  /** The refusal text or a short reason, for logs and reports. */
  detail?: string;
  /** True when the answer came from the persistent probe cache (nothing was sent, usage and cost are 0). */
  cached?: boolean;
}

/** What a probe is expected to cost, computed before it is sent (budgets are checked against it). */
export interface ProbeEstimate {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface Oracle {
  /** "api", "claude", "command", "sim". */
  readonly name: string;
  /** The model probed, when the oracle has one. */
  readonly model?: string;
  /**
   * Everything besides the input that decides the answers (the test command, the sim's rules, the API host), so the
   * probe cache never mixes answers of different oracles. Never holds a secret.
   */
  readonly identity?: string;
  probe(input: ProbeInput, signal?: AbortSignal): Promise<Verdict>;
  /** A conservative estimate of a probe's usage and cost before sending it (budgets). */
  estimate?(input: ProbeInput): ProbeEstimate;
  /**
   * The model ids this oracle can reach (the API's GET /v1/models), when it can tell; absent for oracles that cannot
   * list (`claude -p`, a test command), whose callers must then say a model was not checked rather than assume it.
   */
  models?(signal?: AbortSignal): Promise<string[]>;
  close?(): Promise<void>;
}

/** The failures an oracle can meet: a subset of the user-facing kinds (src/core/errors.ts). */
export type OracleErrorKind = Extract<
  UserErrorKind,
  'auth' | 'rate-limit' | 'overloaded' | 'network' | 'not-found' | 'bad-request' | 'budget' | 'cancelled' | 'other'
>;

/** A probe that got no answer (transport, auth, budget, cancel): a UserError, so every caller shows its hint. */
export class OracleError extends UserError {
  override readonly name = 'OracleError';
  declare readonly kind: OracleErrorKind;
  constructor(kind: OracleErrorKind, message: string, hint?: string, options?: { cause?: unknown }) {
    super(kind, message, hint, options);
  }
}

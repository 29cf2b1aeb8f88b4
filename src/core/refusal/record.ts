/**
 * The refusal record: one per refused user turn. The detector builds it; bisect, report, ledger and the extension
 * consume it. Keep it plain JSON (it is printed by `scan --json` and saved with bisect results).
 */

/** Which message generation (section 1 of the project's list in signatures.ts) the wording belongs to. */
export type Generation = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'unknown';

/** Which family of message the user saw. "unrecognised": an API error that looks like a refusal but matches no known generation. */
export type RefusalKind = 'usage-policy' | 'safeguards' | 'content-filter' | 'unrecognised';

/** One refusing request in the turn. A fallback chain lists several, in the order they happened. */
export interface RefusingModel {
  /** Wire model id as sent (e.g. "claude-opus-4-8"); "<synthetic>" is never used here. */
  model: string;
  requestId?: string;
  messageId?: string;
  /** stop_details.category / apiRefusalCategory: cyber, bio, frontier_llm, reasoning_extraction, general_harms, or null. */
  category?: string | null;
  explanation?: string | null;
  /** The model Claude Code fell back to after this refusal, if it did. */
  fallbackModel?: string;
}

/** Where a piece of the refused request came from. */
export type PartKind = 'prompt' | 'tool_result' | 'attachment' | 'system_reminder' | 'image' | 'document';

/** How to find a part's exact text again: the transcript line (1-based) and a JSON pointer into that line's object. */
export interface PartSource {
  line: number;
  /** RFC 6901 pointer, e.g. "/message/content/0/content". */
  pointer: string;
  /** Byte offset of that line's start, so the part is read back without counting lines (checked against sha256). */
  offset?: number;
}

export interface RequestPart {
  /** Position in the request, 0-based, in the order the model saw the parts. */
  index: number;
  kind: PartKind;
  /** UTF-8 byte length of the part's text (for binary parts: of the decoded bytes). */
  size: number;
  sha256: string;
  toolName?: string;
  toolUseId?: string;
  /** For Read (and similar) tool results: the file that was read. */
  filePath?: string;
  mediaType?: string;
  /** For attachments (2.1.3xx): Claude Code's attachment type ("environment", "skill_listing", "nested_memory"...). */
  attachmentType?: string;
  source: PartSource;
  /** A short single-line preview, for lists and tree views (never the whole text). */
  preview: string;
}

/**
 * Where the refused request's system prompt is in the transcript: Claude Code 2.1.3xx writes it as an attachment
 * `{"type":"prompt_snapshot","systemPrompt":[...]}` on the turn's chain (src/core/transcript/turn.ts systemPromptText).
 */
export interface SystemPromptSource {
  /** The snapshot's line; the pointer is "/attachment/systemPrompt". */
  source: PartSource;
  /** UTF-8 byte length and sha256 of the system text rebuilt from the snapshot (what the probes send). */
  size: number;
  sha256: string;
}

export interface RefusalRecord {
  /** Stable id: the same refusal scanned twice gets the same id (derived from session, refused user uuid or line). */
  id: string;
  kind: RefusalKind;
  sessionId: string;
  /** Absolute path of the transcript (.jsonl); for terminal detections, the empty string. */
  transcript: string;
  /** 1-based line of the transcript entry that carries the refusal (the last one of a fallback chain). */
  line: number;
  /** ISO 8601. */
  timestamp: string;
  cwd?: string;
  claudeCodeVersion?: string;
  models: RefusingModel[];
  /** The text the user saw (the API Error / safeguards notice), verbatim. */
  message: string;
  refusedUserUuid?: string;
  /** The user's prompt text of the refused turn (may be empty when the turn was a tool result). */
  refusedPrompt?: string;
  parts: RequestPart[];
  /**
   * The system prompt the refused request was sent with: fixed context, replayed with every probe and never reduced.
   * Absent for transcripts written before Claude Code kept prompt snapshots (and for terminal detections).
   */
  system?: SystemPromptSource;
  /** Whether Claude Code fell back and the session went on (generation I), or the turn stopped. */
  sessionContinued?: boolean;
  /**
   * Claude Code's own scope: from model_refusal_fallback, "session" when the main thread fell back and the session's
   * model was swapped ("local": a sub-agent or side question; 2.1.328's schema), so any main-thread refusal; from the
   * wording, "session" for "flagged this session". Not proof that the service holds the session flagged: the
   * bisect asks that itself (attribution.ts, the control with the session's id).
   */
  scope?: 'message' | 'session';
  /**
   * Set when the message matches no known generation (src/core/refusal/signatures.ts): the text, so the new wording
   * can be added. The record still counts when the structure or the anchors say refusal.
   */
  unrecognisedWording?: string;
}

/**
 * A refusal read from text alone: a terminal, a capture, a paste, `claude -p` JSON or stream-json output. What
 * `detect` prints and what the extension keeps for a terminal sighting. Models are as printed ("Opus 4.8").
 */
export interface TerminalRefusal {
  kind: RefusalKind;
  /** The message generation (signatures.ts); 'unknown' for words never seen before. */
  generation: Generation;
  /** The message as shown, wrapped rows joined back. */
  message: string;
  requestId?: string;
  messageId?: string;
  /** The model named in the message, as printed ("Opus 4.8"), or the wire id from JSON output. */
  model?: string;
  /** The model Claude Code switched to (I), or offers to switch to (K). */
  fallbackModel?: string;
  category?: string | null;
  scope?: 'message' | 'session';
  /** Programs that relayed the message ("Agent SDK error"), outermost first. */
  relayedBy?: string[];
  sessionContinued: boolean;
  /** The text, when it matches no known generation. */
  unrecognisedWording?: string;
}

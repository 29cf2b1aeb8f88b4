/**
 * One line of a Claude Code transcript (notes/claude-code.md section 2), as parsed JSON. Every field is optional
 * because versions differ; the refusal classifier, the turn builder and the ledger all read entries through this.
 */

/** The loose shape of a transcript line; every field is optional because versions differ. */
export interface TranscriptEntry {
  type?: string;
  subtype?: string;
  uuid?: string;
  parentUuid?: string | null;
  sessionId?: string;
  timestamp?: string;
  cwd?: string;
  version?: string;
  isSidechain?: boolean;
  isMeta?: boolean;
  isApiErrorMessage?: boolean;
  isCompactSummary?: boolean;
  apiErrorStatus?: number;
  error?: unknown;
  requestId?: string;
  content?: unknown;
  message?: {
    id?: string;
    role?: string;
    model?: string;
    content?: unknown;
    stop_reason?: string | null;
    stop_details?: { type?: string; category?: string | null; explanation?: string | null } | null;
  };
  attachment?: unknown;
  // model_refusal_fallback / model_refusal_no_fallback
  originalModel?: string;
  fallbackModel?: string;
  apiRefusalCategory?: string | null;
  apiRefusalExplanation?: string | null;
  refusedUserMessageUuid?: string | null;
  retractedMessageUuids?: string[];
  /** model_refusal_fallback: "message" (one message flagged) or "session" (the whole session). */
  scope?: string;
  // synthetic refusal messages (2.1.328)
  refusingModel?: string;
  refusedMessageId?: string;
  /** Entries Claude Code adds around a retry ("your response above was stopped"), not the user's content. */
  turnCompanion?: boolean;
  isVirtual?: boolean;
  rendered?: unknown;
  [key: string]: unknown;
}

/** The text of an entry's content: a string, or the text blocks of a content array joined. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const block of content) {
    if (block && typeof block === 'object' && (block as { type?: unknown }).type === 'text') {
      const text = (block as { text?: unknown }).text;
      if (typeof text === 'string') texts.push(text);
    }
  }
  return texts.join('\n');
}


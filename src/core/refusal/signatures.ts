/**
 * The wording layer: recognise the text of a Claude Code refusal, every generation in
 * ../shared/notes/claude-code.md section 1 (A-J). Transcript classification decides by structure first and only asks
 * this module what the text says; the terminal scanner has nothing but text, so it relies on it fully.
 *
 * The message must START the text (after white space): a refusal quoted inside a longer prompt or file is not one.
 */
import type { RefusalKind } from './record';

export type Generation = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'unknown';

export interface RefusalTextMatch {
  kind: RefusalKind;
  /** The message generation (notes section 1); 'unknown' for an unrecognised refusal-like API error. */
  generation: Generation;
  requestId?: string;
  messageId?: string;
  /** `Details: [cyber]` or implied by the wording (generation H is always cyber). */
  category?: string;
  /** The model named in the message, as printed ("Opus 4.8"). */
  modelLabel?: string;
  /** Generation I: the model Claude Code switched to, as printed. */
  fallbackModelLabel?: string;
  /** The API's explanation when the message splices it in (generation E). */
  explanation?: string;
  /** True when Claude Code went on with another model (generation I). */
  sessionContinued: boolean;
}

const REQUEST_ID = /\b(req_[A-Za-z0-9]{6,})\b/;
const MESSAGE_ID = /Message ID:\s*(msg_[A-Za-z0-9]+)/;
const DETAILS = /Details:\s*`?\[([\w-]+)\]`?/;
const REQUEST_ID_LINE = /(^|\n)\s*Request ID:\s*req_[A-Za-z0-9]+/;

const COMPACTION = /^(?:Error:\s*)?Error during compaction:\s*/;
const CONTENT_FILTER = /^API Error:[\s\S]{0,200}?Output blocked by content filtering policy/;
const USAGE_POLICY = /^API Error: Claude(?: Code)? is unable to respond to this request, which appears to violate our Usage Policy/;
// Generation H: "Opus 4.8's safeguards flagged this message for a cybersecurity topic" / "... has safety measures that flagged".
const CYBER_TOPIC = /^API Error: (.{1,40}?)(?:'s safeguards flagged this message for a cybersecurity topic| has safety measures that flagged this message)/;
// Generation J: the hard stop, every wording seen (message / session, with or without the AUP link, "can't help").
const HARD_STOP = /^API Error: (.{1,40}?)(?:'s safeguards flagged this (?:message|session)\b| can't help with this\.)/;
// Generation I: the automatic fallback notice; not an API error, the session goes on.
// "Switched to Opus 4.8." (mid-2026) or "Opus 4.8 is answering instead" (2.1.328).
const FALLBACK_NOTICE = /^(.{1,40}?)'s safeguards flagged this (?:message|session)\b[\s\S]*?(?:\bSwitched to ([^.\n]+(?:\.\d+)?[^.\n]*)\.|(?:^|[.!?]\s+)([^.\n]{1,40}?(?:\.\d+)?[^.\n]{0,20}?) is answering instead)/;

/** Words that make an API error look like a refusal. An API error with one of these but no known wording is "unrecognised". */
const REFUSAL_ANCHORS = /Usage Policy|legal\/aup|safeguards|safety measures|can't help with this|content filtering|violat(?:e|es|ion)\b/i;

function extras(text: string): Pick<RefusalTextMatch, 'requestId' | 'messageId' | 'category'> {
  const out: Pick<RefusalTextMatch, 'requestId' | 'messageId' | 'category'> = {};
  const req = REQUEST_ID.exec(text);
  if (req) out.requestId = req[1];
  const msg = MESSAGE_ID.exec(text);
  if (msg) out.messageId = msg[1];
  const details = DETAILS.exec(text);
  if (details) out.category = details[1];
  return out;
}

/** "This model" is what Claude Code prints when it has no name for the model: not a label. */
function label(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  return value && !/^this model$/i.test(value) ? value : undefined;
}

/** Recognise a refusal message. Returns undefined for anything else, including every non-refusal API error. */
export function matchRefusalText(text: string): RefusalTextMatch | undefined {
  const trimmed = text.replace(/^\s+/, '');
  const compaction = COMPACTION.exec(trimmed);
  if (compaction) {
    const inner = matchRefusalText(trimmed.slice(compaction[0].length));
    return inner ? { ...inner, generation: 'G' } : undefined;
  }
  if (CONTENT_FILTER.test(trimmed)) {
    return { kind: 'content-filter', generation: 'A', ...extras(trimmed), sessionContinued: false };
  }
  if (USAGE_POLICY.test(trimmed)) {
    const restriction = /This request triggered restrictions on [^.]*\.(?:[^.]*was blocked under Anthropic's Usage Policy\.)?/.exec(trimmed);
    let generation: Generation = 'B';
    if (REQUEST_ID_LINE.test(trimmed)) generation = 'F';
    else if (restriction) generation = 'E';
    else if (/If you are seeing this refusal repeatedly/.test(trimmed)) generation = 'C';
    else if (/Try rephrasing the request/.test(trimmed)) generation = 'D';
    const match: RefusalTextMatch = { kind: 'usage-policy', generation, ...extras(trimmed), sessionContinued: false };
    if (restriction) match.explanation = restriction[0];
    return match;
  }
  const cyber = CYBER_TOPIC.exec(trimmed);
  if (cyber) {
    const match: RefusalTextMatch = { kind: 'safeguards', generation: 'H', category: 'cyber', ...extras(trimmed), sessionContinued: false };
    const modelLabel = label(cyber[1]);
    if (modelLabel) match.modelLabel = modelLabel;
    return match;
  }
  const hard = HARD_STOP.exec(trimmed);
  if (hard) {
    const match: RefusalTextMatch = { kind: 'safeguards', generation: 'J', ...extras(trimmed), sessionContinued: false };
    const modelLabel = label(hard[1]);
    if (modelLabel) match.modelLabel = modelLabel;
    return match;
  }
  const fallback = FALLBACK_NOTICE.exec(trimmed);
  if (fallback) {
    const match: RefusalTextMatch = { kind: 'safeguards', generation: 'I', ...extras(trimmed), sessionContinued: true };
    const modelLabel = label(fallback[1]);
    if (modelLabel) match.modelLabel = modelLabel;
    match.fallbackModelLabel = (fallback[2] ?? fallback[3]).trim();
    return match;
  }
  if (/^API Error\b/.test(trimmed) && looksLikeRefusal(trimmed)) {
    return { kind: 'unrecognised', generation: 'unknown', ...extras(trimmed), sessionContinued: false };
  }
  return undefined;
}

/** Non-refusal API failures that can still carry a loose anchor word (e.g. a 429 body mentioning a policy page). */
const NOT_REFUSAL = /rate_limit_error|overloaded_error|authentication_error|permission_error|\b(?:401|403|429|500|502|503|529)\b|Prompt is too long|Connection error|Request timed out|credit balance|usage limit/i;

/** A refusal-like API error text: an anchor word and none of the known non-refusal failures. */
export function looksLikeRefusal(text: string): boolean {
  return REFUSAL_ANCHORS.test(text) && !NOT_REFUSAL.test(text);
}

/**
 * Wire model id for a printed label: "Opus 4.8" -> "claude-opus-4-8". Claude Code prints the family and version of
 * the model it sent, and its wire ids are "claude-" + that, lower-cased, dots as dashes.
 */
export function modelIdFromLabel(modelLabel: string): string {
  const slug = modelLabel.trim().toLowerCase().replace(/^claude\s+/, '').replace(/[\s.]+/g, '-');
  return `claude-${slug}`;
}

/** The part of a wire id that a label maps to, for matching "Opus 4.8" against "claude-opus-4-8-20260101". */
export function sameModel(modelId: string, modelLabel: string): boolean {
  return modelId.toLowerCase().includes(modelIdFromLabel(modelLabel).slice('claude-'.length));
}

/** The result object `claude -p --output-format json` prints (notes section 3). */
export interface PrintResult {
  type?: string;
  is_error?: boolean;
  stop_reason?: string | null;
  terminal_reason?: string;
  safety_stops?: number;
  result?: string;
  session_id?: string;
  total_cost_usd?: number;
}

/**
 * A `claude -p --output-format json` result: a refusal when stop_reason is "refusal" (structure), when it is an
 * error whose text is a known refusal message (older versions), or when it succeeded after safety stops (the
 * fallback model answered). Returns the wording match, or undefined.
 */
export function matchPrintResult(result: PrintResult): RefusalTextMatch | undefined {
  const text = typeof result.result === 'string' ? result.result : '';
  const match = matchRefusalText(text);
  if (result.stop_reason === 'refusal') {
    return match ?? { kind: 'unrecognised', generation: 'unknown', ...extras(text), sessionContinued: false };
  }
  if (result.is_error === true && match) return match;
  // Refused, then answered by the fallback model: the result is a success, but it counts its safety stops.
  if (typeof result.safety_stops === 'number' && result.safety_stops > 0 && result.is_error !== true) {
    return { kind: 'safeguards', generation: 'I', sessionContinued: true };
  }
  return undefined;
}

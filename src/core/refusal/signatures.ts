/**
 * The wording layer: recognise the text of a Claude Code refusal. Transcript classification decides by structure
 * first and only asks this module what the text says; the terminal scanner has nothing but text, so it relies on it.
 *
 * The project's list of generations (../shared/notes/claude-code.md section 1; add new ones here and to
 * test/support/messages.ts, which holds each verbatim):
 *   A  content filter: "API Error: 400 ... Output blocked by content filtering policy" (also the short form)
 *   B  "API Error: Claude Code is unable to respond to this request, which appears to violate our Usage Policy ..."
 *   C  B + "If you are seeing this refusal repeatedly, try running /model ..."
 *   D  B's head + "Try rephrasing the request or attempting a different approach." (-p, Agent SDK)
 *   E  B with the API's explanation spliced in ("This request triggered restrictions on ...")
 *   F  B with "Request ID: req_..." on its own line
 *   G  a refused compaction: "Error: Error during compaction: [Error: ]API Error: ..." (any depth of "Error: ")
 *   H  "API Error: <Model>'s safeguards flagged this message for a cybersecurity topic" / "... has safety measures that flagged"
 *   I  automatic fallback, the session goes on: "<Model>'s safeguards flagged this message ... Switched to <Model>."
 *      (also "This model has measures that flagged something in this session ... Switched to ...", and 2.1.328's
 *      "... <Model> is answering instead")
 *   J  hard stop: "API Error: <Model>'s safeguards flagged this message|session ...", "API Error: <Model> can't help with this."
 *   K  "Session paused" (automatic switching off): "<Model>'s safeguards flagged this message. ..." then a choice
 *      "1. Switch to <Model>" / "2. Edit prompt and retry with <Model>"; no "API Error", no "Switched to"
 * Other programs relay the message behind their own prefixes ("Agent SDK error: Claude Code returned an error result: ",
 * "ACP error: Internal error: "): every prefix segment that names an error is read through.
 *
 * The message must START the text (after white space and relay prefixes): a refusal quoted inside a longer prompt or
 * file is not one.
 */
import type { Generation, RefusalKind } from './record';

export type { Generation };

export interface RefusalTextMatch {
  kind: RefusalKind;
  /** The message generation (see above); 'unknown' for a refusal-like API error in words never seen before. */
  generation: Generation;
  requestId?: string;
  messageId?: string;
  /** `Details: [cyber]` or implied by the wording (generation H is always cyber). */
  category?: string;
  /** The model named in the message, as printed ("Opus 4.8"). */
  modelLabel?: string;
  /** Generation I: the model Claude Code switched to; K: the model it offers to switch to. */
  fallbackModelLabel?: string;
  /** The API's explanation when the message splices it in (generation E). */
  explanation?: string;
  /** "flagged this session": the whole session is flagged, not one message. */
  scope?: 'message' | 'session';
  /** The relay prefixes read through ("Agent SDK error", "Claude Code returned an error result"), outermost first. */
  relayedBy?: string[];
  /** True when Claude Code went on with another model (generation I). */
  sessionContinued: boolean;
}

const REQUEST_ID = /\b(req_[A-Za-z0-9]{6,})\b/;
const MESSAGE_ID = /Message ID:\s*(msg_[A-Za-z0-9]+)/;
const DETAILS = /Details:\s*`?\[([\w-]+)\]`?/;
const REQUEST_ID_LINE = /(^|\n)\s*Request ID:\s*req_[A-Za-z0-9]+/;

/**
 * A model as Claude Code prints it: "Opus 4.8", "Fable 5.1", "Opus 5 (1M context)", "This model". Capitalised
 * words only, so source code holding the sentence (`NOTICE = "Fable 5's ...`) does not pass for a label.
 */
const LABEL = String.raw`[A-Z][\w.-]*(?: [\w.-]+){0,3}(?: \([^()\n]{1,30}\))?`;
const APOS = "['’]";
/** One relay prefix segment ("Agent SDK error: ", "Error: ", "Error during compaction: "): words, a colon, a space. */
const RELAY_SEGMENT = /^([A-Za-z][A-Za-z0-9 _'-]{0,60}?):[ \t]+/;
const CONTENT_FILTER = /^API Error:[\s\S]{0,200}?Output blocked by content filtering policy/;
const USAGE_POLICY = /^API Error: Claude(?: Code)? is unable to respond to this request, which appears to violate our Usage Policy/;
const CYBER_TOPIC = new RegExp(`^API Error: (${LABEL})(?:${APOS}s safeguards flagged this message for a cybersecurity topic| has safety measures that flagged this message)`);
const HARD_STOP = new RegExp(`^API Error: (${LABEL})(?:${APOS}s safeguards flagged this (message|session)\\b| can${APOS}t help with this\\.)`);
/** The notice without "API Error": generation I (switched) or K (paused, asking). */
const NOTICE_HEAD = new RegExp(`^(${LABEL})(?:${APOS}s safeguards flagged this (message|session)\\b| has (?:safety )?measures that flagged (?:this (message)|something in this (session))\\b)`);
/** The first words of a notice, which a wrapped first row may end after. */
const NOTICE_START = new RegExp(`^(${LABEL})(?:${APOS}s safeguards\\b| has (?:safety )?measures\\b)`);
const SWITCHED = /\bSwitched to ([^\n]+?)\.(?:\s|$)|(?:^|[.!?]\s+)([^.\n]{1,40}?(?:\.\d+)?[^.\n]{0,20}?) is answering instead/;
const SWITCH_CHOICE = /(?:^|\n)\s*(?:[❯>›]\s*)?\d\.\s*Switch to ([^\n]+?)\s*(?:\n|$)/;

/** Words that make an API error look like a refusal. An API error with one of these but no known wording is "unrecognised". */
const REFUSAL_ANCHORS = /Usage Policy|legal\/aup|safeguards|safety measures|measures that flagged|can['’]t help with this|content filtering|violat(?:e|es|ion)\b/i;

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

/** Read through relay prefixes up to "API Error"; a segment that names no error is not a relay, so nothing is stripped. */
function stripRelays(text: string): { rest: string; relays: string[] } {
  let rest = text;
  const relays: string[] = [];
  for (let depth = 0; depth < 8 && !rest.startsWith('API Error'); depth++) {
    const segment = RELAY_SEGMENT.exec(rest);
    if (!segment || !/error/i.test(segment[1])) break;
    relays.push(segment[1]);
    rest = rest.slice(segment[0].length);
  }
  return rest.startsWith('API Error') ? { rest, relays } : { rest: text, relays: [] };
}

/**
 * Whether a line begins a refusal message (after relay prefixes): the terminal scanner's cheap test for where a
 * message starts. Anything it accepts still has to pass matchRefusalText.
 */
export function startsRefusal(line: string): boolean {
  const { rest } = stripRelays(line);
  return rest.startsWith('API Error') || NOTICE_START.test(rest) || /^Error during compaction:/.test(rest);
}

/** Recognise a refusal message. Returns undefined for anything else, including every non-refusal API error. */
export function matchRefusalText(text: string): RefusalTextMatch | undefined {
  const { rest: trimmed, relays } = stripRelays(text.replace(/^\s+/, ''));
  const match = matchBare(trimmed);
  if (!match || relays.length === 0) return match;
  const compaction = relays.some((r) => /compaction/i.test(r));
  const relayedBy = relays.filter((r) => !/^error$|compaction/i.test(r));
  const out: RefusalTextMatch = { ...match };
  if (compaction) out.generation = 'G';
  if (relayedBy.length > 0) out.relayedBy = relayedBy;
  return out;
}

function matchBare(trimmed: string): RefusalTextMatch | undefined {
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
    if (hard[2]) match.scope = hard[2] === 'session' ? 'session' : 'message';
    return match;
  }
  const notice = NOTICE_HEAD.exec(trimmed);
  if (notice) {
    const switched = SWITCHED.exec(trimmed);
    const choice = switched ? undefined : SWITCH_CHOICE.exec(trimmed);
    const match: RefusalTextMatch = { kind: 'safeguards', generation: switched ? 'I' : 'K', ...extras(trimmed), sessionContinued: switched !== null };
    const modelLabel = label(notice[1]);
    if (modelLabel) match.modelLabel = modelLabel;
    match.scope = notice[2] === 'session' || notice[4] ? 'session' : 'message';
    const to = switched ? (switched[1] ?? switched[2]) : choice?.[1];
    if (to) match.fallbackModelLabel = to.trim();
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

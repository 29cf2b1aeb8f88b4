/**
 * Refusals in JSON output, decided from its structure (notes/claude-code.md sections 2-3): a `claude -p
 * --output-format json` result, `--output-format stream-json` lines, or transcript lines pasted into a file.
 * `stop_reason: "refusal"` and the model_refusal_* system records say refusal whatever the wording;
 * `model_fallback` (overload, model not found) and `model_consent_fallback` (usage credits) are not refusals.
 */
import type { TranscriptEntry } from '../transcript/entry';
import { classifyEntry, type RefusalEvent } from './classify';
import type { TerminalRefusal } from './record';
import { matchPrintResult, matchRefusalText, type PrintResult } from './signatures';
import { refusalFromMatch } from './terminal';

type Json = Record<string, unknown>;

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** A field that stream-json spells in snake_case and the transcript in camelCase. */
function field(o: Json, camel: string): unknown {
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return o[camel] ?? o[snake];
}

/** What a model_refusal_* record (stream-json or transcript) says. */
function refusalSystem(o: Json): RefusalEvent | undefined {
  if (o.type !== 'system' || (o.subtype !== 'model_refusal_fallback' && o.subtype !== 'model_refusal_no_fallback')) return undefined;
  const scope = str(o.scope);
  const event: RefusalEvent = {
    effect: o.subtype === 'model_refusal_fallback' ? 'fallback' : 'stop',
    structural: true,
    model: str(field(o, 'originalModel')),
    fallbackModel: str(field(o, 'fallbackModel')),
    requestId: str(field(o, 'requestId')),
    category: (field(o, 'apiRefusalCategory') as string | null | undefined) ?? null,
    explanation: (field(o, 'apiRefusalExplanation') as string | null | undefined) ?? null,
  };
  if (scope === 'session' || scope === 'message') event.scope = scope;
  const text = str(o.content);
  if (text) event.message = text;
  return event;
}

/**
 * Every refusal in a sequence of parsed JSON objects, in order. A `result` object ends a run (one per `claude -p`);
 * the model_refusal_* records before it lend it their request id, model and category. Transcript-shaped lines are
 * classified as the transcript scanner does; their fallback events join the stop that follows.
 */
export function refusalsFromJson(objects: Iterable<Json>): TerminalRefusal[] {
  const found: TerminalRefusal[] = [];
  let pending: RefusalEvent[] = [];
  // Without a result line, each stop ends one refused turn (transcript lines); fallbacks before it join it.
  const flushTurns = (): void => {
    let group: RefusalEvent[] = [];
    for (const event of pending) {
      group.push(event);
      if (event.effect === 'stop') {
        found.push(fromEvents(group));
        group = [];
      }
    }
    if (group.length > 0) found.push(fromEvents(group));
    pending = [];
  };
  for (const o of objects) {
    if (o.type === 'result' || ('is_error' in o && 'result' in o)) {
      const result = o as PrintResult;
      const match = matchPrintResult(result);
      if (match) found.push(enrich(refusalFromMatch(match, typeof result.result === 'string' ? result.result : ''), pending));
      else if (result.is_error === true && pending.length > 0) found.push(fromEvents(pending));
      pending = [];
      continue;
    }
    const event = refusalSystem(o) ?? (typeof o.uuid === 'string' || typeof o.sessionId === 'string' ? classifyEntry(o as TranscriptEntry) : undefined);
    if (event) pending.push(event);
  }
  // Lines with no result line after them: transcript lines, or a run that was killed.
  if (pending.length > 0) flushTurns();
  return found;
}

/** Fill what the result text did not say from the structured records of the same run. */
function enrich(refusal: TerminalRefusal, events: RefusalEvent[]): TerminalRefusal {
  const last = [...events].reverse();
  const out = { ...refusal };
  out.requestId ??= last.find((e) => e.requestId)?.requestId;
  out.model ??= last.find((e) => e.model)?.model;
  if (out.category == null) out.category = last.find((e) => e.category)?.category ?? out.category;
  // A flagged session outweighs the wording of the last message.
  if (events.some((e) => e.scope === 'session')) out.scope = 'session';
  for (const key of Object.keys(out) as Array<keyof TerminalRefusal>) if (out[key] === undefined) delete out[key];
  return out;
}

function fromEvents(events: RefusalEvent[]): TerminalRefusal {
  const shown = [...events].reverse().find((e) => e.message) ?? events[events.length - 1];
  const message = shown.message ?? '';
  const match = message ? matchRefusalText(message) : undefined;
  const base: TerminalRefusal = match
    ? refusalFromMatch(match, message)
    : { kind: 'safeguards', generation: 'unknown', message, sessionContinued: false, ...(message ? { unrecognisedWording: message } : {}) };
  base.sessionContinued = events.every((e) => e.effect === 'fallback');
  return enrich(base, events);
}

/**
 * Parse output that may be JSON: one object (pretty-printed or not) or one object per line. Returns undefined when
 * it is not JSON at all (terminal text); lines that do not parse are skipped.
 */
export function parseJsonOutput(text: string): Json[] | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const whole: unknown = JSON.parse(trimmed);
    return whole && typeof whole === 'object' && !Array.isArray(whole) ? [whole as Json] : undefined;
  } catch {
    // Not one object: NDJSON / stream-json.
  }
  const objects: Json[] = [];
  for (const line of trimmed.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(t);
      if (value && typeof value === 'object' && !Array.isArray(value)) objects.push(value as Json);
    } catch {
      // A cut-off line: skipped.
    }
  }
  return objects.length > 0 ? objects : undefined;
}

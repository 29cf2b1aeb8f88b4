/**
 * The structure layer: decide from a transcript entry's shape whether it records a refusal (notes section 2), and
 * only then ask the wording layer what the text says. User entries, tool results, attachments and ordinary
 * assistant replies are never refusals, whatever text they quote.
 */
import type { RefusalKind } from './record';
import { contentText, type TranscriptEntry } from '../transcript/entry';
import { matchRefusalText, type RefusalTextMatch } from './signatures';

/** One refusing request, as one transcript entry tells it. A turn's events are merged into one record. */
export interface RefusalEvent {
  /** 'fallback': Claude Code switched model and went on; 'stop': the turn ended refused. */
  effect: 'fallback' | 'stop';
  /** Set when the decision came from structure (stop_reason, system subtype) rather than from wording alone. */
  structural: boolean;
  kind?: RefusalKind;
  match?: RefusalTextMatch;
  /** The text the user saw, when the entry carries it. */
  message?: string;
  model?: string;
  modelLabel?: string;
  fallbackModel?: string;
  requestId?: string;
  messageId?: string;
  category?: string | null;
  explanation?: string | null;
  /** "session": the main thread fell back (model_refusal_fallback scope), or the wording says "flagged this session". */
  scope?: 'message' | 'session';
  /** Where to start walking back to the turn's prompt. */
  refusedUserUuid?: string;
  parentUuid?: string;
}

const SYNTHETIC = '<synthetic>';

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function fromMatch(event: RefusalEvent, match: RefusalTextMatch | undefined): RefusalEvent {
  if (!match) return event;
  event.match = match;
  event.kind = match.kind;
  event.requestId ??= match.requestId;
  event.messageId ??= match.messageId;
  if (event.category == null && match.category) event.category = match.category;
  if (event.explanation == null && match.explanation) event.explanation = match.explanation;
  event.modelLabel ??= match.modelLabel;
  event.scope ??= match.scope;
  return event;
}

const LOCAL_COMMAND_OUTPUT = /^\s*<local-command-(?:stderr|stdout)>([\s\S]*)<\/local-command-(?:stderr|stdout)>\s*$/;

/** Classify one parsed transcript entry. Undefined: not a refusal. */
export function classifyEntry(entry: TranscriptEntry): RefusalEvent | undefined {
  if (entry.type === 'system') return classifySystem(entry);
  if (entry.type === 'assistant') return classifyAssistant(entry);
  if (entry.type === 'user') return classifyLocalCommand(entry);
  return undefined;
}

function classifySystem(entry: TranscriptEntry): RefusalEvent | undefined {
  const text = typeof entry.content === 'string' ? entry.content : '';
  if (entry.subtype === 'model_refusal_fallback' || entry.subtype === 'model_refusal_no_fallback') {
    const event: RefusalEvent = {
      effect: entry.subtype === 'model_refusal_fallback' ? 'fallback' : 'stop',
      structural: true,
      model: str(entry.originalModel),
      fallbackModel: str(entry.fallbackModel),
      requestId: str(entry.requestId),
      category: entry.apiRefusalCategory ?? null,
      explanation: entry.apiRefusalExplanation ?? null,
      refusedUserUuid: str(entry.refusedUserMessageUuid),
      parentUuid: str(entry.parentUuid),
    };
    if (entry.scope === 'session' || entry.scope === 'message') event.scope = entry.scope;
    if (text.trim() !== '') event.message = text;
    return fromMatch(event, matchRefusalText(text));
  }
  // Other system entries count only for wordings that are refusals by themselves: a compaction that was refused,
  // or an automatic-fallback notice written by a version without the structured subtype.
  const match = matchRefusalText(text);
  if (!match || (match.generation !== 'G' && match.generation !== 'I')) return undefined;
  return fromMatch(
    { effect: match.sessionContinued ? 'fallback' : 'stop', structural: false, message: text, parentUuid: str(entry.parentUuid) },
    match,
  );
}

function classifyAssistant(entry: TranscriptEntry): RefusalEvent | undefined {
  const message = entry.message;
  if (!message) return undefined;
  const text = contentText(message.content);
  // 2.1.328 names the refusing model and the refused message on the synthetic entry itself.
  const model = str(entry.refusingModel) ?? (message.model && message.model !== SYNTHETIC ? message.model : undefined);
  const messageId = str(entry.refusedMessageId) ?? (str(message.id)?.startsWith('msg_') ? message.id : undefined);
  const synthetic = entry.isApiErrorMessage === true || message.model === SYNTHETIC;
  // A real model's partial reply cut by the classifier is retried or retracted by Claude Code; the turn's outcome is
  // the synthetic API error and the model_refusal_* entries that follow it, so only those count.
  if (message.stop_reason === 'refusal' && synthetic) {
    const event: RefusalEvent = {
      effect: 'stop',
      structural: true,
      message: text,
      model,
      requestId: str(entry.requestId),
      messageId,
      category: message.stop_details?.category ?? null,
      explanation: message.stop_details?.explanation ?? null,
      parentUuid: str(entry.parentUuid),
    };
    const match = matchRefusalText(text);
    fromMatch(event, match);
    // Structure says refusal; unknown wording is reported as such so it can be added.
    event.kind = match?.kind ?? (text.trim() === '' ? 'safeguards' : 'unrecognised');
    return event;
  }
  // An API error Claude Code wrote itself: refusal only if its text is one.
  if (synthetic) {
    const match = matchRefusalText(text);
    if (!match) return undefined;
    return fromMatch(
      {
        effect: match.sessionContinued ? 'fallback' : 'stop',
        structural: false,
        message: text,
        model,
        requestId: str(entry.requestId),
        messageId,
        parentUuid: str(entry.parentUuid),
      },
      match,
    );
  }
  return undefined;
}

/** `/compact` writes its failure as local-command output in a user entry: Claude Code's own output, not a quote. */
function classifyLocalCommand(entry: TranscriptEntry): RefusalEvent | undefined {
  const wrapped = LOCAL_COMMAND_OUTPUT.exec(contentText(entry.message?.content));
  if (!wrapped) return undefined;
  const match = matchRefusalText(wrapped[1]);
  if (match?.generation !== 'G') return undefined;
  return fromMatch({ effect: 'stop', structural: false, message: wrapped[1].trim(), parentUuid: str(entry.parentUuid) }, match);
}

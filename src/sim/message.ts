/** The assistant messages the stand-in answers with, and its token estimate. */
import { messageId } from './ids';
import type { MessagesRequestBody } from './types';

export type SimContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface SimUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface SimMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: SimContentBlock[];
  stop_reason: 'end_turn' | 'tool_use' | 'refusal';
  stop_sequence: null;
  stop_details: { type: 'refusal'; category: string | null; explanation: string | null } | null;
  usage: SimUsage;
}

export const CANNED_TEXT = 'Done. (aup-bisect sim: no rule matched this request.)';

/**
 * Input tokens: ceil(UTF-8 bytes of JSON {system, messages, tools} / 4). Roughly what the real tokenizer gives for
 * English and code, cheap, and the same for /v1/messages and /v1/messages/count_tokens, so probe costs scale with
 * the size of what was sent.
 */
export function estimateInputTokens(body: Pick<MessagesRequestBody, 'system' | 'messages' | 'tools'>): number {
  const bytes = Buffer.byteLength(JSON.stringify({ system: body.system, messages: body.messages, tools: body.tools }));
  return Math.ceil(bytes / 4);
}

export function estimateOutputTokens(content: SimContentBlock[]): number {
  const text = content.map((b) => (b.type === 'text' ? b.text : JSON.stringify(b.input))).join('');
  return Math.max(1, Math.ceil(Buffer.byteLength(text) / 4));
}

function build(model: string, inputTokens: number, content: SimContentBlock[], stop: Pick<SimMessage, 'stop_reason' | 'stop_details'>): SimMessage {
  return {
    id: messageId(),
    type: 'message',
    role: 'assistant',
    model,
    content,
    ...stop,
    stop_sequence: null,
    usage: {
      input_tokens: inputTokens,
      output_tokens: content.length ? estimateOutputTokens(content) : 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    },
  };
}

export function textMessage(model: string, inputTokens: number, text = CANNED_TEXT): SimMessage {
  return build(model, inputTokens, [{ type: 'text', text }], { stop_reason: 'end_turn', stop_details: null });
}

export function toolUseMessage(model: string, inputTokens: number, block: Extract<SimContentBlock, { type: 'tool_use' }>): SimMessage {
  return build(model, inputTokens, [block], { stop_reason: 'tool_use', stop_details: null });
}

/** A refusal as the API sends it today: a 200 with no content, stop_reason "refusal" and stop_details. */
export function refusalMessage(model: string, inputTokens: number, category: string | null, explanation: string | null): SimMessage {
  return build(model, inputTokens, [], { stop_reason: 'refusal', stop_details: { type: 'refusal', category, explanation } });
}

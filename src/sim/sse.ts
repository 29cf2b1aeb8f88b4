/**
 * Writes a Message as the Messages API's server-sent event sequence: message_start, ping, per block
 * content_block_start / content_block_delta... / content_block_stop, message_delta (stop_reason, stop_details,
 * usage), message_stop.
 */
import type { ServerResponse } from 'node:http';
import type { SimMessage } from './message';

function event(res: ServerResponse, name: string, data: unknown): void {
  res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
}

export function writeMessageStream(res: ServerResponse, message: SimMessage): void {
  const { content, stop_reason, stop_details, stop_sequence, usage, ...head } = message;
  event(res, 'message_start', {
    type: 'message_start',
    message: { ...head, content: [], stop_reason: null, stop_details: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
  });
  event(res, 'ping', { type: 'ping' });
  content.forEach((block, index) => {
    if (block.type === 'text') {
      event(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      // Two deltas rather than one, so clients' delta accumulation is exercised.
      const cut = Math.ceil(block.text.length / 2);
      for (const piece of [block.text.slice(0, cut), block.text.slice(cut)]) {
        if (piece) event(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
      }
    } else {
      event(res, 'content_block_start', { type: 'content_block_start', index, content_block: { ...block, input: {} } });
      event(res, 'content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
      });
    }
    event(res, 'content_block_stop', { type: 'content_block_stop', index });
  });
  event(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason, stop_details, stop_sequence },
    usage: {
      input_tokens: usage.input_tokens,
      cache_creation_input_tokens: usage.cache_creation_input_tokens,
      cache_read_input_tokens: usage.cache_read_input_tokens,
      output_tokens: usage.output_tokens,
    },
  });
  event(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

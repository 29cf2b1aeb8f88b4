import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BIG, bigValue, parseBigLine } from '../../../src/core/transcript/bigLine';

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

describe('parseBigLine: a long line parsed with its big values summarised', () => {
  it('keeps small values and gives each big one the size, sha256 and head of its decoded text', () => {
    // Escapes, astral characters and quotes across the 1 MiB slice boundaries.
    const text = `${'tab\there "quoted" \\ back ✓ 🙂 \u2028 '.repeat(Math.ceil((3 * BIG) / 30))}end`;
    const line = Buffer.from(JSON.stringify({ type: 'user', uuid: 'u1', message: { content: [{ type: 'tool_result', tool_use_id: 't', content: text }] } }));
    const entry = parseBigLine(line) as { type: string; uuid: string; message: { content: Array<{ content: string; tool_use_id: string }> } };
    expect(entry.type).toBe('user');
    expect(entry.message.content[0].tool_use_id).toBe('t');
    const big = bigValue(entry.message.content[0].content)!;
    expect(big.size).toBe(Buffer.byteLength(text));
    expect(big.sha256).toBe(sha(text));
    expect(big.head).toBe(text.slice(0, 400));
    expect(big.base64).toBeUndefined();
  });

  it('hashes a big base64 value as the bytes it decodes to', () => {
    const bytes = Buffer.alloc(2 * BIG, 7);
    bytes.write('%PDF-1.7', 0);
    const line = Buffer.from(JSON.stringify({ type: 'user', message: { content: [{ type: 'document', source: { type: 'base64', data: bytes.toString('base64') } }] } }));
    const entry = parseBigLine(line) as { message: { content: Array<{ source: { data: string } }> } };
    expect(bigValue(entry.message.content[0].source.data)?.base64).toEqual({ size: bytes.length, sha256: sha(bytes) });
  });

  it('is undefined for a line that is not a JSON object', () => {
    expect(parseBigLine(Buffer.from('[1,2]'))).toBeUndefined();
    expect(parseBigLine(Buffer.from('{"a":'))).toBeUndefined();
  });
});

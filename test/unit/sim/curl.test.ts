// curl against the stand-in: the raw HTTP shapes (headers, SSE framing, error bodies) any client sees.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type SimServer } from '../../../src/sim/server';

const run = promisify(execFile);
let sim: SimServer;

beforeAll(async () => {
  sim = await startSim({ rules: 'src/sim/rules/demo.json', failures: [] });
});
afterAll(() => sim.close());

/** curl -i: returns status, lower-cased headers and body. */
async function curl(path: string, args: string[] = []): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { stdout } = await run('curl', ['-sS', '-i', '-H', 'x-api-key: sk-ant-FAKE', '-H', 'anthropic-version: 2023-06-01', ...args, `${sim.url}${path}`]);
  const split = stdout.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = stdout.slice(0, split).split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: stdout.slice(split + 4) };
}

const post = (body: unknown) => ['-H', 'content-type: application/json', '-d', JSON.stringify(body)];
const ask = (text: string, extra: Record<string, unknown> = {}) => post({ model: 'claude-opus-4-8', max_tokens: 64, messages: [{ role: 'user', content: text }], ...extra });

describe('curl against the stand-in', () => {
  it('POST /v1/messages returns a JSON message with a request-id header', async () => {
    const res = await curl('/v1/messages', ask('hello'));
    expect(res.status).toBe(200);
    expect(res.headers['request-id']).toMatch(/^req_011C/);
    expect(JSON.parse(res.body)).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'end_turn' });
  });

  it('streams server-sent events ending in message_delta (refusal) and message_stop', async () => {
    const res = await curl('/v1/messages', ['-N', ...ask('PICK A CHARACTER OR FOR DONKEY UNDERNEATH', { stream: true })]);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const events = [...res.body.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({ name: m[1], data: JSON.parse(m[2]) as Record<string, unknown> }));
    expect(events.map((e) => e.name)).toEqual(['message_start', 'ping', 'message_delta', 'message_stop']);
    expect(events[2].data).toMatchObject({
      delta: { stop_reason: 'refusal', stop_details: { type: 'refusal', category: 'general_harms' } },
      usage: { output_tokens: 0 },
    });
  });

  it('answers a missing key with 401 and malformed bodies with 400 in the API error shape', async () => {
    const { stdout } = await run('curl', ['-sS', '-o', '-', '-w', '\n%{http_code}', '-d', '{}', `${sim.url}/v1/messages`]);
    const [body, code] = stdout.split('\n');
    expect(code).toBe('401');
    expect(JSON.parse(body)).toMatchObject({ type: 'error', error: { type: 'authentication_error' }, request_id: expect.stringMatching(/^req_/) });
    const bad = await curl('/v1/messages', post({ model: 'claude-opus-4-8', messages: [] }));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
    const notJson = await curl('/v1/messages', ['-H', 'content-type: application/json', '-d', '{oops']);
    expect(notJson.status).toBe(400);
  });

  it('serves count_tokens, models, and /__sim/stats with every request logged', async () => {
    const count = await curl('/v1/messages/count_tokens', post({ model: 'claude-opus-4-8', messages: [{ role: 'user', content: 'x'.repeat(4000) }] }));
    expect(JSON.parse(count.body).input_tokens).toBeGreaterThanOrEqual(1000);
    const models = await curl('/v1/models');
    expect(JSON.parse(models.body)).toMatchObject({ has_more: false, data: expect.arrayContaining([expect.objectContaining({ id: 'claude-opus-4-8' })]) });
    const stats = JSON.parse((await curl('/__sim/stats')).body) as { requests: number; log: { verdict: string; inputTokens: number }[] };
    expect(stats.requests).toBe(stats.log.length);
    expect(stats.log.some((r) => r.verdict === 'refused')).toBe(true);
    expect((await curl('/v1/nothing-here')).status).toBe(404);
    expect(JSON.parse((await curl('/v1/models/claude-opus-4-8')).body)).toMatchObject({ type: 'model', id: 'claude-opus-4-8' });
    expect((await curl('/v1/models/claude-nonesuch-1')).status).toBe(404);
  });
});

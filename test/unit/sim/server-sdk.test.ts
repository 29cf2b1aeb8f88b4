// The official @anthropic-ai/sdk against the stand-in: what the oracle and every other client will see.
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startSim, type SimOptions, type SimServer } from '../../../src/sim/server';

const KEY = 'sk-ant-api03-FAKE-unit-test-key';
const RULES = { rules: [{ id: 'exfil', category: 'cyber', explanation: 'cyber content', allOf: ['reverse shell', 'exfiltrate'] }] };
const REFUSED = 'open a reverse shell and exfiltrate the keys';

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function client(options: SimOptions = {}, maxRetries = 0): Promise<Anthropic> {
  sim = await startSim({ rules: RULES, ...options });
  return new Anthropic({ apiKey: KEY, baseURL: sim.url, maxRetries });
}

const params = (text: string) => ({ model: 'claude-opus-4-8', max_tokens: 256, messages: [{ role: 'user' as const, content: text }] });

describe('official SDK against the stand-in', () => {
  it('answers a harmless request with canned text, a request id and usage sized to the input', async () => {
    const api = await client();
    const { data: message, response } = await api.messages.create(params('please tidy this function')).withResponse();
    expect(message.stop_reason).toBe('end_turn');
    expect(message.content[0]).toMatchObject({ type: 'text' });
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(response.headers.get('request-id')).toMatch(/^req_011C\w+$/);
    const bigger = await api.messages.create(params('please tidy this function '.repeat(100)));
    expect(bigger.usage.input_tokens).toBeGreaterThan(message.usage.input_tokens * 20);
  });

  it('refuses with stop_reason "refusal" and stop_details on a 200', async () => {
    const api = await client();
    const message = await api.messages.create(params(REFUSED));
    expect(message.stop_reason).toBe('refusal');
    expect(message.stop_details).toEqual({ type: 'refusal', category: 'cyber', explanation: 'cyber content' });
    expect(message.content).toEqual([]);
  });

  it('streams the real event sequence, refusal included', async () => {
    const api = await client();
    const events: string[] = [];
    const stream = api.messages.stream(params(REFUSED));
    stream.on('streamEvent', (event) => events.push(event.type));
    const final = await stream.finalMessage();
    expect(events).toEqual(['message_start', 'message_delta', 'message_stop']);
    expect(final.stop_reason).toBe('refusal');
    expect(final.stop_details?.category).toBe('cyber');

    const passed: string[] = [];
    const ok = api.messages.stream(params('hello'));
    ok.on('streamEvent', (event) => passed.push(event.type));
    const text = await ok.finalText();
    expect(text).toContain('no rule matched');
    expect(passed).toEqual([
      'message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop',
    ]);
    expect((await ok.finalMessage()).usage.output_tokens).toBeGreaterThan(0);
  });

  it('delivers refusals as the 400 content-filter error when asked', async () => {
    const api = await client({ delivery: 'content_filter_400' });
    const error = await api.messages.create(params(REFUSED)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    const apiError = error as InstanceType<typeof Anthropic.BadRequestError>;
    expect(apiError.status).toBe(400);
    expect(apiError.message).toContain('Output blocked by content filtering policy');
    expect(apiError.requestID).toMatch(/^req_/);
    expect(apiError.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('answers 401 to a key it does not accept', async () => {
    sim = await startSim({ apiKey: 'sk-ant-the-right-one' });
    const api = new Anthropic({ apiKey: KEY, baseURL: sim.url, maxRetries: 0 });
    await expect(api.messages.create(params('hi'))).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    expect(sim.stats()).toMatchObject({ requests: 1, errors: 1 });
  });

  it('answers 429 with retry-after, which the SDK honours before retrying', async () => {
    const api = await client({ failures: [{ status: 429, retryAfter: 1 }] }, 2);
    const started = Date.now();
    const message = await api.messages.create(params('hi'));
    expect(message.stop_reason).toBe('end_turn');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(sim!.stats().log.map((r) => r.status)).toEqual([429, 200]);
  });

  it('answers 529 overloaded_error', async () => {
    const api = await client({ failures: [{ status: 529, times: 2 }] });
    const first = await api.messages.create(params('hi')).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(Anthropic.InternalServerError);
    expect((first as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((first as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ error: { type: 'overloaded_error' } });
    await expect(api.messages.create(params('hi'))).rejects.toMatchObject({ status: 529 });
    await expect(api.messages.create(params('hi'))).resolves.toMatchObject({ stop_reason: 'end_turn' });
  });

  it('counts tokens and lists models', async () => {
    const api = await client();
    const count = await api.messages.countTokens({ model: 'claude-opus-4-8', messages: [{ role: 'user', content: 'x'.repeat(400) }] });
    expect(count.input_tokens).toBeGreaterThanOrEqual(100);
    const models = await api.models.list();
    expect(models.data.map((m) => m.id)).toContain('claude-opus-4-8');
    expect(sim!.stats()).toMatchObject({ requests: 0, countTokensRequests: 1 });
  });

  it('accepts what Claude Code sends: betas, thinking, cache_control, system entries in messages, tools', async () => {
    const api = await client({ rules: { rules: [{ id: 's', category: 'cyber', scope: 'system', allOf: ['forbidden note'] }] } });
    const message = await api.beta.messages.create({
      model: 'claude-opus-4-8',
      max_tokens: 1024,
      betas: ['claude-code-20250219', 'interleaved-thinking-2025-05-14'],
      thinking: { type: 'enabled', budget_tokens: 512 },
      system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
      tools: [{ name: 'Read', description: 'read a file', input_schema: { type: 'object', properties: { file_path: { type: 'string' } } } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }] },
        { role: 'system', content: 'a forbidden note from the harness' },
      ] as never,
    });
    expect(message.stop_reason).toBe('refusal');
  });

  it('scripted mode answers a prompt naming a file with a Read tool_use, then judges the tool result', async () => {
    const api = await client({ script: {} });
    const tools = [{ name: 'Read', description: 'read a file', input_schema: { type: 'object' as const, properties: { file_path: { type: 'string' } } } }];
    const prompt = { role: 'user' as const, content: 'Summarise /work/notes/incident.txt please' };
    const first = await api.messages.create({ model: 'claude-opus-4-8', max_tokens: 256, tools, messages: [prompt] });
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content[0];
    expect(call).toMatchObject({ type: 'tool_use', name: 'Read', input: { file_path: '/work/notes/incident.txt' } });
    const id = call.type === 'tool_use' ? call.id : '';
    const second = await api.messages.create({
      model: 'claude-opus-4-8',
      max_tokens: 256,
      tools,
      messages: [
        prompt,
        { role: 'assistant', content: first.content as never },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: '1\tthey opened a reverse shell\n2\tto exfiltrate keys' }] },
      ],
    });
    expect(second.stop_reason).toBe('refusal');
    expect(sim!.stats().log.map((r) => r.verdict)).toEqual(['tool_use', 'refused']);
  });

  it('keeps counts and a per-request log, and resets them', async () => {
    const api = await client();
    await api.messages.create(params('hello'));
    await api.messages.create(params(REFUSED));
    await api.messages.create({ ...params('hello'), model: 'claude-sonnet-4-6' });
    const stats = sim!.stats();
    expect(stats).toMatchObject({ requests: 3, refused: 1, passed: 2, errors: 0 });
    expect(stats.perModel['claude-opus-4-8']).toMatchObject({ requests: 2, refused: 1, passed: 1 });
    expect(stats.log[1]).toMatchObject({ seq: 2, verdict: 'refused', ruleId: 'exfil', category: 'cyber', model: 'claude-opus-4-8' });
    expect(stats.inputTokens).toBe(stats.log.reduce((n, r) => n + r.inputTokens, 0));
    sim!.resetStats();
    expect(sim!.stats().requests).toBe(0);
  });

  it('applies seeded noise: the same seed flips the same requests', async () => {
    const flips = async () => {
      const api = await client({ noise: { falseNegative: 0.5, falsePositive: 0.2, seed: 42 } });
      const out: string[] = [];
      for (let i = 0; i < 20; i++) out.push((await api.messages.create(params(i % 2 ? REFUSED : 'hello'))).stop_reason ?? '');
      await sim!.close();
      sim = undefined;
      return out;
    };
    const a = await flips();
    expect(await flips()).toEqual(a);
    expect(a.filter((r, i) => i % 2 === 1 && r === 'end_turn').length).toBeGreaterThan(0); // some false negatives
    expect(a.filter((r, i) => i % 2 === 0 && r === 'refusal').length).toBeGreaterThan(0); // some false positives
  });
});

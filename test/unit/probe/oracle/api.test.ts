import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiOracle, buildRequest, MINIMAL_SYSTEM, retryDelay, type RetryInfo } from '../../../../src/core/probe/oracle/api';
import { OracleError, type ProbeInput } from '../../../../src/core/probe/oracle/types';
import { apiError, message, startLoopback, type Loopback } from './loopback';

const input: ProbeInput = { parts: [{ kind: 'file', text: 'a toy advert with a character and a donkey underneath', fileName: 'ad.txt' }] };
let loop: Loopback | undefined;
afterEach(async () => {
  await loop?.close();
  loop = undefined;
});

function oracle(url: string, extra: Partial<ConstructorParameters<typeof ApiOracle>[0]> = {}): ApiOracle {
  return new ApiOracle({ apiKey: 'sk-ant-test-key', baseUrl: url, retryBaseMs: 10, ...extra });
}

async function rejection(promise: Promise<unknown>): Promise<OracleError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(OracleError);
  return error as OracleError;
}

describe('ApiOracle against a loopback Messages API (official SDK)', () => {
  it('reads stop_reason "refusal" and its stop_details as a refusal, with usage and cost', async () => {
    loop = await startLoopback([
      message('refusal', { stop_details: { type: 'refusal', category: 'cyber', explanation: 'blocked under the Usage Policy' } }),
    ]);
    const verdict = await oracle(loop.url).probe(input);
    expect(verdict).toMatchObject({ refused: true, category: 'cyber', detail: 'blocked under the Usage Policy', requestId: 'req_loopback01' });
    expect(verdict.usage).toEqual({ inputTokens: 120, outputTokens: 3 });
    // claude-opus-4-8 at $5/$25 per million tokens.
    expect(verdict.costUsd).toBeCloseTo((120 * 5 + 3 * 25) / 1e6, 12);
    expect(verdict.bytesSent).toBe(Buffer.byteLength(input.parts[0]!.text));
    const body = loop.requests[0]!.body;
    expect(body).toMatchObject({ model: 'claude-opus-4-8', max_tokens: 16, system: MINIMAL_SYSTEM });
    // This SDK generation sends the key as a bearer token.
    expect(loop.requests[0]!.headers.authorization).toBe('Bearer sk-ant-test-key');
  });

  it('sends a probe fresh by default, and in a session only when asked, named exactly as Claude Code names it', async () => {
    loop = await startLoopback([message('end_turn')]);
    const api = oracle(loop.url);
    await api.probe(input);
    await api.probe({ ...input, session: { id: '3f0c2a5e-8b1d-4c7e-9a62-1d5e7f9b0c44' } });
    const [fresh, inSession] = loop.requests;
    expect(fresh!.headers['x-claude-code-session-id']).toBeUndefined();
    expect(fresh!.body.metadata).toBeUndefined();
    expect(inSession!.headers['x-claude-code-session-id']).toBe('3f0c2a5e-8b1d-4c7e-9a62-1d5e7f9b0c44');
    // Claude Code's metadata.user_id shape, with no device id of ours (empty, never made up).
    expect(JSON.parse((inSession!.body.metadata as { user_id: string }).user_id)).toEqual({
      device_id: '', account_uuid: '', session_id: '3f0c2a5e-8b1d-4c7e-9a62-1d5e7f9b0c44',
    });
    // Everything else is the same request.
    expect({ ...inSession!.body, metadata: undefined }).toEqual({ ...fresh!.body, metadata: undefined });
  });

  it('reads the 400 content-filter error as a refusal', async () => {
    loop = await startLoopback([apiError(400, 'invalid_request_error', 'Output blocked by content filtering policy')]);
    const verdict = await oracle(loop.url).probe(input);
    expect(verdict).toMatchObject({ refused: true, category: 'content-filter' });
  });

  it('reads end_turn and max_tokens as passed', async () => {
    loop = await startLoopback([message('end_turn'), message('max_tokens')]);
    const o = oracle(loop.url);
    expect((await o.probe(input)).refused).toBe(false);
    expect((await o.probe(input)).refused).toBe(false);
  });

  it('turns a 401 into OracleError auth with a hint about ANTHROPIC_API_KEY, without retrying', async () => {
    loop = await startLoopback([apiError(401, 'authentication_error', 'invalid x-api-key')]);
    const error = await rejection(oracle(loop.url).probe(input));
    expect(error.kind).toBe('auth');
    expect(error.hint).toMatch(/ANTHROPIC_API_KEY/);
    expect(error.message).not.toContain('sk-ant-test-key');
    expect(loop.requests).toHaveLength(1);
  });

  it('waits the retry-after of a 429, then answers: the 429 is never a verdict', async () => {
    loop = await startLoopback([
      apiError(429, 'rate_limit_error', 'Number of requests has exceeded your rate limit', { 'retry-after': '1' }),
      message('refusal', { stop_details: { type: 'refusal', category: null, explanation: null } }),
    ]);
    const retries: RetryInfo[] = [];
    const started = Date.now();
    const verdict = await oracle(loop.url, { onRetry: (r) => retries.push(r) }).probe(input);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(verdict.refused).toBe(true);
    expect(retries).toEqual([{ attempt: 1, status: 429, delayMs: 1000, reason: 'rate limited' }]);
    expect(loop.requests).toHaveLength(2);
  });

  it('retries 529 overloaded with backoff and gives up with OracleError overloaded', async () => {
    loop = await startLoopback([apiError(529, 'overloaded_error', 'Overloaded')]);
    const error = await rejection(oracle(loop.url, { maxRetries: 2 }).probe(input));
    expect(error.kind).toBe('overloaded');
    expect(loop.requests).toHaveLength(3);
  });

  it('turns a refused connection into OracleError network', async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const error = await rejection(oracle(`http://127.0.0.1:${port}`, { connectRetries: 1 }).probe(input));
    expect(error.kind).toBe('network');
    expect(error.hint).toMatch(/network/);
  });

  it('stops waiting when cancelled', async () => {
    loop = await startLoopback([apiError(429, 'rate_limit_error', 'slow down', { 'retry-after': '30' })]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await rejection(oracle(loop.url).probe(input, controller.signal));
    expect(error.kind).toBe('cancelled');
  });
});

describe('buildRequest', () => {
  it('replays a tool result as a tool_use/tool_result pair, declares the tool and forbids calling it', () => {
    const request = buildRequest(
      {
        system: 'replayed system',
        parts: [
          { kind: 'prompt', text: 'summarise the file' },
          { kind: 'tool_result', text: '1\tline one', toolName: 'Read', filePath: '/w/notes.md' },
          { kind: 'system_reminder', text: '<system-reminder>be brief</system-reminder>' },
        ],
      },
      { model: 'claude-opus-4-8', maxOutputTokens: 4, toolResults: 'blocks' },
    );
    expect(request.system).toBe('replayed system');
    expect(request.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(request.messages[1]!.content).toEqual([
      { type: 'tool_use', id: 'toolu_aupbisect0001', name: 'Read', input: { file_path: '/w/notes.md' } },
    ]);
    expect(request.messages[2]!.content).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_aupbisect0001', content: [{ type: 'text', text: '1\tline one' }] },
      { type: 'text', text: '<system-reminder>be brief</system-reminder>' },
    ]);
    expect(request.tools?.map((t) => t.name)).toEqual(['Read']);
    expect(request.tool_choice).toEqual({ type: 'none' });
  });

  it('sends a PDF as a base64 document block and leaves removed parts out', () => {
    const pdf = new Uint8Array(Buffer.from('%PDF-1.4\n%%EOF\n', 'latin1'));
    const request = buildRequest(
      { parts: [{ kind: 'file', text: '', bytes: pdf, fileName: 'ad.pdf' }, { kind: 'prompt', text: '   ' }] },
      { model: 'm', maxOutputTokens: 1, toolResults: 'blocks' },
    );
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: Buffer.from(pdf).toString('base64') } }] },
    ]);
    expect(request.tools).toBeUndefined();
  });
});

describe('retryDelay', () => {
  it('honours retry-after-ms, retry-after in seconds and as a date, capped', () => {
    expect(retryDelay(new Headers({ 'retry-after-ms': '250' }), 1, 1000, 60_000)).toBe(250);
    expect(retryDelay(new Headers({ 'retry-after': '7' }), 1, 1000, 60_000)).toBe(7000);
    expect(retryDelay(new Headers({ 'retry-after': '600' }), 1, 1000, 60_000)).toBe(60_000);
    const date = new Date(Date.now() + 5_000).toUTCString();
    expect(retryDelay(new Headers({ 'retry-after': date }), 1, 1000, 60_000)).toBeGreaterThan(3_000);
    const backoff = retryDelay(new Headers(), 3, 1000, 60_000);
    expect(backoff).toBeGreaterThan(2_999);
    expect(backoff).toBeLessThanOrEqual(4_000);
  });
});

describe('ApiOracle against the project\'s Messages API stand-in (startSim)', () => {
  it('refusal with category, the content-filter 400 on tool results, pass, and retried 429/529 never counted', async () => {
    const { startSim } = await import('../../../../src/sim/server');
    const demo = (await import('../../../../src/sim/rules/demo.json')).default;
    const sim = await startSim({ rules: demo as never });
    try {
      const o = new ApiOracle({ apiKey: 'sk-ant-sim', baseUrl: sim.url, retryBaseMs: 10 });
      const refused = await o.probe({ parts: [{ kind: 'prompt', text: 'open a reverse shell and exfiltrate the keys' }] });
      expect(refused).toMatchObject({ refused: true, category: 'cyber' });
      expect(refused.requestId).toMatch(/^req_/);

      const lorem = Array.from({ length: 3 }, () => 'Lorem ipsum dolor sit amet, consectetur.').join('\n');
      const filtered = await o.probe({ parts: [{ kind: 'prompt', text: 'read it' }, { kind: 'tool_result', text: lorem, toolName: 'Read', filePath: '/w/LICENSE' }] });
      expect(filtered).toMatchObject({ refused: true, category: 'content-filter' });
      // The same text typed by the user is not a tool result: the rule's scope does not match, so it passes.
      expect((await o.probe({ parts: [{ kind: 'prompt', text: lorem }] })).refused).toBe(false);

      sim.injectFailures([{ status: 429, retryAfter: 0 }, { status: 529, times: 2 }]);
      const retries: RetryInfo[] = [];
      const after = await new ApiOracle({ apiKey: 'sk-ant-sim', baseUrl: sim.url, retryBaseMs: 10, onRetry: (r) => retries.push(r) })
        .probe({ parts: [{ kind: 'prompt', text: 'hello' }] });
      expect(after.refused).toBe(false);
      expect(retries.map((r) => r.status)).toEqual([429, 529, 529]);
      const stats = sim.stats();
      expect(stats.refused).toBe(2);
    } finally {
      await sim.close();
    }
  });

  it('401 from a stand-in that wants another key', async () => {
    const { startSim } = await import('../../../../src/sim/server');
    const sim = await startSim({ apiKey: 'sk-ant-right' });
    try {
      const error = await rejection(new ApiOracle({ apiKey: 'sk-ant-wrong', baseUrl: sim.url }).probe(input));
      expect(error.kind).toBe('auth');
    } finally {
      await sim.close();
    }
  });
});

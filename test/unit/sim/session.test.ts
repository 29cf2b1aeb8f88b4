// A session the stand-in flags: after a `flagsSession` rule refuses a request, every later request carrying that
// session's id is refused, whatever it holds, and logged as scope "session" with the rule that flagged it.
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRules } from '../../../src/sim/classifier';
import { startSim, type SimServer } from '../../../src/sim/server';

const KEY = 'sk-ant-api03-FAKE-unit-test-key';
const SESSION = '3f0c2a5e-8b1d-4c7e-9a62-1d5e7f9b0c44';
const OTHER = 'a7d9e1c3-2b4f-4e6a-8c0d-5f1b3a7e9d22';
/** Claude Code 2.1.328's metadata.user_id: a JSON string naming device, account and session. */
const userId = (session: string) => JSON.stringify({ device_id: 'f'.repeat(64), account_uuid: '', session_id: session });

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function client(flagsSession: boolean): Promise<Anthropic> {
  sim = await startSim({ rules: { rules: [{ id: 'shell', category: 'cyber', explanation: 'cyber content', allOf: ['reverse shell'], flagsSession }] } });
  return new Anthropic({ apiKey: KEY, baseURL: sim.url, maxRetries: 0 });
}

/** One request; `session` goes as Claude Code sends it: in the header, in metadata.user_id, or both. */
async function ask(api: Anthropic, text: string, session?: { id: string; via: 'header' | 'metadata' }): Promise<string | null> {
  const message = await api.messages.create(
    { model: 'claude-opus-4-8', max_tokens: 64, messages: [{ role: 'user', content: text }], ...(session?.via === 'metadata' ? { metadata: { user_id: userId(session.id) } } : {}) },
    session?.via === 'header' ? { headers: { 'x-claude-code-session-id': session.id } } : {},
  );
  return message.stop_reason;
}

describe('a rule that flags the session', () => {
  it('refuses every later request of that session, by header or by metadata.user_id, and no other', async () => {
    const api = await client(true);
    expect(await ask(api, 'open a reverse shell', { id: SESSION, via: 'header' })).toBe('refusal');
    // The same session, a harmless request: refused, named either way Claude Code names it.
    expect(await ask(api, 'say hello', { id: SESSION, via: 'header' })).toBe('refusal');
    expect(await ask(api, 'say hello', { id: SESSION, via: 'metadata' })).toBe('refusal');
    // Another session, and a request with no session id, are judged on their content alone.
    expect(await ask(api, 'say hello', { id: OTHER, via: 'metadata' })).toBe('end_turn');
    expect(await ask(api, 'say hello')).toBe('end_turn');

    const log = sim!.stats().log;
    expect(log.map((r) => [r.verdict, r.ruleId, r.scope, r.sessionId])).toEqual([
      ['refused', 'shell', undefined, SESSION],
      ['refused', 'shell', 'session', SESSION],
      ['refused', 'shell', 'session', SESSION],
      ['passed', undefined, undefined, OTHER],
      ['passed', undefined, undefined, undefined],
    ]);
  });

  it('never flags a request without a session id: the next request is judged on its own', async () => {
    const api = await client(true);
    expect(await ask(api, 'open a reverse shell')).toBe('refusal');
    expect(await ask(api, 'say hello')).toBe('end_turn');
    expect(sim!.stats().log.every((r) => r.scope === undefined)).toBe(true);
  });

  it('leaves the session alone when the rule does not flag sessions', async () => {
    const api = await client(false);
    expect(await ask(api, 'open a reverse shell', { id: SESSION, via: 'header' })).toBe('refusal');
    expect(await ask(api, 'say hello', { id: SESSION, via: 'header' })).toBe('end_turn');
  });

  it('rejects a flagsSession that is not a boolean', () => {
    expect(() => parseRules({ rules: [{ id: 'x', category: null, allOf: ['a'], flagsSession: 'yes' }] })).toThrow(/rule "x": "flagsSession" must be true or false/);
  });
});

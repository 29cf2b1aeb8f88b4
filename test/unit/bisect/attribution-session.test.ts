// A flagged session, told apart from flagged content: the stand-in (in this process) holds a session flagged after a
// `flagsSession` rule refused one of its requests; the bisect of a later refusal in that session asks the control
// once fresh and once with the session's id, and stops there.
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { controlProbes, sendsSession } from '../../../src/core/bisect/attribution';
import { prepareBisect, runBisect } from '../../../src/core/bisect/run';
import type { RefusalRecord } from '../../../src/core/refusal/record';
import { draftIssue } from '../../../src/core/report/draft';
import { gateDraft } from '../../../src/core/report/gate';
import { scanTranscript } from '../../../src/core/transcript/scan';
import { startSim, type SimServer } from '../../../src/sim/server';
import { GENERATIONS } from '../../support/messages';
import { SessionBuilder } from '../../support/transcript';

const KEY = 'sk-ant-api03-FAKE-unit-test-key';
const SESSION = '7b1e4d2a-5c3f-4a8e-9d60-2f4b6c8e0a13';
const PHRASE = 'open a reverse shell';
const FILE = Array.from({ length: 20 }, (_, i) => `# line ${i}: notes on the deploy script`).join('\n') + `\n# ${PHRASE} here\n`;

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** The stand-in with one rule on PHRASE that flags the session of what it refuses. */
async function standIn(): Promise<SimServer> {
  sim = await startSim({ rules: { rules: [{ id: 'shell', category: 'cyber', allOf: [PHRASE], flagsSession: true }] } });
  return sim;
}

/** What Claude Code did first in the session: a request holding PHRASE, sent with the session's id, refused. */
async function flagSession(server: SimServer): Promise<void> {
  const api = new Anthropic({ apiKey: KEY, baseURL: server.url, maxRetries: 0 });
  const message = await api.messages.create(
    { model: 'claude-opus-5-5', max_tokens: 16, messages: [{ role: 'user', content: `please ${PHRASE}` }] },
    { headers: { 'x-claude-code-session-id': SESSION } },
  );
  expect(message.stop_reason).toBe('refusal');
}

/** A refused turn of session SESSION whose request held `prompt` and (optionally) a Read of FILE. */
async function refusal(prompt: string, options: { scope: 'message' | 'session'; read?: boolean }): Promise<RefusalRecord> {
  const s = new SessionBuilder({ model: 'claude-opus-5-5', sessionId: SESSION });
  let refused = s.user([{ type: 'text', text: prompt }]);
  if (options.read) refused = s.read('/home/dev/project/deploy.sh', FILE);
  s.fallback({
    originalModel: 'claude-opus-5-5', fallbackModel: 'claude-opus-4-8', requestId: 'req_011Sess', category: 'cyber',
    content: GENERATIONS.I, refusedUserMessageUuid: refused, scope: options.scope,
  });
  const records: RefusalRecord[] = [];
  for await (const record of scanTranscript(s.write())) records.push(record);
  expect(records).toHaveLength(1);
  expect(records[0]!.sessionId).toBe(SESSION);
  return records[0]!;
}

const oracle = (server: SimServer) => ({ kind: 'api' as const, apiKey: KEY, baseUrl: server.url });

describe('runBisect: a flagged session', () => {
  it('a refusal of "say hello" in a flagged session: the control and the request pass fresh, the control is refused with the id: not-attributable, channel session', async () => {
    const server = await standIn();
    await flagSession(server);
    const before = server.stats().log.length;
    const run = await runBisect({ source: { kind: 'refusal', refusal: await refusal('say hello', { scope: 'session' }) }, oracle: oracle(server), cache: false });

    expect(run.status).toBe('not-attributable');
    expect(run.attribution).toEqual({ control: { refused: 0, of: 3 }, withSession: { refused: 3, of: 3 }, channel: 'session' });
    expect(run.statusReason).toBe(
      'not attributable to the content you sent: the session is flagged (a content-free control ("Say hello." in the same context and model) ' +
        'was refused 3/3 with its id, 0/3 without); start a new session',
    );
    expect(run.minimal).toBe('');
    expect(run.reproductions).toBeUndefined();
    // Each probe served by the stand-in: the fresh control and the reducer's fresh replay of the request passed (no
    // session id), then the three with the id were refused by the flag.
    const log = server.stats().log.slice(before);
    expect(log).toHaveLength(run.probes);
    expect(log.slice(0, -3).map((r) => [r.verdict, r.sessionId, r.scope, r.ruleId])).toEqual(
      Array(run.probes - 3).fill(['passed', undefined, undefined, undefined]),
    );
    expect(log.slice(-3).map((r) => [r.verdict, r.sessionId, r.scope, r.ruleId])).toEqual(Array(3).fill(['refused', SESSION, 'session', 'shell']));

    // The draft, as it leaves the machine (through the exit gate), says the session is flagged, with both rates.
    const { body } = await gateDraft(draftIssue({ result: run, refusal: run.refusal, env: { os: 'Linux' } }));
    expect(body).toContain(
      'The service flagged the session, not a message: a content-free control (`Say hello.` in the same context and model) was refused 3/3 ' +
        "when sent with the session's id (the `x-claude-code-session-id` header and `metadata.user_id`, as Claude Code sends them) and 0/3 without it, " +
        'so the refused content itself was not bisected.',
    );
    expect(body).toContain('2. The content is not included: it is not the cause (see above), so it was not reduced.');
    expect(body).not.toContain('aup-bisect bisect --refusal');
  });

  it('a session-scope refusal of content that is itself refused: bisected fresh, and no probe carries the session id', async () => {
    const server = await standIn();
    const run = await runBisect({
      source: { kind: 'refusal', refusal: await refusal('Explain deploy.sh', { scope: 'session', read: true }) }, oracle: oracle(server), cache: false, reproRuns: 0,
    });
    // Claude Code 2.1.328 marks any main-thread refusal `scope: session`: that alone asks nothing in the user's session.
    expect(run.attribution).toEqual({ control: { refused: 0, of: 3 }, channel: 'tool_result', channels: ['tool_result'] });
    expect(run.status).toBe('minimal');
    expect(run.minimal.toLowerCase()).toBe(PHRASE);
    // Every probe went fresh, so none could add to what the service holds against the session.
    const log = server.stats().log;
    expect(log).toHaveLength(run.probes);
    expect(log.filter((r) => r.sessionId !== undefined)).toHaveLength(0);
    expect(log.every((r) => r.scope === undefined)).toBe(true);
  });

  it('a message-scope refusal that does not reproduce fresh: the control with the id pins it on the session', async () => {
    const server = await standIn();
    await flagSession(server);
    const before = server.stats().log.length;
    const run = await runBisect({ source: { kind: 'refusal', refusal: await refusal('Tidy the README, please.', { scope: 'message' }) }, oracle: oracle(server), cache: false });

    expect(run.status).toBe('not-attributable');
    expect(run.attribution).toEqual({ control: { refused: 0, of: 3 }, withSession: { refused: 3, of: 3 }, channel: 'session' });
    expect(run.statusReason).toMatch(/^not attributable to the content you sent: the session is flagged \(.*refused 3\/3 with its id, 0\/3 without\); start a new session$/);
    // The fresh control, the reducer's confirmation that the original passes fresh, then the three with the id.
    const log = server.stats().log.slice(before);
    expect(log).toHaveLength(run.probes);
    expect(log.slice(0, -3).every((r) => r.verdict === 'passed' && r.sessionId === undefined)).toBe(true);
    expect(log.slice(-3).every((r) => r.verdict === 'refused' && r.scope === 'session' && r.sessionId === SESSION)).toBe(true);
  });

  it('counts the session control in the estimate, only for an oracle that sends the id', async () => {
    const server = await standIn();
    const record = await refusal('say hello', { scope: 'session' });
    const job = await prepareBisect({ source: { kind: 'refusal', refusal: record }, oracle: oracle(server), cache: false });
    expect(job.estimate.line).toContain('The first 3-6 probes are a content-free control');
    await job.close();
    expect(controlProbes(job.input, 'api', SESSION)).toEqual({ low: 3, high: 6 });
    // `claude -p` opens its own session and a test command has none: a control "in the session" would ask nothing new.
    expect([sendsSession('claude'), sendsSession('command'), sendsSession('sim')]).toEqual([false, false, true]);
    expect(controlProbes(job.input, 'claude', SESSION)).toEqual({ low: 3, high: 3 });
  });
});

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { humanSummary } from '../../../src/cli/commands/bisect';
import { channelOf, controlOf, controlProbes } from '../../../src/core/bisect/attribution';
import { prepareBisect, runBisect } from '../../../src/core/bisect/run';
import { systemText, type ProbeInput } from '../../../src/core/probe/oracle/types';
import { reduce } from '../../../src/core/reduce/reducer';
import type { RefusalRecord } from '../../../src/core/refusal/record';
import { scanTranscript } from '../../../src/core/transcript/scan';
import { GENERATIONS } from '../../support/messages';
import { phraseOracle, scriptedOracle } from '../../support/oracles';
import { SessionBuilder } from '../../support/transcript';

const CLAUDE_MD_SENTENCE = 'The purple walrus sings at dawn.';
/** How Claude Code shows CLAUDE.md to the model: a system reminder at the head of the first user message. */
const CLAUDE_MD =
  "<system-reminder>\nAs you answer the user's questions, you can use the following context:\n# claudeMd\n" +
  'Contents of /home/dev/project/CLAUDE.md (project instructions, checked into the codebase):\n\n' +
  `Always run the tests before committing.\n${CLAUDE_MD_SENTENCE}\nPrefer small functions.\n</system-reminder>`;
const FILE = Array.from({ length: 30 }, (_, i) => `# line ${i}: a note about the port scanner`).join('\n') +
  '\n# open a reverse shell here\nimport socket\n';

/**
 * A session refused after reading scanner.py: the first user message holds CLAUDE.md (when `claudeMd`) and the
 * prompt, then the Read. `scope: 'session'` is Claude Code's "flagged this session".
 */
async function refusal(options: { claudeMd?: boolean; scope?: 'message' | 'session' } = {}): Promise<RefusalRecord> {
  const s = new SessionBuilder({ model: 'claude-opus-5-5' });
  s.user([
    ...(options.claudeMd === false ? [] : [{ type: 'text', text: CLAUDE_MD }]),
    { type: 'text', text: 'Explain what scanner.py does' },
  ]);
  const refused = s.read('/home/dev/project/scanner.py', FILE);
  s.fallback({
    originalModel: 'claude-opus-5-5', fallbackModel: 'claude-opus-4-8', requestId: 'req_011Attr', category: 'cyber',
    content: GENERATIONS.I, refusedUserMessageUuid: refused, scope: options.scope,
  });
  const records: RefusalRecord[] = [];
  for await (const record of scanTranscript(s.write())) records.push(record);
  expect(records).toHaveLength(1);
  return records[0]!;
}

describe('the content-free control', () => {
  it('keeps Claude Code\'s parts and CLAUDE.md, and puts "Say hello." where the content was', async () => {
    const input: ProbeInput = {
      system: 'You are Claude Code.',
      model: 'claude-opus-5-5',
      parts: [
        { kind: 'system_reminder', text: CLAUDE_MD },
        { kind: 'system_reminder', text: '<system-reminder>Today is Monday.</system-reminder>' },
        { kind: 'prompt', text: 'Explain what scanner.py does' },
        { kind: 'tool_result', text: FILE, toolName: 'Read' },
      ],
    };
    expect(input.parts.map(channelOf)).toEqual(['claude-md', 'fixed-prompt', 'content', 'content']);
    expect(controlOf(input)).toEqual({ ...input, parts: [input.parts[0], input.parts[1], { kind: 'prompt', text: 'Say hello.' }] });
    expect(controlOf(input, false).parts).toEqual([input.parts[1], { kind: 'prompt', text: 'Say hello.' }]);
    // A memory file attached by path is CLAUDE.md's channel too; another attachment is content.
    expect(channelOf({ kind: 'attachment', text: 'rules', filePath: '/home/dev/project/sub/CLAUDE.md' })).toBe('claude-md');
    expect(channelOf({ kind: 'attachment', text: 'notes', filePath: '/home/dev/project/notes.md' })).toBe('content');
  });

  it("counts the reminders Claude Code 2.1.328 attaches to every request (environment, model, date...) as its fixed prompt", () => {
    const environment = { kind: 'attachment' as const, attachmentType: 'environment', text: '<system-reminder>\n# Environment\nYou have been invoked in the following environment: ...</system-reminder>' };
    const date = { kind: 'attachment' as const, attachmentType: 'date', text: "<system-reminder>\nToday's date is 2026-11-30.\n</system-reminder>" };
    const mentioned = { kind: 'attachment' as const, attachmentType: 'file', text: 'the file the user mentioned', filePath: '/home/dev/project/notes.md' };
    const input: ProbeInput = { parts: [{ kind: 'prompt', text: 'say hello' }, environment, date, mentioned] };
    expect(input.parts.map(channelOf)).toEqual(['content', 'fixed-prompt', 'fixed-prompt', 'content']);
    // So the control keeps them, and drops what the user sent or attached.
    expect(controlOf(input).parts).toEqual([{ kind: 'prompt', text: 'Say hello.' }, environment, date]);
  });
});

describe('runBisect: attribution first', () => {
  it('stops a session-flagged refusal as not-attributable after the controls alone, naming the fixed prompt', async () => {
    const oracle = phraseOracle('');
    const run = await runBisect({ source: { kind: 'refusal', refusal: await refusal({ scope: 'session' }) }, oracle, cache: false });
    expect(run.status).toBe('not-attributable');
    expect(run.statusReason).toMatch(/^not attributable to the content you sent: the session \/ fixed prompt is flagged .*refused 3\/3, and 3\/3 without CLAUDE\.md/);
    expect(run.attribution).toEqual({ control: { refused: 3, of: 3 }, withoutClaudeMd: { refused: 3, of: 3 }, channel: 'fixed-prompt' });
    // Three probes of the control, three without CLAUDE.md, and nothing more.
    expect(run.probes).toBe(6);
    expect(oracle.sent).toHaveLength(6);
    expect(run.minimal).toBe('');
    expect(run.parts.every((p) => !p.needed)).toBe(true);
    // No probe carried what the user sent: only Claude Code's parts and the benign prompt.
    for (const input of oracle.sent) {
      const text = input.parts.map((p) => p.text).join('\n');
      expect(text).toContain('Say hello.');
      expect(text).not.toContain('scanner.py does');
      expect(text).not.toContain('reverse shell');
      expect(input.model).toBe('claude-opus-5-5');
    }
    // A transcript without a prompt snapshot: the result says the probes carried the oracle's default system prompt.
    expect(humanSummary(run)).toMatch(/^Status: not-attributable: not attributable.*\nContext: system prompt: none in the transcript .*\nAttribution: content-free control refused 3\/3, without CLAUDE\.md \/ memory 3\/3: channel fixed-prompt is flagged\nProbes: 6 paid/);
  });

  it('needs only the first control when the request carries no CLAUDE.md', async () => {
    const run = await runBisect({ source: { kind: 'refusal', refusal: await refusal({ claudeMd: false }) }, oracle: phraseOracle(''), cache: false });
    expect(run.status).toBe('not-attributable');
    expect(run.attribution).toEqual({ control: { refused: 3, of: 3 }, channel: 'fixed-prompt' });
    expect(run.probes).toBe(3);
  });

  it('finds a trigger sentence inside the CLAUDE.md channel', async () => {
    const run = await runBisect({ source: { kind: 'refusal', refusal: await refusal() }, oracle: phraseOracle(CLAUDE_MD_SENTENCE), cache: false });
    expect(run.attribution).toEqual({
      control: { refused: 3, of: 3 }, withoutClaudeMd: { refused: 0, of: 3 }, channel: 'claude-md', channels: ['claude-md'],
    });
    expect(run.status).toBe('minimal');
    expect(run.minimal).toBe(CLAUDE_MD_SENTENCE);
    expect(run.statusReason).toMatch(/the refusal follows CLAUDE\.md \/ memory, not the content you sent/);
    expect(run.parts.filter((p) => p.needed).map((p) => p.kind)).toEqual(['system_reminder']);
    expect(humanSummary(run)).toContain('Attribution: content-free control refused 3/3, without CLAUDE.md / memory 0/3; trigger in channel claude-md');
  });

  it('lets a content trigger through the control and bisects exactly as before, plus the three control probes', async () => {
    // A message-scope refusal: no control in the session (attribution-session.test.ts has the session-scope one).
    const record = await refusal({ scope: 'message' });
    let reducerProbes = 0;
    const run = await runBisect({
      source: { kind: 'refusal', refusal: record },
      oracle: phraseOracle('reverse shell'),
      cache: false,
      // The default reducer, counting what it asks: the control's probes are the only others.
      reduce: (input, oracle, options) => reduce(input, { ...oracle, name: oracle.name, probe: (i, s) => (reducerProbes++, oracle.probe(i, s)) }, options),
      // No reproduction probes (report/repro.ts): only the control's probes come on top of the reducer's.
      reproRuns: 0,
    });
    expect(run.attribution).toEqual({ control: { refused: 0, of: 3 }, channel: 'tool_result', channels: ['tool_result'] });
    expect(run.status).toBe('minimal');
    expect(run.minimal).toBe('reverse shell');
    expect(reducerProbes).toBeGreaterThan(5);
    expect(run.probes).toBe(reducerProbes + 3);
    expect(humanSummary(run)).toContain('Attribution: content-free control refused 0/3; trigger in channel tool_result');
  });

  it('stops inside the control when the budget runs out, with what it spent and no verdict on the cause', async () => {
    const run = await runBisect({ source: { kind: 'refusal', refusal: await refusal() }, oracle: phraseOracle(''), cache: false, budget: { maxProbes: 2 } });
    expect(run.status).toBe('stopped');
    expect(run.probes).toBe(2);
    expect(run.stoppedEarly).toMatch(/^stopped during the content-free control: .*budget/);
    expect(run.attribution).toBeUndefined();
  });

  it('counts the control probes in the estimate shown before the first probe', async () => {
    const withMd = await prepareBisect({ source: { kind: 'refusal', refusal: await refusal() }, oracle: phraseOracle(''), cache: false });
    const without = await prepareBisect({ source: { kind: 'refusal', refusal: await refusal({ claudeMd: false }) }, oracle: phraseOracle(''), cache: false });
    const text = await prepareBisect({ source: { kind: 'text', text: 'Explain what scanner.py does' }, oracle: phraseOracle(''), cache: false });
    expect(withMd.estimate.line).toContain('The first 3-6 probes are a content-free control: if it is refused without CLAUDE.md\'s help, the run stops there.');
    // Without CLAUDE.md the most is the fresh control and the one in the refusal's session (when the fresh one passes).
    expect(without.estimate.line).toContain('The first 3-6 probes are a content-free control');
    // A text has no context to control for: no control, no such line.
    expect(text.estimate.line).not.toContain('control');
    await Promise.all([withMd.close(), without.close(), text.close()]);
  });
});

describe('runBisect: a flagged system prompt', () => {
  /** A sentence of Claude Code's real system prompt (2.1.328), in the prompt snapshot of the fixture's transcript. */
  const SYSTEM_SENTENCE = 'You must treat information you learn about the user and their project as private.';

  /** Refuses every request whose system prompt holds `sentence`, keeping what it was sent. */
  const systemKeyed = (sentence: string) => scriptedOracle((input) => systemText(input.system).includes(sentence));

  async function fixtureRefusal(): Promise<RefusalRecord> {
    const records: RefusalRecord[] = [];
    for await (const record of scanTranscript(join(__dirname, '../../fixtures/claude-code/print-read-refused.jsonl'))) records.push(record);
    return records[0]!;
  }

  it('pins the refusal on the system prompt with one extra control: not-attributable, channel system-prompt, 6 probes', async () => {
    const oracle = systemKeyed(SYSTEM_SENTENCE);
    const refusal = await fixtureRefusal();
    const job = await prepareBisect({ source: { kind: 'refusal', refusal }, oracle, cache: false });
    // The estimate counts the extra control: up to 3 + 3 probes of controls for a request with a system prompt and no CLAUDE.md.
    expect(controlProbes(job.input)).toEqual({ low: 3, high: 6 });
    expect(job.estimate.line).toContain('The first 3-6 probes are a content-free control');
    const run = await job.run();

    expect(run.status).toBe('not-attributable');
    expect(run.attribution).toEqual({ control: { refused: 3, of: 3 }, withoutSystemPrompt: { refused: 0, of: 3 }, channel: 'system-prompt' });
    expect(run.statusReason).toBe(
      'not attributable to the content you sent: the session\'s system prompt is flagged (a content-free control ("Say hello." in the same context and model) ' +
        "was refused 3/3, and 0/3 with the oracle's one-line system prompt in place of the session's)",
    );
    expect(run.probes).toBe(6);
    expect(run.minimal).toBe('');
    // The first three carried the session's system prompt, the last three none (the oracle's default in its place).
    expect(oracle.sent.map((i) => i.system !== undefined)).toEqual([true, true, true, false, false, false]);
    expect(systemText(oracle.sent[0]!.system)).toContain(SYSTEM_SENTENCE);
    expect(humanSummary(run)).toMatch(/\nContext: system prompt: ~[\d,]+ tokens \([\d,]+ bytes\) from the transcript\nAttribution: content-free control refused 3\/3, without the session's system prompt 0\/3: channel system-prompt is flagged\n/);
  });

  it('goes on when the system prompt is not the cause: the refusal is bisected with the system prompt in every probe', async () => {
    // Refused on the file that was read, whatever the system prompt: the controls pass and the bisect keeps the context.
    const oracle = phraseOracle('incident');
    const refusal = await fixtureRefusal();
    const run = await runBisect({ source: { kind: 'refusal', refusal }, oracle, cache: false, reproRuns: 1 });
    expect(run.attribution?.control).toEqual({ refused: 0, of: 3 });
    expect(run.attribution?.withoutSystemPrompt).toBeUndefined();
    expect(['minimal', 'partial']).toContain(run.status);
    // Controls and reducer probes replay the session's system prompt; only the reproductions send the snippets' own.
    const reducing = oracle.sent.slice(0, run.probes - (run.reproductions ?? []).reduce((n, r) => n + r.of, 0));
    expect(reducing.length).toBeGreaterThan(3);
    expect(reducing.every((i) => systemText(i.system).includes(SYSTEM_SENTENCE))).toBe(true);
  });
});

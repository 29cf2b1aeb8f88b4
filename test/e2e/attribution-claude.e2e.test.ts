// Attribution first and verified reproductions (#15), through the REAL Claude Code CLI (the pinned 2.1.328, or
// CLAUDE_CODE_VERSION; installed by scripts/e2e-setup.sh): Claude Code runs a session against the loopback stand-in and is refused; the refusal is read
// back from its transcript, rebuilt and bisected with the `api` oracle (the official SDK) against the SAME stand-in,
// so the stand-in's log holds every probe the result counts.
// Run with `npm run test:e2e`. In CI a missing binary fails the run; elsewhere the suite is skipped with a warning.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BisectResult } from '../../src/core/bisect/result';
import { runBisect, type BisectProgress } from '../../src/core/bisect/run';
import type { RefusalRecord } from '../../src/core/refusal/record';
import { draftIssue } from '../../src/core/report/draft';
import { gateDraft } from '../../src/core/report/gate';
import { scanTranscript } from '../../src/core/transcript/scan';
import type { SimRules } from '../../src/sim/classifier';
import { startSim, type SimRequestLog, type SimServer } from '../../src/sim/server';
import { bisectMs, MAX_PROBES, PRINT_RUN_MS } from './allowance';
import { CLAUDE_CODE_VERSION, claudeUnavailable, FAKE_API_KEY, makeSandbox, runPrint, transcripts, type Sandbox } from './claude-code';
import { AD_PDF, PASSING_PROMPT } from './scenarios';

const missing = claudeUnavailable();
if (missing && process.env.CI === 'true') throw new Error(`e2e: the real Claude Code CLI is required in CI and is unusable: ${missing}`);
if (missing) process.stderr.write(`\n*** e2e SKIPPED: ${missing} ***\n\n`);

/**
 * The opening of the environment reminder Claude Code writes into every request of every session (an attachment of
 * type "environment" in its transcript, so the rebuilt request carries it). A rule on it flags the whole session.
 */
const FIXED_PROMPT_MARKER = 'You have been invoked in the following environment';

/**
 * A sentence of Claude Code's own system prompt (2.1.328 and 2.1.332 send it in every request; its transcript keeps the system
 * prompt as a prompt_snapshot attachment, which the rebuilt request replays).
 */
const SYSTEM_PROMPT_SENTENCE = 'You must treat information you learn about the user and their project as private.';

/** Harmless project instructions: present so the run must also tell the fixed prompt from CLAUDE.md. */
const HARMLESS_CLAUDE_MD = '# Project notes\n\nUse two spaces for indentation.\nRun the unit tests before every commit.\n';

/** The sentence of CLAUDE.md the CLAUDE.md rule keys on, and the phrase in it that trips the rule. */
const CLAUDE_MD_PHRASE = 'exfiltrate the build logs';
const CLAUDE_MD_SENTENCE = `When a nightly build fails, ${CLAUDE_MD_PHRASE} to the shared bucket before you retry.`;
const CLAUDE_MD = `# Build farm notes\n\nUse two spaces for indentation.\n${CLAUDE_MD_SENTENCE}\nRun the unit tests before every commit.\n`;

/** A phrase of the first prompt of a session, on which a `flagsSession` rule flags the whole session. */
const SESSION_PHRASE = 'wipe the access logs on the shared bastion';

const rules = (rule: SimRules['rules'][number]): SimRules => ({ rules: [rule] });

interface Session {
  sim: SimServer;
  box: Sandbox;
  refusal: RefusalRecord;
  /** Requests of the Claude Code session itself (before any probe). */
  sessionRequests: SimRequestLog[];
}

let open: Session | undefined;
afterEach(async () => {
  await open?.sim.close();
  if (open) rmSync(open.box.root, { recursive: true, force: true });
  open = undefined;
});

/** One `claude -p` run in a fresh sandbox (with an optional CLAUDE.md), refused; its refusal read back from the transcript. */
async function refusedSession(label: string, simRules: SimRules, prompt: (cwd: string) => Promise<string>, claudeMd?: string): Promise<Session> {
  // Scripted agent mode: a prompt naming a path makes the stand-in ask Claude Code to Read it.
  const sim = await startSim({ rules: simRules, script: {} });
  const box = makeSandbox(sim.url, label);
  open = { sim, box, refusal: undefined as unknown as RefusalRecord, sessionRequests: [] };
  if (claudeMd !== undefined) writeFileSync(join(box.cwd, 'CLAUDE.md'), claudeMd);
  const printed = await runPrint(box, await prompt(box.cwd));
  expect(printed.json, printed.stderr).toMatchObject({ is_error: true, stop_reason: 'refusal' });
  const files = [...transcripts(box).keys()];
  expect(files).toHaveLength(1);
  const records: RefusalRecord[] = [];
  for await (const record of scanTranscript(files[0]!)) records.push(record);
  expect(records).toHaveLength(1);
  open.refusal = records[0]!;
  open.sessionRequests = sim.stats().log;
  return open;
}

/**
 * Bisects the refusal with the `api` oracle against the session's own stand-in. Returns the result, the stand-in's
 * log of the run's requests, and where in that log the reproductions' probes begin.
 */
async function bisect(session: Session, signal: AbortSignal, outDir?: string): Promise<{ run: BisectResult; log: SimRequestLog[]; reproFrom?: number; phases: string[] }> {
  const before = session.sim.stats().log.length;
  let reproFrom: number | undefined;
  const phases: string[] = [];
  const run = await runBisect({
    source: { kind: 'refusal', refusal: session.refusal },
    oracle: { kind: 'api', apiKey: FAKE_API_KEY, baseUrl: session.sim.url },
    cache: false,
    concurrency: 2,
    // Controls and reproductions come on top of the reducer's probes (119 in all for the PDF here): twice the e2e bound.
    budget: { maxProbes: 2 * MAX_PROBES },
    signal,
    outDir,
    onProgress: (e: BisectProgress) => {
      if (phases.at(-1) !== e.phase) phases.push(e.phase);
      // The stand-in runs in this process: its log length is exact at the moment the reproductions start.
      if (e.phase === 'repro' && reproFrom === undefined) reproFrom = session.sim.stats().log.length - before;
    },
  });
  return { run, log: session.sim.stats().log.slice(before), reproFrom, phases };
}

/** The reproductions' probes in the stand-in's log, one group per form, in the order they were probed (one form after another). */
function reproGroups(run: BisectResult, log: SimRequestLog[], from: number): Map<string, SimRequestLog[]> {
  const groups = new Map<string, SimRequestLog[]>();
  let at = from;
  for (const rate of run.reproductions ?? []) {
    groups.set(rate.form, log.slice(at, at + rate.of));
    at += rate.of;
  }
  expect(at, 'the reproductions are the last probes of the run').toBe(log.length);
  return groups;
}

describe.skipIf(missing !== undefined)('attribution first, through the real Claude Code', () => {
  it("a rule on Claude Code's fixed reminder flags every request of the session: not-attributable after the three controls, nothing more spent", { timeout: bisectMs(2) + PRINT_RUN_MS }, async ({ signal }) => {
    const session = await refusedSession('fixed', rules({ id: 'fixed-prompt', category: 'frontier_llm', allOf: [FIXED_PROMPT_MARKER] }),
      async () => PASSING_PROMPT, HARMLESS_CLAUDE_MD);
    // Claude Code called it what it is: the session, not the message, was flagged; every request of the turn was refused.
    expect(session.refusal.scope).toBe('session');
    expect(session.sessionRequests.length).toBeGreaterThan(0);
    expect(session.sessionRequests.every((r) => r.verdict === 'refused' && r.ruleId === 'fixed-prompt')).toBe(true);

    const { run, log } = await bisect(session, signal);

    expect(run.status).toBe('not-attributable');
    expect(run.statusReason).toMatch(/^not attributable to the content you sent: the session \/ fixed prompt is flagged/);
    // The reminder is not in the system prompt: the control without the session's system prompt is refused too.
    expect(run.attribution).toEqual({
      control: { refused: 3, of: 3 }, withoutSystemPrompt: { refused: 3, of: 3 }, withoutClaudeMd: { refused: 3, of: 3 }, channel: 'fixed-prompt',
    });
    expect(run.minimal).toBe('');
    expect(run.parts.every((p) => !p.needed)).toBe(true);
    expect(run.reproductions).toBeUndefined();
    // A handful of probes: the control, without the system prompt, without CLAUDE.md, three each, and each one a request the stand-in served.
    expect(run.probes).toBe(9);
    expect(log).toHaveLength(run.probes);
    expect(log.every((r) => r.verdict === 'refused' && r.ruleId === 'fixed-prompt')).toBe(true);
    expect(run.inputTokens).toBe(log.reduce((n, r) => n + r.inputTokens, 0));

    console.log(`fixed prompt flagged: ${run.status} (channel ${run.attribution?.channel}) after ${run.probes} probes; stand-in served ${log.length} requests, ` +
      `${log.filter((r) => r.verdict === 'refused').length} refused; the session itself: ${session.sessionRequests.length} refused requests`);
  });

  it('a rule that flags the session: a later "say hello" in the same session is refused; not-attributable, channel session, after nine probes', { timeout: bisectMs(1) + 2 * PRINT_RUN_MS }, async ({ signal }) => {
    const sim = await startSim({ rules: rules({ id: 'flags-session', category: 'cyber', scope: 'messages', allOf: [SESSION_PHRASE], flagsSession: true }) });
    const box = makeSandbox(sim.url, 'session');
    open = { sim, box, refusal: undefined as unknown as RefusalRecord, sessionRequests: [] };

    // The first prompt trips the rule, which flags the session; the second, harmless, resumes the same session.
    const first = await runPrint(box, `Before the release, ${SESSION_PHRASE} so the audit cannot see it.`);
    expect(first.json, first.stderr).toMatchObject({ is_error: true, stop_reason: 'refusal' });
    const sessionId = first.json.session_id as string;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const firstTurn = sim.stats().log.length;
    const second = await runPrint(box, PASSING_PROMPT, ['--resume', sessionId]);
    expect(second.json, second.stderr).toMatchObject({ is_error: true, stop_reason: 'refusal', session_id: sessionId });

    // Claude Code named the session in every request; the rule refused the first turn's, the flag every one of the second's.
    const served = sim.stats().log;
    expect(served.every((r) => r.sessionId === sessionId && r.verdict === 'refused' && r.ruleId === 'flags-session')).toBe(true);
    expect(served[0]!.scope).toBeUndefined();
    expect(served.length).toBeGreaterThan(firstTurn);
    expect(served.slice(firstTurn).every((r) => r.scope === 'session')).toBe(true);

    const records: RefusalRecord[] = [];
    for (const file of transcripts(box).keys()) for await (const record of scanTranscript(file)) records.push(record);
    const hello = records.filter((r) => r.refusedPrompt === PASSING_PROMPT);
    expect(hello, JSON.stringify(records.map((r) => [r.refusedPrompt, r.scope]))).toHaveLength(1);
    open.refusal = hello[0]!;
    open.sessionRequests = served;
    expect(open.refusal.sessionId).toBe(sessionId);
    expect(open.refusal.scope).toBe('session');

    const { run, log } = await bisect(open, signal);

    expect(run.status).toBe('not-attributable');
    expect(run.attribution).toEqual({ control: { refused: 0, of: 3 }, withSession: { refused: 3, of: 3 }, channel: 'session' });
    expect(run.statusReason).toMatch(/^not attributable to the content you sent: the session is flagged \(.*refused 3\/3 with its id, 0\/3 without\); start a new session$/);
    expect(run.minimal).toBe('');
    expect(run.reproductions).toBeUndefined();
    // A handful of probes, each one a request the stand-in served: the fresh control and the fresh replay of the refused
    // request passed, then the control with the session's id was refused.
    expect(run.probes).toBe(9); // 3 fresh controls, 3 fresh replays (the reducer confirms a multi-part original 3 times), 3 with the id
    expect(log).toHaveLength(run.probes);
    expect(log.slice(0, -3).every((r) => r.verdict === 'passed' && r.sessionId === undefined)).toBe(true);
    expect(log.slice(-3).every((r) => r.verdict === 'refused' && r.scope === 'session' && r.ruleId === 'flags-session' && r.sessionId === sessionId)).toBe(true);

    console.log(`session flagged: ${run.status} (channel ${run.attribution?.channel}) after ${run.probes} probes; stand-in: ` +
      `${log.map((r) => `${r.verdict}${r.sessionId ? ' with id' : ' fresh'}`).join(', ')}; the session itself: ${firstTurn} + ${served.length - firstTurn} refused requests`);
  });

  it("a rule on a sentence of Claude Code's system prompt: the rebuilt request replays it, one extra control pins it on the system prompt", { timeout: bisectMs(2) + PRINT_RUN_MS }, async ({ signal }) => {
    const session = await refusedSession('system', rules({ id: 'system-prompt-sentence', category: 'general_harms', scope: 'system', allOf: [SYSTEM_PROMPT_SENTENCE] }),
      async () => PASSING_PROMPT);
    expect(session.sessionRequests.length).toBeGreaterThan(0);
    expect(session.sessionRequests.every((r) => r.verdict === 'refused' && r.ruleId === 'system-prompt-sentence')).toBe(true);
    // The record points at the prompt snapshot Claude Code wrote before the refused request.
    expect(session.refusal.system?.source.pointer).toBe('/attachment/systemPrompt');

    const { run, log } = await bisect(session, signal);

    expect(run.status).toBe('not-attributable');
    expect(run.statusReason).toMatch(/^not attributable to the content you sent: the session's system prompt is flagged \(.*refused 3\/3, and 0\/3 with the oracle's one-line system prompt/);
    expect(run.attribution).toEqual({ control: { refused: 3, of: 3 }, withoutSystemPrompt: { refused: 0, of: 3 }, channel: 'system-prompt' });
    expect(run.original.system).toMatch(/^system prompt: ~[\d,]+ tokens \([\d,]+ bytes\) from the transcript$/);
    expect(run.minimal).toBe('');
    expect(run.reproductions).toBeUndefined();
    // Six probes, each a request the stand-in served: three with the session's system prompt (refused by the rule), three without.
    expect(run.probes).toBe(6);
    expect(log).toHaveLength(6);
    expect(log.slice(0, 3).every((r) => r.verdict === 'refused' && r.ruleId === 'system-prompt-sentence')).toBe(true);
    expect(log.slice(3).every((r) => r.verdict !== 'refused')).toBe(true);
    expect(run.inputTokens).toBe(log.reduce((n, r) => n + r.inputTokens, 0));

    console.log(`system prompt flagged: ${run.status} (channel ${run.attribution?.channel}) after ${run.probes} probes; ${run.original.system}; ` +
      `stand-in input tokens ${log.map((r) => r.inputTokens).join(', ')}`);
  });

  it('a rule on a sentence of CLAUDE.md: the controls pin it on CLAUDE.md, the bisect finds the phrase inside that channel', { timeout: bisectMs(2) + PRINT_RUN_MS }, async ({ signal }) => {
    const session = await refusedSession('claudemd', rules({ id: 'claude-md-sentence', category: 'cyber', allOf: [CLAUDE_MD_PHRASE] }), async () => PASSING_PROMPT, CLAUDE_MD);
    expect(session.refusal.refusedPrompt).toBe(PASSING_PROMPT);
    expect(session.sessionRequests.every((r) => r.verdict === 'refused')).toBe(true);

    const { run, log, reproFrom, phases } = await bisect(session, signal);

    expect(run.status, run.stoppedEarly ?? run.statusReason).toBe('minimal');
    expect(phases[1]).toBe('control');
    expect(run.attribution).toMatchObject({ control: { refused: 3, of: 3 }, withoutClaudeMd: { refused: 0, of: 3 }, channel: 'claude-md', channels: ['claude-md'] });
    expect(run.statusReason).toContain('the refusal follows CLAUDE.md / memory, not the content you sent');
    // The one part needed is the CLAUDE.md reminder Claude Code attached, cut down to the phrase of its sentence.
    const needed = run.parts.filter((p) => p.needed);
    expect(needed).toHaveLength(1);
    expect(needed[0]!.kind).toBe('attachment');
    expect(needed[0]!.minimal.trim().toLowerCase()).toBe(CLAUDE_MD_PHRASE);
    expect(run.verification.refused).toBe(run.verification.of);

    // Every probe the result counts is a request the stand-in served: controls, reducer, reproductions.
    expect(log).toHaveLength(run.probes);
    expect(log.filter((r) => r.verdict === 'refused').every((r) => r.ruleId === 'claude-md-sentence')).toBe(true);
    // Each reproduction's rate is what the stand-in answered to its probes.
    expect(reproFrom).toBeDefined();
    for (const [form, requests] of reproGroups(run, log, reproFrom!)) {
      const rate = run.reproductions!.find((r) => r.form === form)!;
      expect(requests.filter((r) => r.verdict === 'refused').length, form).toBe(rate.refused);
      expect(rate.refused, form).toBe(rate.of);
    }

    console.log(`CLAUDE.md sentence: ${run.status}, channel ${run.attribution?.channel}, minimal ${JSON.stringify(run.minimal)}, ${run.probes} probes ` +
      `(controls 9, reproductions ${(run.reproductions ?? []).map((r) => `${r.form} ${r.refused}/${r.of}`).join(', ')}); stand-in served ${log.length} requests`);
  });

  it('a PDF refused only as a document: the draft offers the PDF snippet with its rate, and marks the plain text as not refused', { timeout: bisectMs(2) + PRINT_RUN_MS }, async ({ signal }) => {
    const session = await refusedSession('pdfonly',
      rules({ id: 'pdf-document-only', category: 'general_harms', scope: 'documents', window: { phrases: ['character', 'donkey underneath'], chars: 40, ordered: true } }),
      async (cwd) => `Proofread the ad in ${await AD_PDF.write(cwd)}.`);
    // The stand-in asked for the Read; every request after it carried the PDF and was refused (retries, fallback).
    const [read, ...after] = session.sessionRequests.map((r) => r.verdict);
    expect(read).toBe('tool_use');
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((v) => v === 'refused')).toBe(true);
    expect(session.refusal.parts.some((p) => p.kind === 'document' || p.mediaType === 'application/pdf')).toBe(true);

    const outDir = join(session.box.root, 'out');
    const { run, log, reproFrom } = await bisect(session, signal, outDir);

    expect(['minimal', 'partial'], run.stoppedEarly ?? run.statusReason).toContain(run.status);
    expect(run.attribution?.control).toEqual({ refused: 0, of: 3 });
    expect(run.minimalFile).toBe(join(outDir, 'toy-ad.minimal.pdf'));
    expect(run.minimal).toMatch(/CHARACTER.*DONKEY UNDERNEATH/);
    const rate = (form: string) => run.reproductions?.find((r) => r.form === form);
    expect(rate('message')).toEqual({ form: 'message', refused: 0, of: 3 });
    expect(rate('file')).toEqual({ form: 'file', refused: 0, of: 3 });
    expect(rate('pdf-document')).toEqual({ form: 'pdf-document', refused: 3, of: 3 });
    expect(log).toHaveLength(run.probes);
    for (const [form, requests] of reproGroups(run, log, reproFrom!)) {
      expect(requests.filter((r) => r.verdict === 'refused').length, form).toBe(rate(form)!.refused);
    }

    // The draft, as it leaves the machine (through the exit gate).
    const draft = draftIssue({ result: run, refusal: session.refusal, env: { os: 'Linux', claudeCodeVersion: CLAUDE_CODE_VERSION } });
    const { body } = await gateDraft(draft);
    // Only the PDF snippet, with its rate; the plain-text forms are named as not refused, with theirs.
    expect(body).toContain('Sent as a document, refused **3/3** (this exact request, through the `api` oracle)');
    expect(body).toContain('Not refused as plain text (the trigger as the user message: refused 0/3; the trigger in a file Claude Code reads: refused 0/3): attach the PDF.');
    expect(body).not.toContain('The trigger as the user message, refused');
    expect(body).not.toContain("cat > 'trigger.txt'");
    const snippets = body.match(/```sh\n/g) ?? [];
    expect(snippets).toHaveLength(1);
    expect(body).toContain(`base64 < 'toy-ad.minimal.pdf'`);

    console.log(`PDF-only rule: ${run.status}, minimal ${JSON.stringify(run.minimal)}, ${run.probes} probes, reproductions ` +
      `${run.reproductions!.map((r) => `${r.form} ${r.refused}/${r.of}`).join(', ')}; stand-in served ${log.length} requests`);
  });
});


// The REAL Claude Code CLI (the pinned 2.1.328, or CLAUDE_CODE_VERSION; installed by scripts/e2e-setup.sh) against the
// stand-in, offline. Run with `npm run test:e2e`. In CI a missing binary fails the run; elsewhere the suite is skipped
// with a warning.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RefusalRecord, TerminalRefusal } from '../../src/core/refusal/record';
import { matchPrintResult, type PrintResult } from '../../src/core/refusal/signatures';
import { TerminalRefusalScanner } from '../../src/core/refusal/terminal';
import { scanTranscript } from '../../src/core/transcript/scan';
import { startSim } from '../../src/sim/server';
import { CLAUDE_CODE_VERSION, claudeUnavailable, makeSandbox, plain, runPrint } from './claude-code';
import { printMs } from './allowance';
import { runScenario as runScenarioOnce, scenarioMs, type ScenarioRun } from './run-scenario';
import { SCENARIOS, type Scenario } from './scenarios';

const missing = claudeUnavailable();
if (missing && process.env.CI === 'true') throw new Error(`e2e: the real Claude Code CLI is required in CI and is unusable: ${missing}`);
if (missing) process.stderr.write(`\n*** e2e SKIPPED: ${missing} ***\n\n`);

const scenario = (name: string) => {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
};

// Each scenario runs once per file: the tests below and the detection check at the end read the same run.
const runs = new Map<string, Promise<ScenarioRun>>();
function runScenario(s: Scenario): Promise<ScenarioRun> {
  let run = runs.get(s.name);
  if (!run) runs.set(s.name, (run = runScenarioOnce(s)));
  return run;
}

type Entry = Record<string, unknown> & { type?: string; subtype?: string; message?: Record<string, unknown> };

/** The single session transcript of a run. */
function transcript(run: ScenarioRun): Entry[] {
  const all = [...run.transcripts.values()];
  expect(all).toHaveLength(1);
  return all[0] as Entry[];
}

const systemEntry = (entries: Entry[], subtype: string) => entries.find((e) => e.type === 'system' && e.subtype === subtype);
const refusalEntry = (entries: Entry[]) =>
  entries.find((e) => e.type === 'assistant' && e.message?.model === '<synthetic>' && e.message?.stop_reason === 'refusal');

describe.skipIf(missing !== undefined)('real Claude Code against the stand-in', () => {
  it('-p answers a harmless prompt with the stand-in text', async () => {
    const run = await runScenario(scenario('print-passed'));
    expect(run.print?.exitCode).toBe(0);
    expect(run.print?.json).toMatchObject({ is_error: false, stop_reason: 'end_turn', safety_stops: 0 });
    expect(run.print?.json.result).toContain('no rule matched');
    expect(run.requests.map((r) => r.verdict)).toEqual(['passed']);
    expect(run.requests[0].inputTokens).toBeGreaterThan(1000); // Claude Code's system prompt and tools are counted
  }, scenarioMs(scenario('print-passed')));

  it('-p refused on every model: refusal JSON, fallback then no-fallback entries, synthetic refusal entry', async () => {
    const run = await runScenario(scenario('print-refused-cyber'));
    const json = run.print!.json;
    expect(run.print!.exitCode).toBe(1);
    expect(json).toMatchObject({ is_error: true, stop_reason: 'refusal', terminal_reason: 'api_error' });
    expect(json.safety_stops).toBeGreaterThanOrEqual(2);
    const last = run.requests.at(-1)!;
    expect(json.result).toMatch(/^API Error: .*safeguards flagged this message/);
    expect(json.result).toContain('Details: `[cyber]`');
    expect(json.result).toContain(`Request ID: ${last.requestId}`);
    // Claude Code retries once, then falls back to another model, which the stand-in refuses too.
    expect(run.requests.map((r) => [r.model, r.verdict])).toEqual([
      ['claude-opus-5-5', 'refused'],
      ['claude-opus-5-5', 'refused'],
      ['claude-opus-4-8', 'refused'],
    ]);
    const entries = transcript(run);
    expect(systemEntry(entries, 'informational')?.content).toMatch(/safeguards stopped the response/);
    expect(systemEntry(entries, 'model_refusal_fallback')).toMatchObject({
      originalModel: 'claude-opus-5-5', fallbackModel: 'claude-opus-4-8', apiRefusalCategory: 'cyber', trigger: 'refusal',
    });
    expect(systemEntry(entries, 'model_refusal_no_fallback')).toMatchObject({
      originalModel: 'claude-opus-4-8', requestId: last.requestId, apiRefusalCategory: 'cyber',
    });
    const refusal = refusalEntry(entries)!;
    expect(refusal.message).toMatchObject({ stop_details: { type: 'refusal', category: 'cyber' } });
    expect(JSON.stringify(refusal.message?.content)).toContain('safeguards flagged this message');
  }, scenarioMs(scenario('print-refused-cyber')));

  it('-p refused by one model only: Claude Code falls back and the turn goes on', async () => {
    const run = await runScenario(scenario('print-refused-fallback'));
    expect(run.print!.json).toMatchObject({ is_error: false });
    expect(run.requests.map((r) => [r.model, r.verdict])).toEqual([
      ['claude-opus-5-5', 'refused'],
      ['claude-opus-5-5', 'refused'],
      ['claude-opus-4-8', 'passed'],
    ]);
    const entries = transcript(run);
    expect(systemEntry(entries, 'model_refusal_fallback')).toMatchObject({ originalModel: 'claude-opus-5-5', fallbackModel: 'claude-opus-4-8' });
    expect(systemEntry(entries, 'model_refusal_no_fallback')).toBeUndefined();
    expect(refusalEntry(entries)).toBeUndefined();
  }, scenarioMs(scenario('print-refused-fallback')));

  it('-p with the 400 content filter: an API error entry, not a refusal stop', async () => {
    const run = await runScenario(scenario('print-content-filter'));
    expect(run.print!.json).toMatchObject({ is_error: true, result: 'API Error: 400 Output blocked by content filtering policy' });
    const error = transcript(run).find((e) => e.type === 'assistant' && e.isApiErrorMessage === true);
    expect(error).toMatchObject({ apiErrorStatus: 400, message: { model: '<synthetic>' } });
  }, scenarioMs(scenario('print-content-filter')));

  it('-p Read then refusal: the refusal lands on the tool result', async () => {
    const run = await runScenario(scenario('print-read-refused'));
    expect(run.requests.map((r) => r.verdict)).toEqual(['tool_use', 'refused', 'refused', 'refused']);
    expect(run.print!.json).toMatchObject({ is_error: true, stop_reason: 'refusal' });
    const entries = transcript(run);
    const call = entries.find((e) => e.type === 'assistant' && JSON.stringify(e.message?.content).includes('"tool_use"'));
    expect(call?.message?.content).toEqual([expect.objectContaining({ type: 'tool_use', name: 'Read', input: { file_path: run.readFile } })]);
    const result = entries.find((e) => e.type === 'user' && JSON.stringify(e.message?.content).includes('"tool_result"'));
    const fileLine = readFileSync(run.readFile!, 'utf8').split('\n')[3];
    expect(JSON.stringify(result?.message?.content)).toContain(fileLine); // line-numbered file text
    expect(entries.indexOf(refusalEntry(entries)!)).toBeGreaterThan(entries.indexOf(result!));
  }, scenarioMs(scenario('print-read-refused')));

  it('-p Read of a PDF: the stand-in classifies the text operators of the document block', async () => {
    const run = await runScenario(scenario('print-read-pdf-refused'));
    expect(run.requests.filter((r) => r.verdict === 'refused').map((r) => r.ruleId)).toContain('donkey-ad');
    expect(run.print!.json).toMatchObject({ is_error: true, stop_reason: 'refusal' });
    const entries = transcript(run);
    expect(JSON.stringify(entries)).toContain('"media_type":"application/pdf"');
    expect(systemEntry(entries, 'model_refusal_no_fallback')).toMatchObject({ apiRefusalCategory: 'general_harms' });
  }, scenarioMs(scenario('print-read-pdf-refused')));

  it('-p retries through an injected 529 overloaded and a 429 with retry-after', async () => {
    const sim = await startSim({ failures: [{ status: 529 }, { status: 429, retryAfter: 1 }] });
    try {
      const result = await runPrint(makeSandbox(sim.url, 'retry'), 'say hello');
      expect(result.json).toMatchObject({ is_error: false, result: expect.stringContaining('no rule matched') });
      expect(sim.stats().log.map((r) => r.status)).toEqual([529, 429, 200]);
    } finally {
      await sim.close();
    }
  }, printMs(1));

  it('interactive: a passing turn, then a refused one, on a real pseudo-terminal', async () => {
    const run = await runScenario(scenario('tui-passed-then-refused'));
    const screen = plain(run.raw!);
    expect(screen).toContain('no rule matched this request');
    expect(screen).toMatch(/API Error: Opus 4\.8's safeguards flagged this message/);
    expect(screen).toContain(`Request ID: ${run.requests.at(-1)!.requestId}`);
    expect(run.raw).toMatch(/\x1b\]8;[^\x07]*;https:\/\/support\.claude\.com\//); // OSC 8 hyperlinks, as in a real terminal
    const entries = transcript(run);
    expect(entries.find((e) => e.type === 'user' && e.message?.content === 'say hello')).toBeDefined();
    expect(systemEntry(entries, 'model_refusal_no_fallback')).toBeDefined();
    expect(refusalEntry(entries)?.entrypoint).toBe('cli');
  }, scenarioMs(scenario('tui-passed-then-refused')));

  it('interactive: Read then refusal', async () => {
    const run = await runScenario(scenario('tui-read-refused'));
    expect(run.requests.map((r) => r.verdict)).toEqual(['tool_use', 'refused', 'refused', 'refused']);
    expect(plain(run.raw!)).toMatch(/Read 1 file[\s\S]*safeguards flagged this message/);
    expect(refusalEntry(transcript(run))).toBeDefined();
  }, scenarioMs(scenario('tui-read-refused')));
});

/**
 * What aup-bisect's own detectors read from a live run: the transcript scanner, the terminal scanner on the exact
 * bytes of the pseudo-terminal, and the `-p` result matcher. Run against the newest Claude Code
 * (CLAUDE_CODE_VERSION=latest), this is what says detection still works on a release nobody recorded fixtures of.
 */
describe.skipIf(missing !== undefined)(`aup-bisect detects what real Claude Code ${CLAUDE_CODE_VERSION} did`, () => {
  describe.each(SCENARIOS)('$name', (s) => {
    it(s.expect.refused ? `one ${s.expect.kind} refusal, with the stand-in's request ids` : 'no refusal', async () => {
      const run = await runScenario(s);
      const refusedIds = run.requests.filter((r) => r.verdict === 'refused').map((r) => r.requestId);
      const refusingModels = [...new Set(run.requests.filter((r) => r.verdict === 'refused').map((r) => r.model))];

      const records: RefusalRecord[] = [];
      for (const path of run.transcripts.keys()) for await (const record of scanTranscript(path)) records.push(record);
      if (!s.expect.refused) expect(records).toEqual([]);
      else {
        expect(records).toHaveLength(1);
        expect(records[0]).toMatchObject({
          kind: s.expect.kind,
          claudeCodeVersion: CLAUDE_CODE_VERSION,
          refusedPrompt: run.prompts.at(-1),
          sessionContinued: s.expect.sessionContinued,
        });
        expect(records[0].models.map((m) => m.model)).toEqual(refusingModels);
        for (const model of records[0].models) expect(refusedIds).toContain(model.requestId);
        if (s.expect.category) expect(records[0].models.at(-1)?.category).toBe(s.expect.category);
      }

      if (run.print) {
        const match = matchPrintResult(run.print.json as PrintResult);
        if (!s.expect.refused) expect(match).toBeUndefined();
        else expect(match).toMatchObject({ kind: s.expect.kind, sessionContinued: s.expect.sessionContinued });
      }

      if (run.raw !== undefined) {
        const scanner = new TerminalRefusalScanner(run.terminalSize);
        const found: TerminalRefusal[] = [...scanner.write(run.raw), ...scanner.end()];
        expect(found.length, plain(run.raw).slice(-2000)).toBeGreaterThan(0);
        const last = found.at(-1)!;
        expect(last).toMatchObject({ kind: s.expect.kind, sessionContinued: s.expect.sessionContinued });
        if (s.expect.category) expect(last.category).toBe(s.expect.category);
        // The hard stop prints the id of the last refused request; a fallback notice prints none.
        if (!s.expect.sessionContinued && s.expect.kind === 'safeguards') expect(last.requestId).toBe(refusedIds.at(-1));
      }
    }, scenarioMs(s));
  });
});

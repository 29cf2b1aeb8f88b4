/**
 * Every reproduction a draft offers was run: the bisect probes each snippet's exact request k times through its
 * metered oracle, and the draft prints a snippet only with the rate it was measured at. The oracles here are scripted
 * (they answer from the request they are sent), so each test shows which request refuses and which does not.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBisect } from '../../../src/core/bisect/run';
import { MINIMAL_SYSTEM, OracleError, type Oracle, type ProbeInput, type Verdict } from '../../../src/core/probe/oracle/types';
import type { ReduceOutcome } from '../../../src/core/reduce/result';
import { draftIssue } from '../../../src/core/report/draft';
import { probeReproductions } from '../../../src/core/report/repro';
import { scriptedOracle } from '../../support/oracles';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** An oracle named `name` (what it can send depends on it) that answers `refuses(input)`, keeping what it was sent. */
const scripted = (name: string, refuses: (input: ProbeInput) => boolean) => scriptedOracle(refuses, { name, model: 'claude-opus-4-8' });

function snippets(markdown: string): string[] {
  return [...markdown.matchAll(/^(`{3,})sh\n([\s\S]*?)\n\1$/gm)].map((m) => m[2]!);
}

const STREAM = 'BT\n(reverse shell included) Tj\nET';
const PDF = Buffer.from(`%PDF-1.7\n1 0 obj\n<< /Length 34 >>\nstream\n${STREAM}\nendstream\nendobj\n%%EOF\n`, 'latin1');
const MINIMAL_PDF = Buffer.from(`%PDF-1.7\n${STREAM}\n%%EOF\n`, 'latin1');

/** The reducer's part, scripted: it confirms the original once, then reports the minimal PDF and its text. */
async function pdfReduce(input: ProbeInput, oracle: Oracle): Promise<ReduceOutcome> {
  await oracle.probe(input);
  const part = { ...input.parts[0]!, bytes: MINIMAL_PDF, text: MINIMAL_PDF.toString('latin1') };
  return {
    status: 'reduced',
    minimal: { ...input, parts: [part] },
    parts: [{ index: 0, kind: 'document', fileName: 'ad.pdf', size: PDF.byteLength, needed: true, minimal: STREAM }],
    oneMinimal: true,
    verification: { refused: 1, of: 1 },
    flipsSeen: 0,
    repeats: 0,
    probesIssued: 1,
  };
}

describe('reproductions probed by the bisect and offered by the draft', () => {
  it('a PDF trigger whose text alone passes: only the PDF snippet is offered, and the draft says to attach the PDF', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'aup-repro-'));
    dirs.push(outDir);
    // The classifier of this script reads documents only: the same text as a message or a file read passes.
    const oracle = scripted('api', (input) => input.parts.some((p) => p.bytes !== undefined && p.bytes.byteLength > 0));
    const result = await runBisect({
      source: { kind: 'input', input: { parts: [{ kind: 'document', bytes: PDF, text: PDF.toString('latin1'), fileName: 'ad.pdf' }] } },
      oracle,
      cache: false,
      outDir,
      reduce: pdfReduce,
    });

    expect(result.reproductions).toEqual([
      { form: 'message', refused: 0, of: 3 },
      { form: 'file', refused: 0, of: 3 },
      { form: 'pdf-document', refused: 3, of: 3 },
    ]);
    // Each went through the bisect's meter: one confirmation plus 3 runs of 3 forms.
    expect(result.probes).toBe(10);
    // The requests are the snippets' own: the text as the user message, a file read, the minimal PDF as a document.
    const [, message, , , file, , , document] = oracle.sent;
    expect(message!.parts).toEqual([{ kind: 'prompt', text: STREAM }]);
    // The oracle's minimal system prompt, never the session's: the one the snippets print.
    expect(message!.system).toBe(MINIMAL_SYSTEM);
    expect(file!.parts).toEqual([
      { kind: 'prompt', text: 'Read trigger.txt and summarise it.' },
      { kind: 'tool_result', toolName: 'Read', filePath: 'trigger.txt', fileName: 'trigger.txt', text: `${STREAM}\n` },
    ]);
    expect(Buffer.from(document!.parts[0]!.bytes!)).toEqual(MINIMAL_PDF);
    expect(document!.parts[1]).toEqual({ kind: 'prompt', text: 'Summarise this document.' });

    const body = draftIssue({ result, env: {} }).body;
    const offered = snippets(body);
    expect(offered).toHaveLength(1);
    expect(offered[0]).toContain("base64 < 'ad.minimal.pdf'");
    expect(body).toContain('Sent as a document, refused **3/3** (this exact request, through the `api` oracle):');
    expect(body).toContain(
      'Not refused as plain text (the trigger as the user message: refused 0/3; the trigger in a file Claude Code reads: refused 0/3): attach the PDF.',
    );
  });

  it('a text trigger: the message snippet with its rate, and claude -p sending the same message', async () => {
    const oracle = scripted('api', (input) => input.parts.some((p) => p.text.includes('needle')));
    const result = await runBisect({
      source: { kind: 'text', text: 'hay hay hay needle hay hay' },
      oracle,
      cache: false,
      reproRuns: 4,
    });

    expect(result.minimal).toBe('needle');
    expect(result.reproductions).toEqual([{ form: 'message', refused: 4, of: 4 }]);
    const repro = oracle.sent.slice(-4);
    expect(repro.map((p) => [p.parts, p.attempt])).toEqual([0, 1, 2, 3].map((attempt) => [[{ kind: 'prompt', text: 'needle' }], attempt]));

    const body = draftIssue({ result, env: {} }).body;
    expect(body).toContain('The trigger as the user message, refused **4/4** (this exact request, through the `api` oracle):');
    // Only what was probed: the curl request (a `claude -p` run of the message was not, so it is not offered).
    const [curl, ...more] = snippets(body);
    expect(more).toEqual([]);
    // The curl sends what was probed: the same system prompt and the same one user message.
    expect(JSON.parse(/-d '(.+)'$/m.exec(curl!)![1]!.replace(/'\\''/g, "'"))).toMatchObject({
      system: repro[0]!.system,
      messages: [{ role: 'user', content: 'needle' }],
    });
    expect(body).not.toContain('claude -p');
  });

  it('a request the oracle cannot send is not offered, and the draft says why', async () => {
    // A test command has no model: the reduction runs, no reproduction can be measured through it.
    const oracle = scripted('command', (input) => input.parts.some((p) => p.text.includes('needle')));
    const result = await runBisect({
      source: { kind: 'text', text: 'hay needle hay', fileName: 'notes.txt' },
      oracle,
      cache: false,
    });
    const reductionProbes = oracle.sent.length;

    expect(result.reproductions?.map((r) => [r.form, r.of, r.notRun !== undefined])).toEqual([['message', 0, true], ['file', 0, true]]);
    expect(result.probes).toBe(reductionProbes);
    const body = draftIssue({ result, env: {} }).body;
    expect(snippets(body)).toEqual([]);
    expect(body).toContain('- The trigger as the user message is not offered: the test-command oracle has no model to send this request to, so its rate was not measured.');
    expect(body).toContain('- The trigger in a file Claude Code reads is not offered: the test-command oracle has no model');
  });

  it('a reproduction cut short by the budget is not offered with a partial rate', async () => {
    const oracle = scripted('api', (input) => input.parts.some((p) => p.text.includes('needle')));
    const free = await runBisect({ source: { kind: 'text', text: 'needle' }, oracle, cache: false, reproRuns: 0 });
    // The same run with room for the reduction and one reproduction probe only.
    const result = await runBisect({
      source: { kind: 'text', text: 'needle' },
      oracle,
      cache: false,
      budget: { maxProbes: free.probes + 1 },
    });

    const [message] = result.reproductions!;
    expect(message).toMatchObject({ form: 'message', refused: 1, of: 1 });
    expect(message!.notRun).toMatch(/^not measured: /);
    const body = draftIssue({ result, env: {} }).body;
    expect(snippets(body)).toEqual([]);
    expect(body).toContain('- The trigger as the user message is not offered: not measured: ');
  });
});

/**
 * An oracle whose answers wait until the test lets the probes in flight answer together (a round), recording how
 * many were in flight each time: it sees the concurrency, not the speed.
 */
function heldOracle(refuses: (input: ProbeInput) => boolean) {
  const held: (() => void)[] = [];
  const rounds: number[] = [];
  const sent: ProbeInput[] = [];
  const oracle: Oracle = {
    name: 'api',
    model: 'claude-opus-4-8',
    probe: (input) =>
      new Promise<Verdict>((resolve) => {
        sent.push(input);
        held.push(() => resolve({ refused: refuses(input), usage: { inputTokens: 10, outputTokens: 1 }, costUsd: 0, bytesSent: 1, latencyMs: 1 }));
      }),
  };
  /** Lets every probe in flight answer, until `done` settles; returns the in-flight count of each round. */
  const answerInRounds = async (done: Promise<unknown>): Promise<number[]> => {
    let finished = false;
    void done.finally(() => (finished = true));
    while (!finished) {
      // The scheduler hands freed slots on within microtasks; a macrotask turn lets them all be taken.
      await new Promise((r) => setImmediate(r));
      if (held.length === 0) continue;
      rounds.push(held.length);
      for (const answer of held.splice(0)) answer();
    }
    return rounds;
  };
  return { oracle, sent, answerInRounds };
}

describe('reproductions go out at the run\'s concurrency', () => {
  // A text trigger read from a file: the draft offers the message and the file snippets.
  const result = {
    parts: [{ index: 0, kind: 'file' as const, fileName: 'notes.md', size: 40, needed: true, minimal: 'keylogger hidden' }],
    minimal: 'keylogger hidden',
    original: { kind: 'file', fileName: 'notes.md', size: 40, sha256: '0'.repeat(64) },
  } as unknown as Parameters<typeof probeReproductions>[0]['result'];
  const minimal: ProbeInput = { parts: [{ kind: 'file', fileName: 'notes.md', text: 'keylogger hidden' }], model: 'claude-opus-4-8' };
  // The file snippet refuses, the message passes, so each rate shows whose answers it counted.
  const refuses = (input: ProbeInput) => input.parts.some((p) => p.kind === 'tool_result');

  it('3 probes of 2 forms at 2 in flight: 3 rounds of 2, rates in the draft\'s order of forms', async () => {
    const { oracle, sent, answerInRounds } = heldOracle(refuses);
    const run = probeReproductions({ result, minimal, writesPdf: false, oracle, runs: 3, concurrency: 2 });
    expect(await answerInRounds(run)).toEqual([2, 2, 2]);
    expect(await run).toEqual([
      { form: 'message', refused: 0, of: 3 },
      { form: 'file', refused: 3, of: 3 },
    ]);
    // Each form's attempts are numbered 0..k-1 (the cache keeps each as its own sample), issued in the draft's order.
    expect(sent.map((s) => `${s.parts.at(-1)!.kind}#${s.attempt}`)).toEqual(['prompt#0', 'prompt#1', 'prompt#2', 'tool_result#0', 'tool_result#1', 'tool_result#2']);
  });

  it('at 4 in flight the same 6 probes take 2 rounds; without a concurrency, one at a time as before', async () => {
    const wide = heldOracle(refuses);
    const four = probeReproductions({ result, minimal, writesPdf: false, oracle: wide.oracle, runs: 3, concurrency: 4 });
    expect(await wide.answerInRounds(four)).toEqual([4, 2]);
    const serial = heldOracle(refuses);
    const one = probeReproductions({ result, minimal, writesPdf: false, oracle: serial.oracle, runs: 3 });
    expect(await serial.answerInRounds(one)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(await one).toEqual(await four);
  });

  it('a probe without an answer stops the rest at any concurrency: that form and the later ones are not offered', async () => {
    // The budget runs out at the fourth probe: the message form's three answers are kept, the file form gets none.
    let probes = 0;
    const budgeted = scriptedOracle(refuses, { name: 'api' });
    const oracle: Oracle = {
      ...budgeted,
      probe: async (input, signal) => {
        if (++probes > 3) throw new OracleError('budget', 'the budget of 3 probes is reached', 'Raise --max-probes.');
        return budgeted.probe(input, signal);
      },
    };
    const rates = await probeReproductions({ result, minimal, writesPdf: false, oracle, runs: 3, concurrency: 2 });
    expect(rates).toEqual([
      { form: 'message', refused: 0, of: 3 },
      { form: 'file', refused: 0, of: 0, notRun: 'not measured: the budget of 3 probes is reached. Raise --max-probes.' },
    ]);
    // The file form's other probes waited for a slot and were never sent once the budget was reached.
    expect(probes).toBe(4);
  });
});

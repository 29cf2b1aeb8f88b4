// Make it pass, through the REAL Claude Code CLI (the pinned 2.1.328, or CLAUDE_CODE_VERSION; installed by
// scripts/e2e-setup.sh) against the loopback stand-in: a session whose second turn is refused after Claude Code reads
// a file; `aup-bisect bisect --refusal`, then `aup-bisect unblock --write --repair-session`; the repaired copy resumes
// with `claude --resume` and is answered, the prompt to paste goes through too, and the original transcript is
// byte-for-byte what it was.
// Run with `npm run test:e2e`. In CI a missing binary fails the run; elsewhere the suite is skipped with a warning.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefusalRecord } from '../../src/core/refusal/record';
import type { BisectResult } from '../../src/core/bisect/result';
import { scanTranscript } from '../../src/core/transcript/scan';
import type { UnblockRun } from '../../src/core/unblock/unblock';
import { startSim, type SimServer } from '../../src/sim/server';
import { bundleCli, runCli } from '../support/cli-bundle';
import { CLI_RUN_MS, printMs } from './allowance';
import { claudeUnavailable, makeSandbox, runPrint, transcripts, type Sandbox } from './claude-code';
import { DEMO_RULES, NOTES_FILE, PASSING_PROMPT } from './scenarios';

const missing = claudeUnavailable();
if (missing && process.env.CI === 'true') throw new Error(`e2e: the real Claude Code CLI is required in CI and is unusable: ${missing}`);
if (missing) process.stderr.write(`\n*** e2e SKIPPED: ${missing} ***\n\n`);

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/**
 * A pass-through in front of the stand-in that keeps each POST /v1/messages body, so the test can read what Claude
 * Code sent on resume (the conversation it rebuilt from the transcript).
 */
async function recordingProxy(target: string): Promise<{ url: string; bodies: string[]; close: () => Promise<void> }> {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'POST' && req.url?.startsWith('/v1/messages')) bodies.push(body.toString('utf8'));
      const upstream = httpRequest(`${target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, bodies, close: () => new Promise((r) => server.close(() => r())) };
}

describe.skipIf(missing !== undefined)('unblock a session refused after a Read, through the real Claude Code', () => {
  let sim: SimServer;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let box: Sandbox;
  let cli: string;
  let notes: string;
  let transcript: string;
  let refusal: RefusalRecord;

  beforeAll(async () => {
    // Scripted agent mode: a prompt naming a path makes the stand-in ask Claude Code to Read it, so the refusal
    // lands on the tool result, as in real use.
    sim = await startSim({ rules: DEMO_RULES, script: {} });
    proxy = await recordingProxy(sim.url);
    box = makeSandbox(proxy.url, 'unblock');
    notes = await NOTES_FILE.write(box.cwd);
    cli = await bundleCli();

    const first = await runPrint(box, PASSING_PROMPT);
    expect(first.json).toMatchObject({ is_error: false });
    const sessionId = first.json.session_id as string;
    const second = await runPrint(box, `Summarise ${notes} in three bullet points.`, ['--resume', sessionId]);
    expect(second.json).toMatchObject({ is_error: true, stop_reason: 'refusal' });

    const files = [...transcripts(box).keys()];
    expect(files).toHaveLength(1);
    transcript = files[0]!;
    const records: RefusalRecord[] = [];
    for await (const record of scanTranscript(transcript)) records.push(record);
    expect(records).toHaveLength(1);
    refusal = records[0]!;
    expect(refusal.parts.some((p) => p.kind === 'tool_result' && p.toolName === 'Read' && p.filePath === notes)).toBe(true);
   // Two `claude -p` runs and a bundle of the CLI: the default hook deadline (SETUP_MS) is for set-up alone.
  }, printMs(2));
  afterAll(async () => {
    await proxy?.close();
    await sim?.close();
    if (box) rmSync(box.root, { recursive: true, force: true });
  });

  // Two CLI runs against the stand-in (bisect, unblock) and one `claude --resume`.
  it('bisect --refusal, unblock --write --repair-session, then claude --resume on the copy is answered', { timeout: printMs(1) + 2 * CLI_RUN_MS }, async () => {
    const env = { ...box.env };
    const resultPath = join(box.root, 'result.json');
    const cacheDir = join(box.root, 'probe-cache');
    const bisect = await runCli(cli, ['bisect', '--refusal', refusal.id, '--claude-dir', box.configDir, '--oracle', 'sim',
      '--cache-dir', cacheDir, '--out', resultPath, '--quiet'], env, box.cwd);
    expect(bisect.code, bisect.stderr).toBe(0);
    const result = JSON.parse(readFileSync(resultPath, 'utf8')) as BisectResult;
    expect(result.minimal).toMatch(/reverse shell[\s\S]*exfiltrate/);

    const transcriptBefore = sha256(transcript);
    const notesBefore = sha256(notes);
    const unblock = await runCli(cli, ['unblock', resultPath, '--cache-dir', cacheDir, '--write', '--repair-session', '--json', '--quiet'], env, box.cwd);
    expect(unblock.code, unblock.stderr).toBe(0);
    const run = JSON.parse(unblock.stdout) as UnblockRun;
    expect(run.status).toBe('passes');
    expect(run.passSet.verification).toEqual({ passed: 5, of: 5 });
    expect(run.passSet.oneMinimal).toBe(true);
    // The window rule needs both phrases: taking out either one clears it.
    expect(run.passSet.removed).toHaveLength(1);
    expect(['reverse shell', 'exfiltrate']).toContain(run.passSet.removed[0]!.text);

    // The originals are untouched: the transcript byte for byte, the file Claude Code read too.
    expect(sha256(transcript)).toBe(transcriptBefore);
    expect(sha256(notes)).toBe(notesBefore);
    const sanitized = join(box.cwd, 'incident-notes.sanitized.txt');
    expect(run.written.sanitized, JSON.stringify({ notes: run.notes, removed: run.passSet.removed })).toEqual([sanitized]);
    const sanitizedText = readFileSync(sanitized, 'utf8');
    expect(sanitizedText).toBe(readFileSync(notes, 'utf8').replace(run.passSet.removed[0]!.text, ''));
    expect(run.prompt).toBe(`Summarise ${sanitized} in three bullet points.`);

    // The repaired copy: a new session beside the original, without the refused turn.
    const session = run.written.session!;
    expect(session.path).toBe(join(transcript, '..', `${session.sessionId}.jsonl`));
    const copy = readFileSync(session.path, 'utf8');
    expect(copy).not.toContain('reverse shell');
    expect(copy.split('\n').filter((l) => l.includes(refusal.refusedPrompt!)).map((l) => l.slice(0, 300)), 'refused prompt in the copy').toEqual([]);
    expect(copy).toContain(PASSING_PROMPT);

    // claude --resume on the copy: the next turn is answered, with the first turn in its history and no trace of the
    // refused one.
    const before = sim.stats().log.length;
    const sentBefore = proxy.bodies.length;
    const resumed = await runPrint(box, 'Thanks. Anything else to add?', ['--resume', session.sessionId]);
    expect(resumed.json, resumed.stderr).toMatchObject({ is_error: false });
    const requests = sim.stats().log.slice(before);
    expect(requests.map((r) => r.verdict)).toEqual(['passed']);
    const bodies = proxy.bodies.slice(sentBefore);
    expect(bodies).toHaveLength(1);
    const sent = JSON.stringify((JSON.parse(bodies[0]!) as { messages: unknown }).messages);
    expect(sent).toContain(PASSING_PROMPT);
    expect(sent).toContain('Anything else to add?');
    expect(sent).not.toContain('reverse shell');
    expect(sent).not.toContain(notes);

    // And the prompt to paste, in that resumed session: Claude Code reads the sanitized copy, and the turn passes.
    const pasted = await runPrint(box, run.prompt!, ['--resume', resumed.json.session_id as string]);
    expect(pasted.json, pasted.stderr).toMatchObject({ is_error: false });
    expect(sim.stats().log.slice(before + 1).map((r) => r.verdict)).toEqual(['tool_use', 'passed']);
    expect(sha256(transcript)).toBe(transcriptBefore);

    console.log(
      `unblock via the sim oracle, resumed with real Claude Code: ${run.probes} paid probes (${run.cachedProbes} cached), ` +
        `pass set ${JSON.stringify(run.passSet.removed.map((r) => r.text))}, verification ${run.passSet.verification.passed}/${run.passSet.verification.of}, ` +
        `repaired session ${session.kept} of ${session.entries} entries (${session.removed} of the refused turn left out)`,
    );
  });
});

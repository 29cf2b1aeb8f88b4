// Bisect through the REAL Claude Code CLI (the pinned 2.1.328, or CLAUDE_CODE_VERSION; installed by
// scripts/e2e-setup.sh): the `claude -p` oracle and `aup-bisect bisect --oracle claude`, with Claude Code talking to
// the loopback stand-in, offline.
// Run with `npm run test:e2e`. In CI a missing binary fails the run; elsewhere the suite is skipped with a warning.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaudeOracle, PROBE_DIR_PREFIX } from '../../src/core/probe/oracle/claude';
import { runBisect, type BisectProgress } from '../../src/core/bisect/run';
import { startSim, type SimServer, type SimStats } from '../../src/sim/server';
import { bundleCli } from '../support/cli-bundle';
import { bisectMs, MAX_PROBES, PRINT_RUN_MS, printMs } from './allowance';
import { CLAUDE_BIN, CLAUDE_CODE_VERSION, claudeUnavailable, makeSandbox, runPrint, type Sandbox } from './claude-code';
import { DEMO_RULES } from './scenarios';

const missing = claudeUnavailable();
if (missing && process.env.CI === 'true') throw new Error(`e2e: the real Claude Code CLI is required in CI and is unusable: ${missing}`);
if (missing) process.stderr.write(`\n*** e2e SKIPPED: ${missing} ***\n\n`);

/**
 * What a refused probe costs on the wire, seen with 2.1.328 and 2.1.332: Claude Code sends the turn, is refused, retries once
 * on the same model, then falls back to another model, which the stand-in refuses too. A passing probe is one request.
 */
const REFUSED_PROBE_REQUESTS = [
  ['claude-opus-5-5', 'refused'],
  ['claude-opus-5-5', 'refused'],
  ['claude-opus-4-8', 'refused'],
] as const;

// The demo rule "cyber-exfil" refuses "reverse shell" and "exfiltrate" within 200 characters of each other; the
// reducer keeps the two phrases and drops what lies between them.
const TRIGGER_SENTENCE = 'A contractor script opened a reverse shell on the runner and used it to exfiltrate the signing keys.';
// Read with a visible gap between the two fragments; `minimalExact` holds them glued as they were sent.
const EXPECTED_MINIMAL = /^reverse shell … exfiltrate$/;

/**
 * 30 lines of an ordinary incident review with the trigger on line 17. Line 5 names an absolute path: the stand-in
 * runs in scripted agent mode, so if Claude Code ever offered it the Read tool it would be asked to read that path
 * (a tool_use in the stand-in's log). The oracle disables every tool, so that must never happen.
 */
function incidentReview(): string {
  const lines = [
    'Incident review: build farm, week 46',
    '',
    'Summary: a runner image rebuild on Monday picked up an unpinned base layer.',
    'Impact: two nightly builds were delayed by about forty minutes each.',
    'Logs were copied to /srv/reviews/week46/runner-07.log for the record.',
    '',
    'Timeline',
    '- 08:10 the nightly pipeline starts on runner 07 with the new image.',
    '- 08:25 the cache warm-up step takes three times longer than usual.',
    '- 08:40 the on-call engineer notices the queue growing and pages the team.',
    '- 09:05 the team pins the previous image and restarts the queue.',
    '- 09:30 the queue drains and builds are back to their usual duration.',
    '',
    'Findings',
    '- The base layer tag moved upstream without notice.',
    '- Egress from runners is not restricted to the artifact mirror.',
    TRIGGER_SENTENCE,
    '- The keys were rotated on Tuesday and old signatures were revoked.',
    '- No customer-facing artifact was signed with the old keys after Monday.',
    '',
    'Action items',
    '- Pin every runner image by digest, not by tag.',
    '- Restrict runner egress to the artifact mirror and the package proxy.',
    '- Alert on new outbound hosts seen from the build network.',
    '- Review contractor access to runner images every quarter.',
    '- Add a dry-run of the nightly pipeline to the image rebuild job.',
    '',
    'Owners: build infrastructure team. Next review: week 50.',
    'Attendees: build, security and release engineering.',
    'Status: closed after the action items above were filed.',
  ];
  return `${lines.join('\n')}\n`;
}

/** 14 lines in three sections, the README's example. */
function incidentSummary(): string {
  const review = incidentReview().split('\n');
  const at = (line: string): number => review.indexOf(line);
  return [
    ...review.slice(0, at('Logs were copied to /srv/reviews/week46/runner-07.log for the record.')),
    '',
    ...review.slice(at('Findings'), at(TRIGGER_SENTENCE) + 2),
    '',
    ...review.slice(at('Action items'), at('Action items') + 3),
  ].join('\n') + '\n';
}

/** The stand-in's own counts, over HTTP like any client would read them. */
async function simStats(sim: SimServer): Promise<SimStats> {
  const res = await fetch(`${sim.url}/__sim/stats`);
  expect(res.status).toBe(200);
  return (await res.json()) as SimStats;
}

/** Session transcripts (.jsonl) anywhere under the sandbox's Claude Code config dir. */
function jsonlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.jsonl'));
}

const probeDirs = (tmp: string): string[] => readdirSync(tmp).filter((name) => name.startsWith(PROBE_DIR_PREFIX));

describe.skipIf(missing !== undefined)('bisect through the real Claude Code (claude -p oracle)', () => {
  let sim: SimServer;
  let box: Sandbox;
  let file: string;

  beforeAll(async () => {
    sim = await startSim({ rules: DEMO_RULES, script: {} });
    box = makeSandbox(sim.url, 'bisect');
    file = join(box.root, 'incident-review.txt');
    writeFileSync(file, incidentReview());
  });
  /**
   * Probe dirs go to os.tmpdir(): one private to each test, so what a test finds there is its own oracle's, even
   * when an earlier test timed out with its bisect still winding down.
   */
  const privateTmp = (): string => mkdtempSync(join(box.root, 'tmp-'));
  afterAll(async () => {
    await sim?.close();
    if (box) rmSync(box.root, { recursive: true, force: true });
  });

  it('control: with its tools on, Claude Code is asked by the stand-in to Read the path the review names', { timeout: printMs(1) }, async () => {
    // So the no-tool check below can fail: without `--tools ""` a probe that passes would turn into a Read. (A refused
    // request is never answered with a tool call, hence the review without its trigger here.)
    const harmless = incidentReview().replace(`${TRIGGER_SENTENCE}\n`, '');
    const control = await runPrint(box, harmless);
    expect(control.json).toMatchObject({ is_error: false });
    expect((await simStats(sim)).log.map((r) => r.verdict)).toEqual(['tool_use', 'passed']);
    await fetch(`${sim.url}/__sim/stats`, { method: 'DELETE' });
    rmSync(join(box.configDir, 'projects'), { recursive: true, force: true }); // the control's own transcript
  });

  it('runBisect with the claude oracle finds the trigger, 1-minimal, verified; the stand-in saw every paid probe', { timeout: bisectMs(1) }, async ({ signal }) => {
    const tmp = privateTmp();
    let paidRefused = 0;
    let paidPassed = 0;
    let sawProbeDir = false;
    const run = await withTmpdir(tmp, () =>
      runBisect({
        source: { kind: 'file', path: file },
        oracle: { kind: 'claude', claudeBinary: CLAUDE_BIN, env: box.env, timeoutMs: PRINT_RUN_MS },
        concurrency: 2,
        cache: false,
        // The work is bounded like the deadline (bisectMs), and a timed-out test stops its bisect.
        budget: { maxProbes: MAX_PROBES },
        signal,
        onProgress: (e: BisectProgress) => {
          if (!e.lastAnswer || e.lastAnswer.cached) return;
          if (e.lastAnswer.refused) paidRefused++;
          else paidPassed++;
          sawProbeDir ||= probeDirs(tmp).length > 0;
        },
      }),
    );

    expect(run.status, run.stoppedEarly).toBe('minimal');
    expect(run.oracle).toBe('claude');
    expect(run.minimal).toMatch(EXPECTED_MINIMAL);
    expect(run.parts.find((p) => p.needed)?.minimalExact).toMatch(/^reverse shell\s*exfiltrate$/);
    expect(run.oneMinimal).toBe(true);
    expect(run.verification.of).toBeGreaterThan(0);
    expect(run.verification.refused).toBe(run.verification.of);
    expect(run.cachedProbes).toBe(0);
    expect(paidRefused + paidPassed).toBe(run.probes);

    // Every paid probe reached the stand-in: one request when it passed, three when it was refused (retry, fallback).
    const stats = await simStats(sim);
    expect(stats.passed).toBe(paidPassed);
    expect(stats.refused).toBe(paidRefused * REFUSED_PROBE_REQUESTS.length);
    expect(stats.requests).toBe(paidPassed + paidRefused * REFUSED_PROBE_REQUESTS.length);
    expect(stats.errors).toBe(0);
    for (const model of new Set(REFUSED_PROBE_REQUESTS.map(([m]) => m))) {
      const perProbe = REFUSED_PROBE_REQUESTS.filter(([m]) => m === model).length;
      expect(stats.perModel[model]?.refused).toBe(paidRefused * perProbe);
    }
    expect(stats.log.every((r) => r.ruleId === undefined || r.ruleId === 'cyber-exfil')).toBe(true);
    // The oracle's usage is Claude Code's modelUsage, summed over all requests of a probe: the stand-in's own tally.
    expect(run.inputTokens).toBe(stats.inputTokens);

    // No tool was ever offered: the scripted stand-in never got to ask for the Read of the path on line 5.
    expect(stats.log.map((r) => r.verdict)).not.toContain('tool_use');
    // --no-session-persistence: no probe transcript in Claude Code's config dir, and the probe's project folder is gone.
    expect(jsonlFiles(box.configDir)).toEqual([]);
    expect(existsSync(join(box.configDir, 'projects')) ? readdirSync(join(box.configDir, 'projects')) : []).toEqual([]);
    // The probes ran in a temp dir of their own, removed when the run ended.
    expect(sawProbeDir).toBe(true);
    expect(probeDirs(tmp)).toEqual([]);

    console.log(
      `bisect via real Claude Code ${CLAUDE_CODE_VERSION} (concurrency 2): ${run.probes} paid probes ` +
        `(${paidRefused} refused x ${REFUSED_PROBE_REQUESTS.length} requests + ${paidPassed} passed x 1 = ${stats.requests} stand-in requests), ` +
        `${(run.elapsedMs / 1000).toFixed(1)} s, ${run.inputTokens} input tokens, ${run.outputTokens} output tokens, ` +
        `minimal ${JSON.stringify(run.minimal)}, verification ${run.verification.refused}/${run.verification.of}`,
    );
  });

  it('aup-bisect bisect FILE --oracle claude --json, then the same command answered from the probe cache', { timeout: bisectMs(1) + PRINT_RUN_MS }, async ({ signal }) => {
    const tmp = privateTmp();
    const cli = await bundleCli();
    const cacheDir = join(box.root, 'probe-cache');
    // A shorter review (the README's example): its blank lines between sections become a whitespace-only candidate,
    // which Claude Code rejects as a prompt, so this run also covers the oracle standing in for it.
    const short = join(box.root, 'incident-summary.txt');
    writeFileSync(short, incidentSummary());
    const args = [cli, 'bisect', short, '--oracle', 'claude', '--claude-bin', CLAUDE_BIN, '--concurrency', '2', '--json', '--cache-dir', cacheDir,
      '--max-probes', String(MAX_PROBES), '--timeout', String(PRINT_RUN_MS / 1000)];
    // The CLI passes its own environment on to Claude Code: the sandbox's, plus the private temp dir.
    const env = { ...box.env, TMPDIR: tmp };
    const before = (await simStats(sim)).requests;

    const first = await runNode(args, env, box.cwd, signal);
    expect(first.code, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({
      minimal: expect.stringMatching(EXPECTED_MINIMAL),
      probes: expect.any(Number),
      cachedProbes: 0,
      inputTokens: expect.any(Number),
      bytesSent: expect.any(Number),
      oneMinimal: true,
      verification: { refused: expect.any(Number), of: expect.any(Number) },
      flipsSeen: 0,
      parts: [expect.objectContaining({ kind: 'file', needed: true, fileName: 'incident-summary.txt' })],
      elapsedMs: expect.any(Number),
      oracle: 'claude',
      status: 'minimal',
    });
    const verification = result.verification as { refused: number; of: number };
    expect(verification.refused).toBe(verification.of);
    const paid = result.probes as number;
    expect(paid).toBeGreaterThan(0);
    // The same arithmetic as above, from the stand-in's side alone: paid probes = passed requests + refused requests / 3.
    const afterFirst = await simStats(sim);
    const seen = afterFirst.log.slice(before);
    const refusedRequests = seen.filter((r) => r.verdict === 'refused').length;
    expect(refusedRequests % REFUSED_PROBE_REQUESTS.length).toBe(0);
    expect(seen.filter((r) => r.verdict === 'passed').length + refusedRequests / REFUSED_PROBE_REQUESTS.length).toBe(paid);
    expect(seen.map((r) => r.verdict)).not.toContain('tool_use');

    const again = await runNode(args, env, box.cwd, signal);
    expect(again.code, again.stderr).toBe(0);
    const cached = JSON.parse(again.stdout) as Record<string, unknown>;
    expect(cached).toMatchObject({ probes: 0, inputTokens: 0, minimal: result.minimal, oneMinimal: true });
    expect(cached.cachedProbes).toBeGreaterThan(0);
    expect((await simStats(sim)).requests).toBe(afterFirst.requests); // nothing new reached the stand-in
    expect(probeDirs(tmp)).toEqual([]);
    expect(jsonlFiles(box.configDir)).toEqual([]);

    console.log(
      `aup-bisect bisect --oracle claude: ${paid} paid probes, ${afterFirst.requests - before} stand-in requests, ` +
        `${((result.elapsedMs as number) / 1000).toFixed(1)} s; again from the cache: ${cached.cachedProbes as number} cached, 0 paid, ` +
        `${((cached.elapsedMs as number) / 1000).toFixed(1)} s`,
    );
  });

  it('the claude oracle on its own: a blank candidate is a pass, and close() lets a probe still out finish first', { timeout: printMs(2) }, async () => {
    const tmp = privateTmp();
    await withTmpdir(tmp, async () => {
      const oracle = new ClaudeOracle({ binary: CLAUDE_BIN, env: box.env });
      // Claude Code rejects a whitespace-only prompt with no JSON; the oracle sends "." for it.
      expect(await oracle.probe({ parts: [{ kind: 'file', text: '\n\n' }] })).toMatchObject({ refused: false });
      // A run that stops on one probe's error may close the oracle while another probe is still out.
      const out = oracle.probe({ parts: [{ kind: 'file', text: TRIGGER_SENTENCE }] });
      await oracle.close();
      expect(await out).toMatchObject({ refused: true, category: 'cyber' });
      expect(probeDirs(tmp)).toEqual([]);
      await expect(oracle.probe({ parts: [{ kind: 'file', text: 'late' }] })).rejects.toMatchObject({ kind: 'cancelled' });
      expect(probeDirs(tmp)).toEqual([]);
    });
  });
});

/** os.tmpdir() (where the oracle makes its probe dir) is $TMPDIR: point it at `dir` while `fn` runs. */
async function withTmpdir<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}

/**
 * Runs the bundled CLI with exactly this environment (nothing of the developer's own leaks into Claude Code). When the
 * test is given up (`signal`, e.g. its deadline passed) the CLI gets SIGINT, as from Ctrl-C: it cancels its probes and
 * removes its probe dir, instead of running on into the next test.
 */
function runNode(args: string[], env: NodeJS.ProcessEnv, cwd: string, signal: AbortSignal): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stop = (): void => void child.kill('SIGINT');
    signal.addEventListener('abort', stop, { once: true });
    child.on('exit', () => signal.removeEventListener('abort', stop));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

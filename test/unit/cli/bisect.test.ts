/**
 * The `aup-bisect bisect` command as a user runs it: the CLI entry bundled with esbuild (as `npm run build` does)
 * into a temp dir, run with node, exit codes and output checked. No network: --test commands and the in-process sim.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
let cli: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aup-bisect-cli-'));
  cli = join(dir, 'cli.js');
  await build({
    entryPoints: [resolve(__dirname, '../../../src/cli/main.ts')],
    outfile: cli, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent',
    external: ['vscode', 'node-pty'],
  });
  await writeFile(join(dir, 'catalogue.txt'), Array.from({ length: 300 }, (_, i) =>
    i === 123 ? 'item 123: a plush character with a donkey underneath, ages 3+' : `item ${i}: wooden blocks, set of ${i}`).join('\n'));
  await writeFile(join(dir, 'fine.txt'), 'wooden blocks only\n');
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, XDG_CACHE_HOME: join(dir, 'xdg'), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('aup-bisect bisect', () => {
  it('exit 0 and one JSON object with --test and --json; progress lines on stderr', async () => {
    const r = await run(['bisect', 'catalogue.txt', '--test', 'grep -q "donkey underneath"', '--json', '--out', 'out/result.json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({
      minimal: 'donkey underneath', oneMinimal: true, cachedProbes: 0, oracle: 'command', status: 'minimal', flipsSeen: 0,
    });
    for (const field of ['probes', 'inputTokens', 'bytesSent', 'verification', 'parts', 'elapsedMs']) expect(result).toHaveProperty(field);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    // Plain progress lines (stderr is not a terminal here): one per phase of the reducer.
    const progress = r.stderr.split('\n').filter((l) => /^aup-bisect: \w+: [\d.]+ K?B of 10 KB, \d+ probes \(\d+ cached\)/.test(l));
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(JSON.parse(await readFile(join(dir, 'out/result.json'), 'utf8'))).toMatchObject({ minimal: 'donkey underneath' });
    // The default cache ($XDG_CACHE_HOME/aup-bisect/probes) makes the same run free.
    const again = await run(['bisect', 'catalogue.txt', '--test', 'grep -q "donkey underneath"', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ probes: 0, minimal: 'donkey underneath' });
  });

  it('prints a readable summary without --json', async () => {
    const r = await run(['bisect', 'catalogue.txt', '--test', 'grep -q "donkey underneath"', '--no-cache', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Status: minimal: every single-unit removal .*\nMinimal trigger \(17 B of .*, 1-minimal\):\n  donkey underneath\nVerification: refused 5\/5\n/);
    expect(r.stdout).toMatch(/Probes: \d+ paid, 0 cached/);
    expect(r.stderr).toBe('');
  });

  it('exit 2 when the original is not refused', async () => {
    const r = await run(['bisect', 'fine.txt', '--test', 'grep -q "donkey underneath"', '--no-cache']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not refused/);
  });

  it('exit 1 with what to do: missing file, no API key, bad flag', async () => {
    const missing = await run(['bisect', 'nope.txt', '--test', 'true']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read nope.txt: no such file/);

    const noKey = await run(['bisect', 'catalogue.txt', '--oracle', 'api', '--json']);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/ANTHROPIC_API_KEY/);
    expect(JSON.parse(noKey.stdout)).toMatchObject({ error: { kind: 'auth' } });

    const bad = await run(['bisect', 'catalogue.txt', '--test', 'true', '--concurrency', 'zero']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--concurrency must be a whole number/);
  });

  it('exit 5 (stopped) when the budget stops the run, still printing the best candidate', async () => {
    const r = await run(['bisect', 'catalogue.txt', '--test', 'grep -q "donkey underneath"', '--no-cache', '--max-probes', '6', '--json']);
    expect(r.code).toBe(5);
    const result = JSON.parse(r.stdout) as { status: string; probes: number; minimal: string; stoppedEarly: string };
    expect(result).toMatchObject({ status: 'stopped', probes: 6 });
    expect(result.minimal).toContain('donkey underneath');
    expect(r.stderr).toMatch(/Raise --max-probes/);
  });

  it('bisects keylessly against the in-process stand-in (--oracle sim)', async () => {
    const r = await run(['bisect', 'catalogue.txt', '--oracle', 'sim', '--concurrency', '4', '--json', '--no-cache']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { minimal: string; oracle: string; model: string; costUsd: number };
    expect(result).toMatchObject({ oracle: 'sim', model: 'claude-opus-4-8' });
    expect(result.minimal).toMatch(/^character.*donkey underneath$/);
    expect(result.costUsd).toBeGreaterThan(0);
  });

  it('probes each reproduction the draft offers --repro-runs times and prints their rates', async () => {
    const r = await run(['bisect', 'catalogue.txt', '--oracle', 'sim', '--repro-runs', '2', '--no-cache', '--quiet']);
    expect(r.code).toBe(0);
    // The stand-in's rule reads the phrase wherever it is: as the user message and as a file Claude Code read.
    expect(r.stdout).toContain('Reproductions: the trigger as the user message refused 2/2; the trigger in a file Claude Code reads refused 2/2\n');
  });

  it('exit 4 (not-attributable) when the content-free control of a refusal is refused too, after its 3 probes alone', async () => {
    // The refusal Claude Code 2.1.328 recorded after a refused Read; `--test true` refuses every request.
    const project = join(dir, 'claude', 'projects', '-tmp-work');
    await mkdir(project, { recursive: true });
    await copyFile(resolve(__dirname, '../../fixtures/claude-code/print-read-refused.jsonl'), join(project, '8b07e733-ee84-48e7-8594-6df8a36e8d07.jsonl'));
    const r = await run(['bisect', '--refusal', '74ff72617059f81c', '--claude-dir', 'claude', '--test', 'true', '--no-cache']);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^Status: not-attributable: not attributable to the content you sent: the session \/ fixed prompt is flagged .*refused 3\/3\)\n/);
    // The session's system prompt came from the transcript's prompt snapshot (a test command cannot vary it: no extra control).
    expect(r.stdout).toMatch(/\nContext: system prompt: ~[\d,]+ tokens \([\d,]+ bytes\) from the transcript\n/);
    expect(r.stdout).toContain(' from the transcript\nAttribution: content-free control refused 3/3: channel fixed-prompt is flagged\nProbes: 3 paid, 0 cached');
    expect(r.stderr).toContain('The first 3 probes are a content-free control');
  });
});

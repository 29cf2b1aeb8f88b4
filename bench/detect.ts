/**
 * bench:detect — measured in the run, on generated inputs deleted afterwards:
 *   0. the detection corpus (test/support/refusalCorpus.ts): refusals in every layout, found with their request id,
 *      category and model where printed, and look-alikes, counted as false alarms when flagged;
 *   1. scan throughput over a 200 MB transcript tree (one 110 MB transcript, ~300 smaller ones, sub-agent folders),
 *      with the records checked against what was planted, and peak RSS sampled while scanning;
 *   2. a refused turn holding a 50 MB tool result: peak RSS of a fresh process scanning it (goal < 200 MB);
 *   3. 5,001 small sessions: CPU seconds of a fresh process scanning them (goal < 2 s);
 *   4. watch latency: the real CLI (`node dist/cli.js watch --json`) as a child process on the 200 MB tree, 20 refused
 *      turns appended one after another, time from append to the printed record.
 * BENCH_DETECT_MB=50 for a quicker run.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { detectRefusals } from '../src/core/refusal/detect';
import { TerminalRefusalScanner } from '../src/core/refusal/terminal';
import { emptyStats, scanProjects } from '../src/core/transcript/scan';
import { refusalCorpus } from '../test/support/refusalCorpus';
import { generateBigTurn, generateManySessions, generateTree, SessionWriter } from './lib/transcripts';

const MB = 1e6;
const totalMb = Number(process.env.BENCH_DETECT_MB ?? '200');
if (!(totalMb >= 20)) throw new Error('BENCH_DETECT_MB must be at least 20');
const cli = resolve(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const mb = (n: number): string => (n / 1024 / 1024).toFixed(0);

async function scanBench(projectsDir: string, planted: number): Promise<void> {
  const stats = emptyStats();
  const rssAt: number[] = [];
  let peak = process.memoryUsage().rss;
  const before = peak;
  const sampler = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peak = Math.max(peak, rss);
    rssAt.push(rss);
  }, 10);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let records = 0;
  let withRead = 0;
  for await (const record of scanProjects(projectsDir, { stats })) {
    records++;
    if (record.parts.some((p) => p.toolName === 'Read' && p.filePath?.endsWith('notes.txt'))) withRead++;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const quarter = (q: number): string => mb(rssAt[Math.min(rssAt.length - 1, Math.floor((q * rssAt.length) / 4))] ?? peak);
  console.log(`scan: ${(stats.bytes / MB).toFixed(1)} MB in ${stats.files} transcripts, ${seconds.toFixed(2)} s -> ${(stats.bytes / MB / seconds).toFixed(0)} MB/s (goal >= 150 MB/s)`);
  // Other work on the machine stretches wall time; CPU time says what the scan itself costs.
  console.log(`scan: ${cpuSeconds.toFixed(2)} s of CPU (user+sys) -> ${(stats.bytes / MB / cpuSeconds).toFixed(0)} MB per CPU-second; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores during the run`);
  console.log(`scan: ${records} records (planted ${planted}; ${withRead} name the file Read before the refusal), ${stats.candidates} candidate lines parsed, ${stats.badLines} bad lines`);
  console.log(`scan: RSS before ${mb(before)} MiB, at 25/50/75/100% of the scan ${quarter(1)}/${quarter(2)}/${quarter(3)}/${quarter(4)} MiB, peak ${mb(peak)} MiB (goal: flat, < 150 MB)`);
  if (records !== planted || withRead !== planted) throw new Error(`scan found ${records} records (${withRead} with the Read), planted ${planted}`);
}

async function watchBench(root: string, projectsDir: string, files: string[]): Promise<void> {
  const child = spawn(process.execPath, [cli, 'watch', '--json', '--claude-dir', root], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout! });
  const waiting = new Map<string, (at: number) => void>();
  lines.on('line', (line) => {
    const at = performance.now();
    const record = JSON.parse(line) as { refusedPrompt?: string };
    waiting.get(record.refusedPrompt ?? '')?.(at);
  });
  let stderr = '';
  const startedAt = performance.now();
  const ready = new Promise<number>((resolveReady, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('watching')) resolveReady(performance.now() - startedAt);
    });
    child.on('exit', (code) => reject(new Error(`watch exited (${code}): ${stderr}`)));
  });
  try {
    const startup = await ready;
    // rchar counts every byte the process read (node's own files included): the transcripts are not among them.
    const rchar = Number(/rchar:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/io`, 'utf8'))?.[1] ?? NaN);
    console.log(`watch: ready in ${startup.toFixed(0)} ms on ${files.length} existing transcripts (${projectsDir}); the process had read ${(rchar / MB).toFixed(1)} MB in all by then`);
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      // Alternate between the 110 MB transcript and small ones, so a big file costs nothing extra.
      const file = i % 2 === 0 ? files[0] : files[1 + ((i * 37) % (files.length - 1))];
      const prompt = `watch bench append ${i}`;
      const turn = new SessionWriter(`ffff${String(i).padStart(4, '0')}-0000-4000-8000-000000000000`, '/home/dev/bench').refused(prompt);
      const seen = new Promise<number>((resolveSeen, reject) => {
        const timer = setTimeout(() => reject(new Error(`no record for append ${i} after 5 s`)), 5000);
        waiting.set(prompt, (at) => {
          clearTimeout(timer);
          resolveSeen(at);
        });
      });
      const t0 = performance.now();
      appendFileSync(file, turn);
      latencies.push((await seen) - t0);
      await new Promise((r) => setTimeout(r, 100));
    }
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    console.log(
      `watch: append -> printed record over 20 appends: median ${percentile(latencies, 50).toFixed(0)} ms, p90 ${percentile(latencies, 90).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms (goal: median < 100 ms, max < 500 ms)`,
    );
    if (hwm) console.log(`watch: child peak RSS ${(Number(hwm) / 1024).toFixed(0)} MiB`);
  } finally {
    child.kill('SIGTERM');
  }
}

/** The terminal scanner on a long-running terminal: build-log noise with real Claude Code sessions in between. */
function terminalBench(): void {
  const capture = readFileSync(resolve(__dirname, '..', 'test', 'fixtures', 'claude-code', 'tui-read-refused.raw'), 'utf8');
  const log = Array.from({ length: 2000 }, (_, i) => `\x1b[32m[build]\x1b[0m ${String(i).padStart(5)} compiling src/module${i % 97}.ts … ok (${i % 13} ms)\r\n`).join('');
  const scanner = new TerminalRefusalScanner({ cols: 100, rows: 32 });
  const rssBefore = process.memoryUsage().rss;
  let bytes = 0;
  let found = 0;
  const started = performance.now();
  for (let round = 0; round < 40; round++) {
    for (const data of [log, capture]) {
      for (let at = 0; at < data.length; at += 4096) {
        const chunk = data.slice(at, at + 4096);
        bytes += Buffer.byteLength(chunk);
        found += scanner.write(chunk).length;
      }
    }
  }
  found += scanner.end().length;
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `terminal: ${(bytes / MB).toFixed(1)} MB in 4 KB chunks (build log + 40 real Claude Code captures) in ${seconds.toFixed(2)} s -> ${(bytes / MB / seconds).toFixed(1)} MB/s; ${found} refusals reported (2 distinct); RSS ${mb(rssBefore)} -> ${mb(process.memoryUsage().rss)} MiB`,
  );
}

/** The corpus: how many refusals are found, with what, and how many look-alikes are flagged. */
function corpusBench(): void {
  const { refusals, lookAlikes } = refusalCorpus();
  let found = 0;
  const fields = { requestId: [0, 0], category: [0, 0], model: [0, 0] };
  const missed: string[] = [];
  const perFamily = new Map<string, [number, number]>();
  for (const c of refusals) {
    const got = detectRefusals(c.input);
    const tally = perFamily.get(c.family) ?? [0, 0];
    tally[1]++;
    if (got.length === 1) {
      found++;
      tally[0]++;
      for (const key of ['requestId', 'category', 'model'] as const) {
        const want = c.expect?.[key];
        if (want === undefined) continue;
        fields[key][1]++;
        if (got[0][key] === want) fields[key][0]++;
        else missed.push(`${c.name}: ${key} ${String(got[0][key])} (expected ${want})`);
      }
    } else missed.push(`${c.name}: ${got.length} found`);
    perFamily.set(c.family, tally);
  }
  const alarms = lookAlikes.filter((c) => detectRefusals(c.input).length > 0);
  const families = [...perFamily].map(([f, [ok, all]]) => `${f} ${ok}/${all}`).join(', ');
  console.log(`corpus: ${found} of ${refusals.length} refusals found (${families})`);
  console.log(`corpus: request id right in ${fields.requestId[0]}/${fields.requestId[1]} that print one, category ${fields.category[0]}/${fields.category[1]}, model ${fields.model[0]}/${fields.model[1]}`);
  console.log(`corpus: ${alarms.length} false alarms in ${lookAlikes.length} look-alikes (rate limits, overload, usage limits, prompt too long, PDF too large, quoted, fenced, grep hits, diffs, commits, source code, JSON)`);
  for (const m of missed.slice(0, 10)) console.log(`corpus: missed ${m}`);
  for (const a of alarms.slice(0, 10)) console.log(`corpus: false alarm ${a.name}`);
}

/** Peak RSS (VmHWM) of this process, in MiB. */
function peakRssMiB(): number {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return hwm ? Number(hwm) / 1024 : process.memoryUsage().rss / 1024 / 1024;
}

/** In a fresh process: scan one tree, print records, CPU seconds and peak RSS. */
async function scanOnly(projectsDir: string, label: string, expected: number): Promise<void> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const stats = emptyStats();
  let records = 0;
  let biggestPart = 0;
  for await (const record of scanProjects(projectsDir, { stats })) {
    records++;
    for (const p of record.parts) biggestPart = Math.max(biggestPart, p.size);
  }
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${label}: ${records} records (planted ${expected}) in ${stats.files} transcripts, ${(stats.bytes / MB).toFixed(1)} MB; ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s of CPU, ${seconds.toFixed(2)} s wall; peak RSS ${peakRssMiB().toFixed(0)} MiB; largest part ${(biggestPart / MB).toFixed(1)} MB`,
  );
  if (records !== expected) throw new Error(`${label}: found ${records} records, planted ${expected}`);
}

function inFreshProcess(args: string[]): Promise<void> {
  return new Promise<void>((resolveRun, reject) => {
    const child = spawn(process.execPath, [__filename, ...args], { stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolveRun() : reject(new Error(`${args[0]} run failed (exit ${code})`))));
  });
}

async function main(): Promise<void> {
  corpusBench();
  terminalBench();
  {
    const root = mkdtempSync(join(tmpdir(), 'aup-bench-big-turn-'));
    try {
      const big = generateBigTurn(root, 50 * MB);
      console.log(`big turn: generated a refused turn whose Read returned ${(big.toolResultBytes / MB).toFixed(0)} MB (goal: peak RSS < 200 MB)`);
      await inFreshProcess(['--scan-only', big.projectsDir, 'big turn', '1']);
      const many = generateManySessions(join(root, 'many'), 5001);
      console.log(`many sessions: generated ${many.files} transcripts, ${(many.bytes / MB).toFixed(1)} MB, ${many.refusals} refused turns (goal: < 2 s of CPU)`);
      await inFreshProcess(['--scan-only', many.projectsDir, 'many sessions', String(many.refusals)]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  const root = mkdtempSync(join(tmpdir(), 'aup-bench-detect-'));
  try {
    const t0 = performance.now();
    const big = Math.round(totalMb * 0.55 * MB);
    const tree = generateTree(root, Math.round(totalMb * MB), big);
    console.log(`generated ${(tree.bytes / MB).toFixed(1)} MB in ${tree.files.length} transcripts (largest ${(big / MB).toFixed(0)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // The scan runs in a fresh process so its RSS is the scanner's own, not the generator's leftovers.
    await new Promise<void>((resolveScan, reject) => {
      const child = spawn(process.execPath, [__filename, '--scan', tree.projectsDir, String(tree.refusals)], { stdio: 'inherit' });
      child.on('exit', (code) => (code === 0 ? resolveScan() : reject(new Error(`scan run failed (exit ${code})`))));
    });
    await watchBench(root, tree.projectsDir, tree.files);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const run =
  process.argv[2] === '--scan'
    ? scanBench(process.argv[3], Number(process.argv[4]))
    : process.argv[2] === '--scan-only'
      ? scanOnly(process.argv[3], process.argv[4], Number(process.argv[5]))
      : main();
run.catch((error: unknown) => {
  console.error(`bench:detect failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});

/**
 * `aup-bisect demo`: the whole job on the embedded sample, offline. Starts the Messages API stand-in with the
 * bundled demo rules, replays a sample Claude Code session that read a toy ad PDF and was refused, detects the
 * refusal in the transcript it left, bisects the refused request to the ad's offending text, and writes the draft
 * issue. No key, no network: every request goes to 127.0.0.1.
 */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { version } from '../../../package.json';
import type { RefusalRecord } from '../../core/refusal/record';
import { minimalBytes } from '../../core/bisect/result';
import { runBisect, type BisectProgress } from '../../core/bisect/run';
import { attributionLine } from './bisect';
import { gatedWriter } from '../gatedOutput';
import { evidenceLines } from './evidence';
import { draftIssue } from '../../core/report/draft';
import { saveDraft } from '../../core/report/file';
import { systemReportEnv } from '../../core/report/input';
import { modelDisplayName } from '../../core/report/models';
import { scanProjects } from '../../core/transcript/scan';
import { AD_LINES, replaySampleSession } from '../../demo/session';
import demoRules from '../../sim/rules/demo.json';
import { createSimOracle } from '../../sim/oracle';
import { startSim, type SimRules, type SimStats } from '../../sim/server';

interface DemoFlags {
  out?: string;
}

export interface DemoOutcome {
  outDir: string;
  transcript: string;
  refusal: RefusalRecord;
  resultPath: string;
  draftPath: string;
  /** The bisect's stand-in's stats and request log (every probe of the result), as written next to the result. */
  simLogPath: string;
  minimalFile?: string;
}

function kb(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

/** Runs the demo; `write` receives each line for the terminal (progress bars go to stderr on a TTY). */
export async function runDemo(outDirOption: string | undefined, write: (line: string) => void): Promise<DemoOutcome> {
  const started = Date.now();
  const outDir = outDirOption ? resolve(outDirOption) : await mkdtemp(join(tmpdir(), 'aup-bisect-demo-'));
  await mkdir(outDir, { recursive: true });
  const configDir = join(outDir, 'claude-config');
  const cwd = join(outDir, 'work');

  write('aup-bisect demo: detect -> bisect -> draft on a sample session, offline (no key, no network).');
  write('');
  write('[1/4] Replaying a sample Claude Code session that read a PDF ad and was refused');
  const sim = await startSim({ rules: demoRules as unknown as SimRules, script: {} });
  let replay;
  try {
    write(`      Messages API stand-in at ${sim.url} (bundled demo rules)`);
    replay = await replaySampleSession({ baseUrl: sim.url, configDir, cwd, onStep: (m) => write(`      ${m}`) });
  } finally {
    await sim.close();
  }

  write('');
  write(`[2/4] Detecting refusals in ${configDir} (as CLAUDE_CONFIG_DIR)`);
  const found: RefusalRecord[] = [];
  for await (const record of scanProjects(join(configDir, 'projects'), { onWarning: (m) => write(`      warning: ${m}`) })) found.push(record);
  const refusal = found.at(-1);
  if (!refusal) throw new Error(`the detector found no refusal in ${replay.transcript}; the sample session or the scanner is broken`);
  const first = refusal.models[0];
  write(
    `      found refusal ${refusal.id}: ${refusal.kind}` +
      (first ? ` on ${modelDisplayName(first.model)} (${first.model}), category ${first.category ?? 'none'}, request id ${first.requestId ?? 'unknown'}` : ''),
  );
  write(`      the refused request had ${refusal.parts.length} parts: ${refusal.parts.map((p) => `${p.kind}${p.toolName ? ` (${p.toolName})` : ''} ${kb(p.size)}`).join(', ')}`);

  write('');
  write('[3/4] Bisecting the refused request against the stand-in (oracle "sim")');
  const tty = process.stderr.isTTY === true;
  const bar = tty
    ? new SingleBar({
        format: '      [{bar}] {phase} | {probes} probes | best candidate {current} bytes (request: {total})',
        barsize: 24,
        hideCursor: true,
        stream: process.stderr,
      })
    : undefined;
  let lastPhase = '';
  const onProgress = (event: BisectProgress) => {
    const payload = { phase: event.phase.padEnd(7), probes: event.probes + event.cachedProbes, current: event.currentSize, total: event.originalSize };
    if (bar) {
      if (lastPhase === '') bar.start(event.originalSize, 0, payload);
      bar.update(event.originalSize - event.currentSize, payload);
    } else if (event.phase !== lastPhase) {
      write(`      ${event.phase}: ${payload.probes} probes so far, best candidate ${event.currentSize} bytes (the refused request: ${event.originalSize})`);
    }
    lastPhase = event.phase;
  };
  let run;
  let served: SimStats;
  // The demo holds the stand-in itself, so its log of every request it served (the probes behind each rate in the
  // draft) can be written beside the result and checked against it.
  const oracle = await createSimOracle();
  try {
    run = await runBisect({
      source: { kind: 'refusal', refusal }, oracle, cache: false, concurrency: 2, outDir, onProgress,
      // Rates across models for the draft: the refusing model, its fallback and its previous version the stand-in lists.
      models: [],
    });
  } finally {
    bar?.stop();
    served = oracle.stats();
    await oracle.close();
  }
  if (run.status !== 'minimal' && run.status !== 'partial') {
    throw new Error(`the bisect did not finish (${run.status}): ${run.stoppedEarly ?? 'no reason given'}`);
  }
  const needed = run.parts.filter((p) => p.needed);
  write(
    `      minimal trigger (${kb(minimalBytes(run))}, from ${needed.map((p) => `${p.kind}${p.fileName ? ` ${p.fileName}` : ''}`).join(' + ')}): ${JSON.stringify(run.minimal)}`,
  );
  const attributed = attributionLine(run);
  // Attribution first: the content-free control the run sent before bisecting, and the channel of the trigger.
  if (attributed) write(`      ${attributed.replace(/^Attribution: /, '')}`);
  const simLogPath = join(outDir, 'sim-log.json');
  await writeFile(simLogPath, `${JSON.stringify(served, null, 2)}\n`);
  write(
    `      the stand-in served ${served.requests} requests (${served.refused} refused, ${served.passed} passed) for the ${run.probes} probes; ` +
      `each is in ${simLogPath}`,
  );
  write(
    `      refused ${run.verification.refused}/${run.verification.of}` +
      (run.control ? `; without ${JSON.stringify(run.control.removed)} it passed ${run.control.passed}/${run.control.of}` : '') +
      `; ${run.probes} probes, ${run.inputTokens.toLocaleString('en-US')} input tokens (simulated $${run.costUsd.toFixed(2)}), ${(run.elapsedMs / 1000).toFixed(1)} s`,
  );

  if (run.evidence) for (const line of evidenceLines(run.evidence)) write(`      ${line}`);

  write('');
  write('[4/4] Drafting the issue');
  const resultPath = join(outDir, 'result.json');
  await writeFile(resultPath, `${JSON.stringify(run, null, 2)}\n`);
  const env = { ...systemReportEnv(), toolVersion: version, platform: 'Other (aup-bisect demo: loopback stand-in)' };
  const draft = draftIssue({ result: run, env, original: AD_LINES.join('\n') });
  const draftPath = join(outDir, 'issue.md');
  await saveDraft(draft, draftPath);
  write(`      title: ${draft.title}`);
  write(`      ${draft.redactions.length} value(s) redacted (${[...new Set(draft.redactions.map((r) => r.kind))].join(', ') || 'none needed'})`);
  write('');
  write(`Draft issue:   ${draftPath}`);
  write(`Bisect result: ${resultPath}`);
  if (run.minimalFile) write(`Minimal PDF:   ${run.minimalFile}`);
  write(`Stand-in log:  ${simLogPath}`);
  write(`Transcript:    ${replay.transcript}`);
  write('');
  write(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s. Nothing left this machine.`);
  write(`Next: read the draft; \`aup-bisect file ${resultPath}\` shows the exact text, searches for duplicates and asks before posting.`);
  return { outDir, transcript: replay.transcript, refusal, resultPath, draftPath, simLogPath, minimalFile: run.minimalFile };
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('Run detect -> bisect -> draft on a bundled sample session, offline, against the loopback stand-in')
    .option('--out <dir>', 'where to put the sample session, the result and the draft (default: a new temp folder)')
    .action(async (flags: DemoFlags) => {
      // Every line, the trigger and the control's removed text included, passes the exit gate on its way out.
      const out = gatedWriter((line) => process.stdout.write(`${line}\n`));
      try {
        await runDemo(flags.out, out.write);
      } finally {
        await out.flush();
      }
    });
}

/**
 * `aup-bisect bisect FILE | --refusal ID`: shrink a refused input to the minimal content that is still refused.
 * Exit codes, one per status of the result: 0 minimal, 3 partial, 4 not-attributable, 2 not-refused, 5 stopped
 * (budget, Ctrl-C: what was learnt is still printed and cached, so the same command resumes for free); 1 an error.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { flaggedBeforeBisect } from '../../core/bisect/attribution';
import { minimalBytes, type BisectResult, type BisectStatus } from '../../core/bisect/result';
import { prepareBisect, type BisectOptions, type BisectProgress } from '../../core/bisect/run';
import { gatedLine } from '../../core/report/exits';
import { FORM_LABEL } from '../../core/report/forms';
import { evidenceLines } from './evidence';
import { addOracleOptions, modelList, probeOptions, usage, whole, type ProbeFlags } from '../probeOptions';
import { processIo, runCommand, type CommandIo } from '../runCommand';

/** The exit code of each status (README: "Exit codes"); 1 is left to errors. */
export const EXIT_CODES: Record<BisectStatus, number> = { minimal: 0, 'not-refused': 2, partial: 3, 'not-attributable': 4, stopped: 5 };

export interface BisectFlags extends ProbeFlags {
  out?: string;
  json?: boolean;
  refusal?: string;
  claudeDir?: string;
  verify?: string;
  reproRuns?: string;
  models?: string;
  evidenceRuns?: string;
  quiet?: boolean;
  estimate?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('bisect')
    .description('Shrink a refused input to the minimal content that is still refused, with few paid probes')
    .argument('[file]', 'the refused file (text, or a PDF sent as a PDF)')
    .option('--refusal <id>', 'bisect a refused request rebuilt from the Claude Code transcript (ids: aup-bisect scan)')
    .option('--claude-dir <dir>', 'Claude Code config dir holding projects/ (default: $CLAUDE_CONFIG_DIR or ~/.claude)');
  addOracleOptions(command, { concurrency: 'auto', modelDefault: "(default: the refused turn's model; claude-opus-4-8 for a file)" })
    .option('--verify <n>', 'probes of the final verification', '5')
    .option('--repro-runs <n>', 'probes of each reproduction the draft offers (0: none is probed, so none is offered)', '3')
    .option('--models <list>', 'then replay the trigger on these models (comma-separated; "auto": the refusing model, its fallback and its previous version) for the draft\'s rates across models')
    .option('--evidence-runs <n>', 'probes of each input on each model of --models', '3')
    .option('--out <file>', 'also write the result JSON here (a PDF\'s minimal file goes next to it)')
    .option('--json', 'print one JSON object (the result) on stdout at the end')
    .option('--quiet', 'no progress on stderr')
    .option('--estimate', 'print the estimate (probes, cost, minutes) on stdout and stop: nothing is probed')
    .action(async (file: string | undefined, flags: BisectFlags, command: Command) => {
      process.exitCode = await bisectCommand(file, flags, command);
    });
}

export async function bisectCommand(file: string | undefined, flags: BisectFlags, command?: Command, io: CommandIo = processIo()): Promise<number> {
  return runCommand(io, flags, async ({ signal, interruptible }) => {
    if (!file && !flags.refusal) throw usage('give a FILE to bisect, or --refusal ID', command);
    if (file && flags.refusal) throw usage('give either a FILE or --refusal ID, not both', command);
    const options: BisectOptions = {
      source: file ? { kind: 'file', path: file } : { kind: 'refusal-id', id: flags.refusal!, claudeDir: flags.claudeDir },
      ...probeOptions(flags, io.env),
      models: flags.models === undefined ? undefined : flags.models.trim() === 'auto' ? [] : modelList(flags.models),
      evidenceRuns: whole(flags.evidenceRuns ?? '3', '--evidence-runs', 1),
      verifyRuns: whole(flags.verify ?? '5', '--verify', 1),
      reproRuns: whole(flags.reproRuns ?? '3', '--repro-runs', 0),
      outDir: flags.out ? dirname(resolve(flags.out)) : undefined,
    };
    const job = await prepareBisect(options);
    // The same estimate the extension shows before its first paid probe.
    if (flags.estimate) {
      await job.close();
      io.stdout.write(`${job.estimate.line}\n`);
      return 0;
    }
    if (!flags.quiet) io.stderr.write(`aup-bisect: ${job.estimate.line}\n`);

    const progress = flags.quiet ? undefined : progressReporter(io.stderr);
    // First Ctrl-C: stop cleanly and print what was learnt; second: leave at once.
    const result = await interruptible(() => job.run({ signal, onProgress: progress?.update }), { secondQuits: true }).finally(() => progress?.stop());

    if (flags.out) {
      await mkdir(dirname(resolve(flags.out)), { recursive: true });
      await writeFile(flags.out, `${JSON.stringify(result, null, 2)}\n`);
    }
    if (flags.json) io.stdout.write(`${JSON.stringify(result)}\n`);
    // The trigger is the user's text: the summary passes the exit gate (the JSON is the result file, kept whole for
    // draft, unblock and evidence, which gate what they print).
    else io.stdout.write(await gatedLine(humanSummary(result, flags.out)));

    if (result.status === 'not-refused') {
      io.stderr.write(`aup-bisect: ${result.stoppedEarly ?? 'the original is not refused'}\n  Check the model (--model) and the oracle: the refusal must reproduce before it can be bisected.\n`);
    } else if (result.status === 'stopped') {
      io.stderr.write(`aup-bisect: stopped early: ${result.stoppedEarly ?? 'unknown reason'}\n`);
    }
    return EXIT_CODES[result.status];
  });
}

const kb = (bytes: number): string => (bytes >= 10_240 ? `${(bytes / 1024).toFixed(0)} KB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${bytes} B`);

/** A bar on a terminal; a line per phase (and every 25 answers) in logs and CI. */
function progressReporter(stream: NodeJS.WriteStream | NodeJS.WritableStream): { update: (e: BisectProgress) => void; stop: () => void } {
  if ((stream as NodeJS.WriteStream).isTTY) {
    const bar = new SingleBar({
      stream: stream as NodeJS.WriteStream,
      format: ' {phase} |{bar}| {size} of {original} | {probes} probes ({cached} cached) | {tokens} tok | ${cost}',
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      clearOnComplete: false,
    });
    let started = false;
    return {
      update: (e) => {
        // The bar fills as the candidate shrinks: done = bytes removed from the original.
        const payload = {
          phase: e.phase.padEnd(7), size: kb(e.currentSize), original: kb(e.originalSize), probes: e.probes,
          cached: e.cachedProbes, tokens: e.inputTokens, cost: e.costUsd.toFixed(4),
        };
        if (!started) {
          bar.start(e.originalSize, e.originalSize - e.currentSize, payload);
          started = true;
        } else bar.update(e.originalSize - e.currentSize, payload);
      },
      stop: () => {
        if (started) bar.stop();
      },
    };
  }
  let lastPhase = '';
  let lastAnswers = 0;
  return {
    update: (e) => {
      const answers = e.probes + e.cachedProbes;
      if (e.phase === lastPhase && answers - lastAnswers < 25) return;
      lastPhase = e.phase;
      lastAnswers = answers;
      stream.write(`aup-bisect: ${e.phase}: ${kb(e.currentSize)} of ${kb(e.originalSize)}, ${e.probes} probes (${e.cachedProbes} cached), ${e.inputTokens} input tokens, $${e.costUsd.toFixed(4)}\n`);
    },
    stop: () => undefined,
  };
}

/** The attribution-first line: how the content-free control fared and which channel the refusal is pinned on. */
export function attributionLine(r: BisectResult): string | undefined {
  const a = r.attribution;
  if (!a) return undefined;
  const control = `content-free control refused ${a.control.refused}/${a.control.of}`;
  const withoutSystem = a.withoutSystemPrompt ? `, without the session's system prompt ${a.withoutSystemPrompt.refused}/${a.withoutSystemPrompt.of}` : '';
  const withSession = a.withSession ? `, with the session's id ${a.withSession.refused}/${a.withSession.of}` : '';
  const without = `${withoutSystem}${a.withoutClaudeMd ? `, without CLAUDE.md / memory ${a.withoutClaudeMd.refused}/${a.withoutClaudeMd.of}` : ''}${withSession}`;
  if (flaggedBeforeBisect(r)) return `Attribution: ${control}${without}: channel ${a.channel ?? 'unknown'} is flagged`;
  const where = a.channels?.length ? `; trigger in channel ${a.channels.join(' + ')}` : '';
  return `Attribution: ${control}${without}${where}`;
}

export function humanSummary(r: BisectResult, out?: string): string {
  const lines: string[] = [];
  const attributed = attributionLine(r);
  // The system prompt every probe carried (or that the transcript had none to replay): before the attribution it explains.
  const context = r.original.system ? `Context: ${r.original.system}` : undefined;
  if (flaggedBeforeBisect(r)) {
    // The controls stopped the run before any bisecting: there is no candidate to show.
    lines.push(`Status: ${r.status}: ${r.statusReason}`);
    if (context) lines.push(context);
    if (attributed) lines.push(attributed);
  } else if (r.status === 'not-refused') {
    lines.push(`The original is not refused by ${r.oracle}${r.model ? ` (${r.model})` : ''}: refused ${r.verification.refused}/${r.verification.of}.`);
    if (context) lines.push(context);
  } else {
    const label = r.status === 'minimal' ? 'Minimal trigger' : r.status === 'stopped' ? 'Smallest refused candidate so far' : 'Smallest refused candidate';
    lines.push(`Status: ${r.status}: ${r.statusReason}`);
    lines.push(`${label} (${kb(minimalBytes(r))} of ${kb(r.original.size)}${r.oneMinimal ? ', 1-minimal' : ''}${r.minimal.includes(' … ') ? '; " … " marks content removed between fragments' : ''}):`);
    lines.push(...r.minimal.replace(/\n$/, '').split('\n').map((l) => `  ${l}`));
    if (r.parts.length > 1) {
      const needed = r.parts.filter((p) => p.needed).map((p) => `#${p.index} ${p.kind}${p.toolName ? ` (${p.toolName}${p.filePath ? ` ${p.filePath}` : ''})` : ''}`);
      lines.push(`Parts needed: ${needed.join(', ') || 'none'} of ${r.parts.length}`);
    }
    if (r.verification.of > 0) {
      // A stopped run has no final verification: these are the answers the candidate got along the way.
      const label = r.status === 'stopped' ? 'Answers for it so far' : 'Verification';
      lines.push(`${label}: refused ${r.verification.refused}/${r.verification.of}`);
    }
    if (context) lines.push(context);
    if (attributed) lines.push(attributed);
    if (r.control) lines.push(`Control: without ${JSON.stringify(r.control.removed)} it passed ${r.control.passed}/${r.control.of}`);
    const measured = (r.reproductions ?? []).filter((x) => x.of > 0 && x.notRun === undefined);
    if (measured.length > 0) {
      // Only what was run; a form not run is named by the draft with its reason.
      lines.push(`Reproductions: ${measured.map((x) => `${FORM_LABEL[x.form]} refused ${x.refused}/${x.of}`).join('; ')}`);
    }
    if (r.evidence) lines.push(...evidenceLines(r.evidence));
    if (r.minimalFile) lines.push(`Minimal file: ${r.minimalFile}`);
    for (const l of r.limits ?? []) if (r.parts[l.part]?.needed) lines.push(`Not split finer than ${l.unit} (part #${l.part}): ${l.why}`);
    for (const n of r.notes ?? []) lines.push(`Note (part #${n.part}): ${n.note}`);
  }
  lines.push(
    `Probes: ${r.probes} paid, ${r.cachedProbes} cached${r.repeats ? `, ${r.repeats} repeats` : ''}${r.flipsSeen ? `, ${r.flipsSeen} flips seen` : ''}; ` +
      `${r.inputTokens} input tokens, ${kb(r.bytesSent)} sent, $${r.costUsd.toFixed(4)}; ${(r.elapsedMs / 1000).toFixed(1)} s`,
  );
  if (out) lines.push(`Result: ${out}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `aup-bisect unblock RESULT.json`: the dual of a bisect. The smallest set of removals from the original input after
 * which the whole input passes, verified with k fresh probes; with --write a sanitized copy beside the file (and, for
 * a refused Claude Code turn, of the file it read), with --repair-session a copy of the session without the refused
 * turn that `claude --resume` continues. Exit 0: a passing set was found and verified; 2: the original is not
 * refused; 1: an error, none found, or a run stopped early (budget, Ctrl-C).
 */
import type { Command } from 'commander';
import { gatedJson, gatedLine } from '../../core/report/exits';
import { runUnblock, type UnblockRun } from '../../core/unblock/unblock';
import { addOracleOptions, probeOptions, sameOracle, whole, type ProbeFlags } from '../probeOptions';
import { readResult } from '../resultFile';
import { processIo, runCommand, type CommandIo } from '../runCommand';

export interface UnblockFlags extends ProbeFlags {
  write?: boolean;
  replace?: boolean;
  repairSession?: boolean;
  mask?: string;
  verify: string;
  json?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('unblock')
    .description('Find the smallest removals after which the whole refused input passes; write a sanitized copy and a resumable session')
    .argument('<result>', 'a bisect result (aup-bisect bisect ... --out result.json, or --json saved to a file)')
    .option('--write', 'write the sanitized copy beside the original file: <name>.sanitized<ext>')
    .option('--replace', 'write the sanitized content over the original file (after a backup <file>.orig)')
    .option('--mask <text>', 'replace each removed span of a text with TEXT (e.g. "[removed]") instead of deleting it; probed as written')
    .option('--repair-session', 'refused Claude Code turn: write a copy of the session without it, for `claude --resume`');
  addOracleOptions(command, { concurrency: '1', oracleDefault: '(default: the oracle the bisect used)', modelDefault: '(default: the model the bisect probed)' })
    .option('--verify <k>', 'probes of the whole input that must all pass', '5')
    .option('--json', 'print one JSON object (the run) on stdout at the end')
    .option('--quiet', 'no progress on stderr')
    .action(async (resultPath: string, flags: UnblockFlags) => {
      process.exitCode = await unblockCommand(resultPath, flags);
    });
}

export async function unblockCommand(resultPath: string, flags: UnblockFlags, io: CommandIo = processIo()): Promise<number> {
  return runCommand(io, flags, async ({ signal, interruptible }) => {
    const result = await readResult(resultPath);
    // The oracle the bisect used, unless the user names one: a pass set is only meaningful against the same judge.
    const probing = probeOptions(sameOracle(flags, result), io.env);
    let lastPhase = '';
    const run = await interruptible(() =>
      runUnblock({
        result,
        ...probing,
        verifyRuns: whole(flags.verify, '--verify', 1),
        signal,
        write: flags.write,
        replace: flags.replace,
        repairSession: flags.repairSession,
        mask: flags.mask,
        onProgress: flags.quiet
          ? undefined
          : (e) => {
              if (e.phase === lastPhase) return;
              lastPhase = e.phase;
              io.stderr.write(`aup-bisect: ${e.phase}: ${e.removals} spans out, ${e.probes} probes (${e.cachedProbes} cached)\n`);
            },
      }),
    );
    return report(run, flags, io);
  });
}

async function report(run: UnblockRun, flags: UnblockFlags, io: CommandIo): Promise<number> {
  // The removed spans are the user's text (a key among them, often): what is printed passes the exit gate.
  if (flags.json) io.stdout.write(`${JSON.stringify(await gatedJson(run))}\n`);
  else io.stdout.write(await gatedLine(humanSummary(run)));
  if (run.status === 'passes') return 0;
  if (run.status === 'not-refused') {
    io.stderr.write('aup-bisect: the original is not refused: nothing to unblock.\n  Check the model (--model) and the oracle: the refusal must reproduce first.\n');
    return 2;
  }
  io.stderr.write(`aup-bisect: ${run.status === 'stopped' ? `stopped early: ${run.passSet.stoppedEarly ?? 'unknown reason'}` : 'no set of removals made the input pass'}\n`);
  return 1;
}

const size = (bytes: number): string => (bytes >= 10_240 ? `${(bytes / 1024).toFixed(0)} KB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${bytes} B`);

export function humanSummary(r: UnblockRun): string {
  const lines: string[] = [];
  const p = r.passSet;
  if (r.status === 'not-refused') {
    lines.push(`The original is not refused by ${r.oracle}${r.model ? ` (${r.model})` : ''}: nothing to unblock.`);
  } else {
    lines.push(`Pass set: ${r.spans} span${r.spans === 1 ? '' : 's'} to remove (${size(r.removedBytes)} of ${size(r.originalBytes)})${p.oneMinimal ? ', each one needed (checked)' : ''}:`);
    for (const x of p.removed) lines.push(`  ${JSON.stringify(x.text)} from #${x.part} ${r.parts[x.part] ?? ''}${x.line ? `, line ${x.line}` : ''}`);
    if (p.triggersFound) lines.push(`Triggers found beyond the bisect's: ${p.triggersFound}`);
    const v = p.verification;
    if (v.of > 0 && v.passed === v.of) {
      lines.push(`Verification: whole input passes ${v.passed}/${v.of} after removing ${r.spans} span${r.spans === 1 ? '' : 's'} (${r.removedBytes} bytes)`);
    } else {
      lines.push(`Verification: NOT passing: ${v.passed}/${v.of} after removing ${r.spans} span${r.spans === 1 ? '' : 's'} (${r.removedBytes} bytes)`);
    }
  }
  if (r.prompt !== undefined) {
    lines.push('Prompt to paste:');
    lines.push(...r.prompt.split('\n').map((l) => `  ${l}`));
  }
  for (const path of r.written.sanitized) lines.push(`Sanitized copy: ${path}`);
  if (r.written.backup) lines.push(`Original kept as: ${r.written.backup}`);
  const s = r.written.session;
  if (s) lines.push(`Repaired session: ${s.path} (${s.removed} entries of the refused turn left out${s.retracted ? `, ${s.retracted} retracted` : ''}); continue with: claude --resume ${s.sessionId}`);
  for (const note of r.notes) lines.push(`Note: ${note}`);
  lines.push(`Probes: ${r.probes} paid, ${r.cachedProbes} cached; ${r.inputTokens} input tokens, $${r.costUsd.toFixed(4)}; ${(r.elapsedMs / 1000).toFixed(1)} s`);
  return `${lines.join('\n')}\n`;
}

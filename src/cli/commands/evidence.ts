/**
 * `aup-bisect evidence RESULT.json [--models a,b,c] [-k N]`: rates across models for an existing bisect result. The
 * trigger, its readable form and a content-free control are replayed k times on each model (default: the refusing
 * model, the model Claude Code fell back to, and the previous version of the refusing model when the oracle serves
 * it); the table, with request ids and the regression answer, is written back into the result (or to --out) for the
 * draft. Exit 0 when every model was measured, 5 when the budget or Ctrl-C stopped it, 1 on an error.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { prepareEvidence, type EvidenceRate, type ModelsEvidence } from '../../core/bisect/evidence';
import { gatedLine } from '../../core/report/exits';
import { RATE_INPUT_LABEL } from '../../core/report/rates';
import { addOracleOptions, modelList, probeOptions, sameOracle, whole, type ProbeFlags } from '../probeOptions';
import { readResult } from '../resultFile';
import { processIo, runCommand, type CommandIo } from '../runCommand';

export interface EvidenceFlags extends ProbeFlags {
  models?: string;
  runs: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('evidence')
    .description('Replay a bisect result\'s trigger on several models (k probes each, with request ids): rates across models and "is this a regression?" for the draft')
    .argument('<result>', 'a bisect result (aup-bisect bisect ... --out result.json)')
    .option('--models <list>', 'models to replay on, comma-separated (default: the refusing model, its fallback and its previous version when served)')
    .option('-k, --runs <n>', 'probes of each input on each model', '3');
  addOracleOptions(command, { concurrency: 'auto', oracleDefault: '(default: the oracle the bisect used)', modelDefault: '(not used: see --models)' })
    .option('--out <file>', 'write the result with the table here (default: rewrite RESULT in place)')
    .option('--json', 'print the result JSON on stdout instead of the table')
    .option('--quiet', 'no estimate on stderr')
    .action(async (resultPath: string, flags: EvidenceFlags) => {
      process.exitCode = await evidenceCommand(resultPath, flags);
    });
}

export async function evidenceCommand(resultPath: string, flags: EvidenceFlags, io: CommandIo = processIo()): Promise<number> {
  return runCommand(io, flags, async ({ signal, interruptible }) => {
    const result = await readResult(resultPath);
    const job = await prepareEvidence({
      result,
      ...probeOptions(sameOracle(flags, result), io.env),
      models: flags.models === undefined ? undefined : modelList(flags.models),
      k: whole(flags.runs, '--runs', 1),
      signal,
    });
    if (!flags.quiet) io.stderr.write(`aup-bisect: ${job.estimate.line}\n`);
    const updated = await interruptible(() => job.run());
    const out = flags.out ?? resultPath;
    await mkdir(dirname(resolve(out)), { recursive: true });
    await writeFile(out, `${JSON.stringify(updated, null, 2)}\n`);
    if (flags.json) io.stdout.write(`${JSON.stringify(updated)}\n`);
    else {
      // Model ids, rates and request ids only, but every printed line goes through the exit gate all the same.
      for (const line of [...evidenceLines(updated.evidence!), `Result: ${out}`]) io.stdout.write(`${await gatedLine(line)}\n`);
    }
    return updated.evidence!.stoppedEarly !== undefined ? 5 : 0;
  });
}

const rate = (label: string, r: EvidenceRate | undefined): string | undefined =>
  r ? `${label} refused ${r.refused}/${r.k}${r.errors ? ` (${r.errors} without an answer)` : ''}${r.cached ? ` (${r.cached} cached)` : ''}` : undefined;

/** The table for a terminal: one line per model with its rates and request ids, then the regression answer. */
export function evidenceLines(e: ModelsEvidence): string[] {
  const lines = [`Rates across models (the trigger ${RATE_INPUT_LABEL[e.form]}, ${e.k} probe${e.k === 1 ? '' : 's'} each):`];
  for (const m of e.models) {
    if (m.notMeasured !== undefined || !m.trigger) {
      lines.push(`  ${m.model} (${m.role}): ${m.notMeasured ?? 'not measured'}`);
      continue;
    }
    // The trigger's other forms (a PDF trigger's text, sent as text), each with its own rate, as the draft's columns.
    const others = (m.otherForms ?? []).map((o) => rate(RATE_INPUT_LABEL[o.form], o.rate));
    const rates = [rate('trigger', m.trigger), ...others, rate('readable', m.readable), rate('control', m.control)].filter(Boolean).join(', ');
    const ids = [...m.trigger.requestIds, ...(m.otherForms ?? []).flatMap((o) => o.rate.requestIds), ...(m.readable?.requestIds ?? []), ...(m.control?.requestIds ?? [])];
    lines.push(`  ${m.model} (${m.role}): ${rates}${ids.length ? `; request ids ${ids.join(' ')}` : ''}`);
  }
  for (const note of e.notes) lines.push(`  Note: ${note}`);
  lines.push(`Regression: ${e.regression.answer}: ${e.regression.sentence.replace(/^not measured: /, '').replace(/`/g, '')}`);
  return lines;
}

/**
 * `aup-bisect unblock RESULT.json`: the dual of a bisect. The smallest set of removals from the original input after
 * which the whole input passes, verified with k fresh probes; with --write a sanitized copy beside the file (and, for
 * a refused Claude Code turn, of the file it read), with --repair-session a copy of the session without the refused
 * turn that `claude --resume` continues. Exit 0: a passing set was found and verified; 2: the original is not
 * refused; 1: an error, none found, or a run stopped early (budget, Ctrl-C).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { describeUserError, formatUserError, UserError } from '../../core/errors';
import type { BisectResult } from '../../core/bisect/result';
import { runUnblock, type UnblockRun } from '../../core/unblock/unblock';
import { simOracleFactories } from '../../sim/oracle';
import { amount, oracleConfig, whole, type OracleFlags } from './bisect';

interface UnblockFlags extends OracleFlags {
  write?: boolean;
  replace?: boolean;
  repairSession?: boolean;
  mask?: string;
  concurrency: string;
  maxProbes?: string;
  maxTokens?: string;
  maxUsd?: string;
  verify: string;
  cacheDir?: string;
  cache: boolean;
  json?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  program
    .command('unblock')
    .description('Find the smallest removals after which the whole refused input passes; write a sanitized copy and a resumable session')
    .argument('<result>', 'a bisect result (aup-bisect bisect ... --out result.json, or --json saved to a file)')
    .option('--write', 'write the sanitized copy beside the original file: <name>.sanitized<ext>')
    .option('--replace', 'write the sanitized content over the original file (after a backup <file>.orig)')
    .option('--mask <text>', 'replace each removed span of a text with TEXT (e.g. "[removed]") instead of deleting it; probed as written')
    .option('--repair-session', 'refused Claude Code turn: write a copy of the session without it, for `claude --resume`')
    .option('--test <cmd>', 'probe with a shell command instead of a model: the candidate path is appended, exit 0 = still refused')
    .option('--oracle <kind>', 'api, claude or sim (default: the oracle the bisect used)')
    .option('--model <id>', 'model to probe (default: the model the bisect probed)')
    .option('--concurrency <n>', 'probes in flight at once', '1')
    .option('--max-probes <n>', 'stop before sending more than N paid probes')
    .option('--max-tokens <n>', 'stop before the input tokens of all probes would pass N')
    .option('--max-usd <x>', 'stop before the cost of all probes would pass X dollars')
    .option('--rules <file>', 'sim: classifier rules JSON (default: the bundled demo rules)')
    .option('--noise <p>', 'sim: probability that a refused request passes anyway (a noisy classifier)')
    .option('--base-url <url>', 'api: Messages API host (default: $ANTHROPIC_BASE_URL or https://api.anthropic.com)')
    .option('--claude-bin <path>', 'claude: the Claude Code binary (default: claude on PATH)')
    .option('--timeout <seconds>', '--test/claude: per-probe timeout')
    .option('--prices <file>', 'price table overrides (JSON, USD per million tokens)')
    .option('--verify <k>', 'probes of the whole input that must all pass', '5')
    .option('--cache-dir <dir>', 'probe cache folder (default: $XDG_CACHE_HOME/aup-bisect/probes)')
    .option('--no-cache', 'do not read or write the probe cache')
    .option('--json', 'print one JSON object (the run) on stdout at the end')
    .option('--quiet', 'no progress on stderr')
    .action(async (resultPath: string, flags: UnblockFlags) => {
      process.exitCode = await unblockCommand(resultPath, flags);
    });
}

export async function unblockCommand(
  resultPath: string,
  flags: UnblockFlags,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv } = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  const fail = (error: unknown): number => {
    io.stderr.write(`aup-bisect: ${formatUserError(error)}\n`);
    if (flags.json) io.stdout.write(`${JSON.stringify({ error: describeUserError(error) })}\n`);
    return 1;
  };

  const controller = new AbortController();
  const onSigint = (): void => {
    io.stderr.write('\naup-bisect: stopping...\n');
    controller.abort();
  };
  let run: UnblockRun;
  try {
    const result = await readResult(resultPath);
    // The oracle the bisect used, unless the user names one: a pass set is only meaningful against the same judge.
    const oracleFlags: OracleFlags = { ...flags };
    if (flags.oracle === undefined && flags.test === undefined && ['api', 'claude', 'sim'].includes(result.oracle)) oracleFlags.oracle = result.oracle;
    const config = oracleConfig(oracleFlags, io.env);
    process.on('SIGINT', onSigint);
    let lastPhase = '';
    run = await runUnblock({
      result,
      oracle: config,
      oracles: simOracleFactories,
      model: flags.model,
      concurrency: whole(flags.concurrency, '--concurrency', 1),
      budget: {
        maxProbes: flags.maxProbes === undefined ? undefined : whole(flags.maxProbes, '--max-probes', 0),
        maxInputTokens: flags.maxTokens === undefined ? undefined : whole(flags.maxTokens, '--max-tokens', 0),
        maxUsd: flags.maxUsd === undefined ? undefined : amount(flags.maxUsd, '--max-usd'),
      },
      cache: flags.cache === false ? false : flags.cacheDir,
      verifyRuns: whole(flags.verify, '--verify', 1),
      signal: controller.signal,
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
    });
  } catch (error) {
    return fail(error);
  } finally {
    process.off('SIGINT', onSigint);
  }

  if (flags.json) io.stdout.write(`${JSON.stringify(run)}\n`);
  else io.stdout.write(humanSummary(run));
  if (run.status === 'passes') return 0;
  if (run.status === 'not-refused') {
    io.stderr.write('aup-bisect: the original is not refused: nothing to unblock.\n  Check the model (--model) and the oracle: the refusal must reproduce first.\n');
    return 2;
  }
  io.stderr.write(`aup-bisect: ${run.status === 'stopped' ? `stopped early: ${run.passSet.stoppedEarly ?? 'unknown reason'}` : 'no set of removals made the input pass'}\n`);
  return 1;
}

async function readResult(path: string): Promise<BisectResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UserError('not-found', `cannot read ${path}: ${(error as Error).message}`, 'Pass the JSON written by `aup-bisect bisect ... --out FILE`.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UserError('bad-request', `${path} is not JSON`, 'Pass the JSON written by `aup-bisect bisect ... --out FILE`.');
  }
  const r = value as Partial<BisectResult> | null;
  if (!r || typeof r !== 'object' || !Array.isArray(r.parts) || !r.original || typeof r.oracle !== 'string') {
    throw new UserError('bad-request', `${path} is not a bisect result (no parts, original or oracle)`, 'Pass the JSON written by `aup-bisect bisect ... --out FILE`.');
  }
  return r as BisectResult;
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

/**
 * The options every probing command shares (bisect, unblock, evidence): which oracle, which model, the budget, the
 * concurrency and the cache. Written once, so the commands cannot drift apart, and read into core's ProbeOptions.
 */
import type { Command } from 'commander';
import { UserError } from '../core/errors';
import type { OracleConfig, OracleKind } from '../core/probe/oracle/index';
import { ORACLE_DEFAULTS } from '../core/probe/oracle/defaults';
import type { ProbeOptions } from '../core/probe/setup';
import type { BisectResult } from '../core/bisect/result';
import { simOracleFactories } from '../sim/oracle';

/** The flags that pick and configure the oracle. */
export interface OracleFlags {
  test?: string;
  oracle?: string;
  model?: string;
  rules?: string;
  noise?: string;
  baseUrl?: string;
  claudeBin?: string;
  timeout?: string;
  prices?: string;
}

/** The oracle flags plus the limits and the cache: what addOracleOptions declares. */
export interface ProbeFlags extends OracleFlags {
  concurrency: string;
  maxProbes?: string;
  maxTokens?: string;
  maxUsd?: string;
  cacheDir?: string;
  cache: boolean;
}

/** What differs between the commands: defaults and the wording of the oracle and model defaults. */
export interface OracleOptionDefaults {
  concurrency: string;
  /** e.g. "(default: the oracle the bisect used)". */
  oracleDefault?: string;
  modelDefault: string;
}

/** "api 2, claude 4, sim 4, --test one per core up to 8": what `--concurrency auto` means, for the help. */
const AUTO_CONCURRENCY = `${(['api', 'claude', 'sim'] as const).map((k) => `${k} ${ORACLE_DEFAULTS[k].concurrency}`).join(', ')}, --test one per core up to 8`;

/** Declares the oracle, model, budget, concurrency and cache options on `command`. */
export function addOracleOptions(command: Command, defaults: OracleOptionDefaults): Command {
  return command
    .option('--test <cmd>', 'probe with a shell command instead of a model: the candidate path is appended, exit 0 = still refused')
    .option('--oracle <kind>', `api (ANTHROPIC_API_KEY), claude (your Claude Code login) or sim (offline demo stand-in)${defaults.oracleDefault ? ` ${defaults.oracleDefault}` : ''}`)
    .option('--model <id>', `model to probe ${defaults.modelDefault}`)
    .option('--concurrency <n>', `probes in flight at once, or auto: the oracle's own (${AUTO_CONCURRENCY})`, defaults.concurrency)
    .option('--max-probes <n>', 'stop before sending more than N paid probes')
    .option('--max-tokens <n>', 'stop before the input tokens of all probes would pass N')
    .option('--max-usd <x>', 'stop before the cost of all probes would pass X dollars')
    .option('--rules <file>', 'sim: classifier rules JSON (default: the bundled demo rules)')
    .option('--noise <p>', 'sim: probability that a refused request passes anyway (a noisy classifier)')
    .option('--base-url <url>', 'api: Messages API host (default: $ANTHROPIC_BASE_URL or https://api.anthropic.com)')
    .option('--claude-bin <path>', 'claude: the Claude Code binary (default: claude on PATH)')
    .option('--timeout <seconds>', '--test/claude: per-probe timeout')
    .option('--prices <file>', 'price table overrides (JSON, USD per million tokens)')
    .option('--cache-dir <dir>', 'probe cache folder (default: $XDG_CACHE_HOME/aup-bisect/probes)')
    .option('--no-cache', 'do not read or write the probe cache');
}

/** Core's probe options from the flags: the oracle config (with the stand-in's factory), model, budget, cache. */
export function probeOptions(flags: ProbeFlags, env: NodeJS.ProcessEnv): Omit<ProbeOptions, 'signal'> {
  return {
    oracle: oracleConfig(flags, env),
    oracles: simOracleFactories,
    model: flags.model,
    concurrency: concurrencyFlag(flags.concurrency),
    budget: {
      maxProbes: flags.maxProbes === undefined ? undefined : whole(flags.maxProbes, '--max-probes', 0),
      maxInputTokens: flags.maxTokens === undefined ? undefined : whole(flags.maxTokens, '--max-tokens', 0),
      maxUsd: flags.maxUsd === undefined ? undefined : amount(flags.maxUsd, '--max-usd'),
    },
    cache: flags.cache === false ? false : flags.cacheDir,
  };
}

/** "auto" is left to core, which picks the oracle's default (probe/oracle/defaults.ts) and estimates with it. */
export function concurrencyFlag(value: string): number | undefined {
  if (value === 'auto') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw usage(`--concurrency must be a whole number >= 1 or auto, got "${value}"`);
  return n;
}

export function oracleConfig(flags: OracleFlags, env: NodeJS.ProcessEnv): OracleConfig {
  if (flags.test !== undefined && flags.oracle !== undefined && flags.oracle !== 'command') {
    throw usage('give either --test CMD or --oracle, not both');
  }
  const kind: OracleKind = flags.test !== undefined ? 'command' : ((flags.oracle ?? 'api') as OracleKind);
  if (!['api', 'claude', 'sim', 'command'].includes(kind)) throw usage(`--oracle must be api, claude or sim, got "${flags.oracle}"`);
  const config: OracleConfig = { kind, model: flags.model, prices: flags.prices };
  if (flags.timeout !== undefined) config.timeoutMs = amount(flags.timeout, '--timeout') * 1000;
  if (kind === 'command') config.command = flags.test;
  if (kind === 'api') {
    config.apiKey = env.ANTHROPIC_API_KEY;
    config.baseUrl = flags.baseUrl ?? (env.ANTHROPIC_BASE_URL || undefined);
  }
  if (kind === 'claude') config.claudeBinary = flags.claudeBin;
  if (kind === 'sim') {
    config.rules = flags.rules;
    if (flags.noise !== undefined) {
      const p = amount(flags.noise, '--noise');
      if (p >= 1) throw usage('--noise is a probability below 1');
      config.noise = { falseNegative: p, seed: 1 };
    }
  } else if (flags.rules !== undefined || flags.noise !== undefined) {
    throw usage('--rules and --noise only apply to --oracle sim');
  }
  return config;
}

/** The flags with the bisect's oracle filled in when the user named none (`unblock` and `evidence`). */
export function sameOracle<T extends OracleFlags>(flags: T, result: Pick<BisectResult, 'oracle'>): T {
  if (flags.oracle !== undefined || flags.test !== undefined || !['api', 'claude', 'sim'].includes(result.oracle)) return flags;
  return { ...flags, oracle: result.oracle };
}

/** `--models a,b,c`: the model ids, trimmed, without empties or repeats. */
export function modelList(value: string, flag = '--models'): string[] {
  const models = [...new Set(value.split(',').map((m) => m.trim()).filter((m) => m !== ''))];
  if (models.length === 0) throw usage(`${flag} needs at least one model id, e.g. ${flag} claude-opus-5-5,claude-opus-4-8 (or "auto")`);
  return models;
}

export function usage(message: string, command?: Command): UserError {
  return new UserError('usage', message, command ? `Usage: aup-bisect ${command.name()} ${command.usage()}` : 'See aup-bisect --help.');
}

export function whole(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw usage(`${flag} must be a whole number >= ${min}, got "${value}"`);
  return n;
}

export function amount(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw usage(`${flag} must be a non-negative number, got "${value}"`);
  return n;
}

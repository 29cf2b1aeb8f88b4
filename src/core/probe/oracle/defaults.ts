/**
 * Each oracle's default concurrency and typical seconds per probe: what `--concurrency auto` (the CLI's default) and
 * the extension's `aupBisect.concurrency: "auto"` resolve to, and what the estimate turns rounds into minutes with.
 * An explicit concurrency always wins. The figures come from `npm run bench:reduce`'s rounds table (issue 15, item 4);
 * README "Probe cache, budgets, concurrency, cancelling" quotes the rows.
 */
import { availableParallelism } from 'node:os';
import type { OracleKind } from './index';

export interface OracleDefaults {
  /** Probes in flight when the user names no concurrency. */
  concurrency: number;
  /** Typical wall time of one probe, for the minutes in the estimate; undefined when only the user can know it. */
  secondsPerProbe?: number;
  /** One line: why these figures. */
  why: string;
}

/**
 * bench:reduce, one phrase in 200 KB: rounds 55 / 29 / 18 / 11 at 1 / 2 / 4 / 8 in flight for 55 / 57 / 62 / 64
 * probes; at 3 s a probe 2.8 min / 1.4 min / 54 s / 33 s, at 20 s 18.3 / 9.7 / 6.0 / 3.7 min.
 */
export const ORACLE_DEFAULTS: Readonly<Record<Exclude<OracleKind, 'command'>, OracleDefaults>> = {
  api: {
    concurrency: 2,
    secondsPerProbe: 3,
    why: 'at 3 s a probe, 4 in flight saves about 30 s over 2 (54 s vs 1.4 min) but sends about 80 requests a minute, over the ' +
      '50 a minute of the lowest API tier (docs.anthropic.com/en/api/rate-limits), and 9% more paid probes (62 vs 57); 2 sends about 40',
  },
  claude: {
    concurrency: 4,
    secondsPerProbe: 20,
    why: 'at about 20 s a `claude -p` probe, 4 in flight cut the wait from 9.7 min (2) to 6.0 min; each is a local Claude Code ' +
      'process, and 8 (3.7 min) runs twice the processes on a 2-core laptop for 3% more probes of the user\'s quota (64 vs 62)',
  },
  sim: {
    concurrency: 4,
    // Measured: `aup-bisect bisect` of a 300-line file, --oracle sim --concurrency 1: 108 probes in 2.6 s at load 11.6 on 2 cores.
    secondsPerProbe: 0.03,
    why: 'the loopback stand-in answers in about 0.03 s and costs nothing; 4 is the knee of the rounds table (3x fewer rounds than 1 for 13% more probes)',
  },
};

/**
 * A test command runs on this machine: more in flight than cores only queue, and its time per probe is the command's
 * own, which nothing here can know (the estimate then gives rounds, not minutes).
 */
export function commandDefaults(cores: number = availableParallelism()): OracleDefaults {
  return {
    concurrency: Math.max(1, Math.min(8, cores)),
    why: `a local command: one per core (${cores} here, at most 8, where the rounds table stops gaining), and its time is the command's own`,
  };
}

/** The defaults for an oracle by its name (Oracle.name); an oracle this module does not know gets one probe at a time. */
export function oracleDefaults(name: string): OracleDefaults {
  if (name === 'command') return commandDefaults();
  if (name === 'api' || name === 'claude' || name === 'sim') return ORACLE_DEFAULTS[name];
  return { concurrency: 1, why: 'an oracle without known limits: one probe at a time' };
}

/** The concurrency a run uses: the one asked for, else the oracle's default. */
export function resolveConcurrency(asked: number | undefined, oracleName: string): number {
  return asked !== undefined ? Math.max(1, Math.floor(asked)) : oracleDefaults(oracleName).concurrency;
}

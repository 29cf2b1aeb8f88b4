/**
 * What the use cases (bisect, unblock) share when they set up probing: the oracle from a config or an instance,
 * and the persistent cache from the `cache` option. One place, so both say the same thing when the cache cannot
 * be used and both close only what they opened.
 */
import { UserError } from '../errors';
import type { BudgetLimits } from './budget';
import { ProbeCache, defaultCacheDir } from './cache';
import { createOracle, type OracleConfig, type OracleFactories } from './oracle/index';
import type { Oracle } from './oracle/types';

/** What every use case that sends probes (bisect, unblock, evidence) is given: the oracle, the limits, the cache. */
export interface ProbeOptions {
  /** The oracle: a config (created and closed by the use case) or an instance (the caller closes it). */
  oracle: OracleConfig | Oracle;
  /** Oracles core does not build itself: the CLI and the extension pass the loopback stand-in (src/sim/oracle.ts). */
  oracles?: OracleFactories;
  /** Overrides the model of the input (the refused turn's, or the one the bisect probed). */
  model?: string;
  budget?: BudgetLimits;
  /** Probes in flight at once (bisect, evidence: default the oracle's, probe/oracle/defaults.ts; unblock: 1). */
  concurrency?: number;
  /** Persistent cache folder (default ~/.cache/aup-bisect/probes); `false` for none (`--no-cache`). */
  cache?: string | false | ProbeCache;
  signal?: AbortSignal;
}

export function isOracle(value: OracleConfig | Oracle): value is Oracle {
  return typeof (value as Oracle).probe === 'function';
}

/** The oracle to probe, and whether the caller must close it (it made it from a config). */
export async function oracleFor(value: OracleConfig | Oracle, factories?: OracleFactories): Promise<{ oracle: Oracle; owned: boolean }> {
  return isOracle(value) ? { oracle: value, owned: false } : { oracle: await createOracle(value, factories), owned: true };
}

/** The probe cache the option names: an open cache, a folder (default ~/.cache/aup-bisect/probes), or none (`false`). */
export async function probeCacheFor(option: string | false | ProbeCache | undefined): Promise<ProbeCache | undefined> {
  if (option instanceof ProbeCache) return option;
  if (option === false) return undefined;
  const dir = option ?? defaultCacheDir();
  try {
    return await ProbeCache.open(dir);
  } catch (error) {
    throw new UserError('other', `cannot use the probe cache at ${dir}: ${(error as Error).message}`,
      'Pass --cache-dir with a writable folder, or --no-cache.', { cause: error });
  }
}

/**
 * `--oracle sim`: the loopback Messages API stand-in started in this process, probed through the real API oracle
 * (official SDK) with a dummy key. The keyless demo: the whole bisect runs offline against the bundled demo rules.
 * Core never imports this file; the CLI and the extension pass `createSimOracle` to core as `OracleFactories.sim`.
 */
import { createHash } from 'node:crypto';
import demoRules from './rules/demo.json';
import { loadRules, startSim, type SimRules, type SimServer, type SimStats } from './server';
import { ApiOracle } from '../core/probe/oracle/api';
import type { OracleFactories, SimOracleOptions as CoreSimOptions } from '../core/probe/oracle/index';
import type { Oracle, ProbeEstimate, ProbeInput, Verdict } from '../core/probe/oracle/types';

export interface SimOracleOptions extends Omit<CoreSimOptions, 'rules'> {
  /** Rules file or rules; absent: the bundled demo rules. */
  rules?: string | SimRules;
}

/** The `sim` oracle, with the stand-in's own counts and request log, so a caller can check every probe against it. */
export interface SimOracleHandle extends Oracle {
  readonly url: string;
  /** The stand-in's stats (src/sim/stats.ts): one log entry per request it served, in order. */
  stats(): SimStats;
  /** Stops the stand-in. */
  close(): Promise<void>;
}

class SimOracle implements SimOracleHandle {
  readonly name = 'sim';
  constructor(
    private readonly api: ApiOracle,
    private readonly server: Pick<SimServer, 'close' | 'url' | 'stats'>,
    readonly identity: string,
  ) {}
  stats(): SimStats {
    return this.server.stats();
  }
  get model(): string {
    return this.api.model;
  }
  get url(): string {
    return this.server.url;
  }
  probe(input: ProbeInput, signal?: AbortSignal): Promise<Verdict> {
    return this.api.probe(input, signal);
  }
  estimate(input: ProbeInput): ProbeEstimate {
    return this.api.estimate(input);
  }
  models(signal?: AbortSignal): Promise<string[]> {
    return this.api.models(signal);
  }
  close(): Promise<void> {
    return this.server.close();
  }
}

export async function createSimOracle(options: SimOracleOptions = {}): Promise<SimOracleHandle> {
  const rules = await loadRules(options.rules ?? (demoRules as unknown as SimRules));
  const server = await startSim({ rules, noise: options.noise, latencyMs: options.latencyMs });
  // The cache must not mix answers of different rules or noise settings; the port changes every run, so the
  // identity names the rules' content, not the URL.
  const rulesHash = createHash('sha256').update(JSON.stringify(rules)).digest('hex').slice(0, 16);
  const api = new ApiOracle({
    apiKey: 'sim-local-key',
    baseUrl: server.url,
    model: options.model,
    maxOutputTokens: options.maxOutputTokens,
    prices: options.prices,
    name: 'sim',
    retryBaseMs: 50,
    onRetry: options.onRetry,
  });
  const identity = `sim|rules=${rulesHash}|noise=${JSON.stringify(options.noise ?? {})}`;
  return new SimOracle(api, server, identity);
}

/** What the CLI and the extension hand to core's createOracle / runBisect so `--oracle sim` works. */
export const simOracleFactories: OracleFactories = { sim: createSimOracle };

/**
 * Picks the oracle a bisect probes: the Messages API (a key), `claude -p` (the user's login, keyless), a test
 * command (free, local), or the loopback stand-in (`sim`, keyless demo). Everything after this sees one Oracle.
 * The stand-in lives in src/sim, which core never imports: the CLI and the extension pass its factory in
 * (`OracleFactories.sim`, src/sim/oracle.ts).
 */
import { ApiOracle, type RetryInfo } from './api';
import { ClaudeOracle } from './claude';
import { CommandOracle } from './command';
import { loadPriceTable, type PriceTable } from '../../prices';
import { OracleError, type Oracle } from './types';

export type OracleKind = 'api' | 'claude' | 'command' | 'sim';

export interface OracleConfig {
  kind: OracleKind;
  /** api: default model when the input names none (the refused turn's model wins). claude: passed as --model. */
  model?: string;
  /** api: the key (CLI: ANTHROPIC_API_KEY). Never logged or cached. */
  apiKey?: string;
  /** api: the host (CLI: --base-url or ANTHROPIC_BASE_URL). */
  baseUrl?: string;
  /** api/sim: max_tokens of a probe. */
  maxOutputTokens?: number;
  /** command: the shell command (`--test CMD`). */
  command?: string;
  /** command, claude: per-probe timeout. */
  timeoutMs?: number;
  /** command: file name for candidates whose input has none. */
  defaultFileName?: string;
  /** claude: binary path. */
  claudeBinary?: string;
  /**
   * claude: the environment Claude Code runs with (default: this process's). Lets a caller point it at another
   * config dir or API host (HOME, CLAUDE_CONFIG_DIR, ANTHROPIC_BASE_URL) without touching its own environment.
   */
  env?: NodeJS.ProcessEnv;
  /** sim: rules file (default: the bundled demo rules). */
  rules?: string;
  /** sim: classifier noise, e.g. {falseNegative: 0.1, seed: 7}. */
  noise?: { falseNegative?: number; falsePositive?: number; seed?: number };
  /** sim: simulated latency per request. */
  latencyMs?: number;
  /** Price table overrides, or the path of a JSON file holding them. */
  prices?: PriceTable | string;
  onRetry?: (info: RetryInfo) => void;
}

/** What the loopback stand-in's factory receives: the sim fields of an OracleConfig, prices already loaded. */
export interface SimOracleOptions {
  rules?: string;
  model?: string;
  noise?: { falseNegative?: number; falsePositive?: number; seed?: number };
  latencyMs?: number;
  maxOutputTokens?: number;
  prices?: PriceTable;
  onRetry?: (info: RetryInfo) => void;
}

/** Oracles that live outside core and are injected by the caller (the CLI and the extension). */
export interface OracleFactories {
  /** `--oracle sim`: starts the loopback stand-in (src/sim/oracle.ts createSimOracle). */
  sim?: (options: SimOracleOptions) => Promise<Oracle>;
}

export async function createOracle(config: OracleConfig, factories: OracleFactories = {}): Promise<Oracle> {
  const prices = typeof config.prices === 'string' ? await loadPrices(config.prices) : config.prices;
  switch (config.kind) {
    case 'api': {
      const apiKey = config.apiKey?.trim();
      if (!apiKey) {
        throw new OracleError('auth', 'no Anthropic API key',
          'Set ANTHROPIC_API_KEY (in VS Code: "AUP Bisect: Set Anthropic API Key"), or use --oracle claude (your Claude Code login) or --oracle sim (offline demo).');
      }
      return new ApiOracle({
        apiKey, baseUrl: config.baseUrl, model: config.model, maxOutputTokens: config.maxOutputTokens, prices, onRetry: config.onRetry,
      });
    }
    case 'claude':
      return new ClaudeOracle({ binary: config.claudeBinary, model: config.model, timeoutMs: config.timeoutMs, env: config.env, prices });
    case 'command':
      if (!config.command) {
        throw new OracleError('bad-request', 'no test command', 'Pass --test "CMD" (exit 0 = still refused), or pick --oracle api|claude|sim.');
      }
      return new CommandOracle({ command: config.command, timeoutMs: config.timeoutMs, defaultFileName: config.defaultFileName });
    case 'sim': {
      if (!factories.sim) {
        throw new OracleError('bad-request', 'the loopback stand-in (oracle "sim") is not available here',
          'Use --oracle api, claude or --test CMD; the stand-in runs from the aup-bisect CLI and the extension.');
      }
      return factories.sim({
        rules: config.rules, model: config.model, noise: config.noise, latencyMs: config.latencyMs,
        maxOutputTokens: config.maxOutputTokens, prices, onRetry: config.onRetry,
      });
    }
    default:
      throw new OracleError('bad-request', `unknown oracle "${String(config.kind)}"`, 'Use --oracle api, claude or sim, or --test CMD.');
  }
}

async function loadPrices(path: string): Promise<PriceTable> {
  try {
    return await loadPriceTable(path);
  } catch (error) {
    throw new OracleError('bad-request', (error as Error).message, 'Fix or remove the file given to --prices (JSON: {"model-prefix": {"input", "output", "cacheWrite", "cacheRead"}} in USD per million tokens).');
  }
}

export { ApiOracle, buildRequest, DEFAULT_MODEL, MINIMAL_SYSTEM } from './api';
export { ClaudeOracle, PROBE_DIR_PREFIX, readClaudeJson } from './claude';
export { CommandOracle, candidateFile } from './command';
export { OracleError } from './types';
export type { Oracle, ProbeInput, ProbePart, Verdict, ProbeEstimate } from './types';

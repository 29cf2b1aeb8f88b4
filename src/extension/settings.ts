/**
 * Typed settings. The ones that run a program or say where the API key is sent (testCommand, claudePath,
 * apiBaseUrl) are machine-scoped in package.json and, on top of that, read as empty in an untrusted workspace.
 * terminalCommandPattern is machine-scoped too (a cloned repository could otherwise hand the extension host a regular
 * expression that backtracks for seconds on every command line) and reads as the default when untrusted.
 */
import { getConfiguration, isWorkspaceTrusted } from './vscodeapi';

export type OracleSetting = 'auto' | 'api' | 'claude' | 'command' | 'sim';
export type NotificationLevel = 'notify' | 'statusBar' | 'off';

export interface Settings {
  oracle: OracleSetting;
  model?: string;
  /**
   * Models to replay the trigger on after a bisect (rates across models): ids, or "auto" (the refusing model, its
   * fallback and its previous version when served, as the CLI's `--models auto`). Undefined: none.
   */
  models?: string[] | 'auto';
  /** Undefined for "auto": core picks the oracle's default (probe/oracle/defaults.ts). */
  concurrency?: number;
  maxProbes: number;
  maxCostUsd: number;
  claudePath?: string;
  testCommand?: string;
  apiBaseUrl?: string;
  transcriptDir?: string;
  watchTerminals: boolean;
  /** Terminal commands whose output is scanned for refusals (a regular expression); '' means every command. */
  terminalCommandPattern: string;
  notificationLevel: NotificationLevel;
  targetRepo: string;
  githubApiUrl: string;
}

export const SECTION = 'aupBisect';
/** Settings that must not come from an untrusted workspace. */
export const RESTRICTED = ['testCommand', 'claudePath', 'apiBaseUrl'] as const;

/**
 * Default of aupBisect.terminalCommandPattern (package.json holds the same string): `claude` as a command word (also
 * a path ending in /claude, claude.exe, claude.cmd), `@anthropic-ai/claude-code`, or `npx ... claude-code`. A word
 * boundary alone would also match `cat claude-notes.md` or `~/.claude/settings.json`, whose output is not Claude Code's.
 */
export const DEFAULT_TERMINAL_COMMAND_PATTERN =
  "(?:^|[\\s/\\\\;&|(`'\"])claude(?:\\.(?:exe|cmd))?(?=$|[\\s;&|)`'\"])|@anthropic-ai/claude-code\\b|\\bnpx\\s.*\\bclaude-code(?=$|[\\s@;&|)'\"])";

const ORACLES: readonly OracleSetting[] = ['auto', 'api', 'claude', 'command', 'sim'];
const LEVELS: readonly NotificationLevel[] = ['notify', 'statusBar', 'off'];

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

function positive(value: unknown, fallback: number, integer: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return fallback;
  return integer ? Math.max(1, Math.floor(value)) : value;
}

/** A list of model ids (trimmed, without blanks or repeats), "auto", or undefined for an empty list or anything else. */
function models(value: unknown): string[] | 'auto' | undefined {
  if (value === 'auto') return 'auto';
  if (!Array.isArray(value)) return undefined;
  const ids = [...new Set(value.flatMap((v) => (typeof v === 'string' && v.trim() !== '' ? [v.trim()] : [])))];
  return ids.length > 0 ? ids : undefined;
}

/** What core's `models` option takes (BisectOptions, EvidenceOptions): an empty list asks for its automatic choice. */
export function modelsOption(value: Settings['models']): string[] | undefined {
  return value === 'auto' ? [] : value;
}

/** "auto" (the default), or anything but a number of at least 1, leaves the choice to the oracle's default. */
function concurrency(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.min(16, Math.floor(value)) : undefined;
}

export function readSettings(): Settings {
  const config = getConfiguration(SECTION);
  const trusted = isWorkspaceTrusted();
  const restricted = (key: (typeof RESTRICTED)[number]): string | undefined => (trusted ? nonEmpty(config.get(key)) : undefined);
  return {
    oracle: oneOf(config.get('oracle'), ORACLES, 'auto'),
    model: nonEmpty(config.get('model')),
    models: models(config.get('models')),
    concurrency: concurrency(config.get('concurrency')),
    maxProbes: positive(config.get('budget.maxProbes'), 200, true),
    maxCostUsd: positive(config.get('budget.maxCostUsd'), 2, false),
    claudePath: restricted('claudePath'),
    testCommand: restricted('testCommand'),
    apiBaseUrl: restricted('apiBaseUrl'),
    transcriptDir: nonEmpty(config.get('transcriptDir')),
    watchTerminals: config.get('watchTerminals') !== false,
    // An empty string is meaningful (every command), so only a missing or non-string value takes the default.
    terminalCommandPattern: trusted && typeof config.get('terminalCommandPattern') === 'string' ? String(config.get('terminalCommandPattern')).trim() : DEFAULT_TERMINAL_COMMAND_PATTERN,
    notificationLevel: oneOf(config.get('notificationLevel'), LEVELS, 'notify'),
    targetRepo: nonEmpty(config.get('targetRepo')) ?? 'anthropics/claude-code',
    githubApiUrl: (nonEmpty(config.get('githubApiUrl')) ?? 'https://api.github.com').replace(/\/+$/, ''),
  };
}

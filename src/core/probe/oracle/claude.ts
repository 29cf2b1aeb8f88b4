/**
 * `claude -p --output-format json` as an oracle: keyless, on the user's own Claude Code login and subscription.
 * Probes run in an empty temp dir (one per run: Claude Code makes a project folder in its config for every cwd it
 * sees, so one dir keeps that to one folder, removed again on close) holding nothing but, for binary candidates, the
 * candidate file, with every tool disabled (`--tools ""`, and `--strict-mcp-config` so the user's MCP servers are not
 * mounted either) and no session saved, so Claude Code never acts on the content and the probes do not land in the
 * user's transcripts.
 * The candidate text goes in through stdin. A refusal is read from the JSON: stop_reason "refusal", safety stops,
 * or an error result whose text is one of the refusal messages.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { estimateInputTokens, inputBytes } from './estimate';
import { costUsd, type PriceTable } from '../../prices';
import { matchPrintResult, type PrintResult } from '../../refusal/signatures';
import { OracleError, type Oracle, type ProbeEstimate, type ProbeInput, type Verdict } from './types';

const RESENDS = 3;

/** Temp dirs of probes start with this, so the transcript watcher can tell probes from the user's own sessions. */
export const PROBE_DIR_PREFIX = 'aup-bisect-probe-';

/** What the oracle does to its probe dir, one function per step, so a test can hold any step back. */
export interface ProbeDirFs {
  mkdtemp(prefix: string): Promise<string>;
  rm(path: string, options: { recursive?: boolean; force?: boolean }): Promise<void>;
}

export interface ClaudeOracleOptions {
  /** Path or name of the binary (default "claude", looked up on PATH). */
  binary?: string;
  model?: string;
  /** Kill a probe after this long (default 300 s). */
  timeoutMs?: number;
  /** Extra arguments placed before ours. */
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  prices?: PriceTable;
  /**
   * The file operations on the probe dir (default: node:fs/promises). Tests pass gated ones to force an ordering,
   * e.g. close() arriving while the dir is still being made or removed.
   */
  fs?: Partial<ProbeDirFs>;
  /**
   * Tokens Claude Code adds around the candidate (its system prompt and retries: ~2,100 for a passing probe and
   * ~7,000 for a refused one with 2.1.328 and no tools); learnt from each answer's usage, this is only the first
   * guess, for the budget check of the first probe.
   */
  overheadTokens?: number;
}

/**
 * The fields of `claude -p --output-format json` we read (see shared notes, claude-code.md section 3): the detector's
 * PrintResult, plus the usage figures the oracle prices.
 */
export interface ClaudeJsonResult extends PrintResult {
  subtype?: string;
  usage?: {
    input_tokens?: number;
    output_tokens?: number;
    cache_creation_input_tokens?: number;
    cache_read_input_tokens?: number;
  };
  modelUsage?: Record<string, {
    inputTokens?: number;
    outputTokens?: number;
    cacheReadInputTokens?: number;
    cacheCreationInputTokens?: number;
    costUSD?: number;
  }>;
}

/**
 * Tokens of the whole probe. `usage` covers only the last request, while a refused turn makes several (Claude Code
 * retries, then falls back to another model), all paid: modelUsage sums them per model, so it is preferred.
 */
export function claudeUsage(json: ClaudeJsonResult): { inputTokens: number; outputTokens: number } {
  const models = Object.values(json.modelUsage ?? {});
  if (models.length > 0) {
    let inputTokens = 0;
    let outputTokens = 0;
    for (const m of models) {
      inputTokens += (m.inputTokens ?? 0) + (m.cacheReadInputTokens ?? 0) + (m.cacheCreationInputTokens ?? 0);
      outputTokens += m.outputTokens ?? 0;
    }
    return { inputTokens, outputTokens };
  }
  const u = json.usage ?? {};
  return {
    inputTokens: (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0),
    outputTokens: u.output_tokens ?? 0,
  };
}

/** Turns one `claude -p` JSON answer into a verdict, or throws the transport failure it reports. */
export function readClaudeJson(json: ClaudeJsonResult): { refused: boolean; detail: string; category?: string | null } {
  const text = json.result ?? '';
  // The detector's reading of the print result (structure first, then the wording of every message generation);
  // safety stops also count: Claude Code may have fallen back to another model and finished, but ours refused.
  const match = matchPrintResult(json);
  if (match || (json.safety_stops ?? 0) > 0) {
    return { refused: true, detail: firstLine(text) || 'stop_reason: refusal', category: match?.category ?? null };
  }
  if (json.is_error) {
    if (/invalid api key|please run \/login|not logged in|authentication_error|\b401\b|oauth token/i.test(text)) {
      throw new OracleError('auth', `Claude Code is not logged in: ${firstLine(text)}`,
        'Run `claude` once and log in (or /login), then run the same command again.');
    }
    if (/\b429\b|rate.?limit|usage limit|limit reached/i.test(text)) {
      throw new OracleError('rate-limit', `Claude Code hit a rate or usage limit: ${firstLine(text)}`,
        'Wait until the limit resets and run the same command again: cached answers are free.');
    }
    if (/\b529\b|overloaded/i.test(text)) {
      throw new OracleError('overloaded', `the API is overloaded: ${firstLine(text)}`, 'Try again in a few minutes.');
    }
    if (/connection error|ECONNREFUSED|ENOTFOUND|fetch failed|network/i.test(text)) {
      throw new OracleError('network', `Claude Code cannot reach the API: ${firstLine(text)}`,
        'Check your network connection, then run the same command again.');
    }
    throw new OracleError('other', `claude -p failed: ${firstLine(text) || json.subtype || 'is_error'}`,
      'Run `claude -p "hello"` yourself to see what is wrong with the Claude Code install.');
  }
  return { refused: false, detail: `stop_reason: ${json.stop_reason ?? 'end_turn'}` };
}

export class ClaudeOracle implements Oracle {
  readonly name = 'claude';
  readonly model?: string;
  readonly identity: string;
  /** Tokens Claude Code added around the candidate, learnt from the answers (undefined until the first one). */
  private learnedOverhead?: number;
  private runDir?: Promise<string>;
  private files = 0;
  /** Dropped after the first "unknown option" from an older Claude Code. */
  private noPersistence = true;
  /** Set by close(): a later probe would make a new probe dir nobody removes, and pay for an answer nobody reads. */
  private closed = false;
  private readonly inFlight = new Set<Promise<Verdict>>();
  /** The one removal of the probe dir: every close() call waits for it, not only the first. */
  private closing?: Promise<void>;
  private readonly fs: ProbeDirFs;

  constructor(private readonly options: ClaudeOracleOptions = {}) {
    this.model = options.model;
    // The host Claude Code talks to decides the answers (the real API vs a stand-in), as in the API oracle's identity,
    // so the probe cache never serves a stand-in's answer for the real API; unset (the usual case) keeps the old key.
    const host = (options.env ?? process.env).ANTHROPIC_BASE_URL;
    this.identity = `claude|${options.binary ?? 'claude'}|${(options.extraArgs ?? []).join(' ')}${host ? `|${host}` : ''}`;
    this.fs = { mkdtemp, rm, ...options.fs };
  }

  estimate(input: ProbeInput): ProbeEstimate {
    // A refused request is sent up to three times (Claude Code retries once, then falls back to another model).
    const inputTokens = RESENDS * estimateInputTokens(input) + (this.learnedOverhead ?? this.options.overheadTokens ?? 8_000);
    // Claude Code may answer at length when not refused; 1,000 output tokens is a generous ceiling for a short reply.
    const outputTokens = 1_000;
    return { inputTokens, outputTokens, costUsd: costUsd(input.model ?? this.model, inputTokens, outputTokens, this.options.prices) };
  }

  // input.session is ignored: `claude -p` opens a session of its own for every probe and names it itself.
  async probe(input: ProbeInput, signal?: AbortSignal): Promise<Verdict> {
    if (signal?.aborted) throw new OracleError('cancelled', 'probe cancelled');
    if (this.closed) throw new OracleError('cancelled', 'the claude -p oracle is closed');
    const work = this.probeInDir(input, signal);
    this.inFlight.add(work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  private async probeInDir(input: ProbeInput, signal?: AbortSignal): Promise<Verdict> {
    const dir = await (this.runDir ??= this.fs.mkdtemp(join(tmpdir(), PROBE_DIR_PREFIX)));
    const started = Date.now();
    const written: string[] = [];
    try {
      const prompt = await this.writeCandidate(input, dir, written);
      let run = await this.run(dir, prompt, input.model ?? this.model, signal);
      if (this.noPersistence && /unknown option.*no-session-persistence/i.test(run.stderr)) {
        this.noPersistence = false;
        run = await this.run(dir, prompt, input.model ?? this.model, signal);
      }
      const latencyMs = Date.now() - started;
      const json = parseJson(run.stdout);
      if (!json) {
        if (run.timedOut) {
          throw new OracleError('other', `claude -p did not answer within ${this.options.timeoutMs ?? 300_000} ms`,
            'Run `claude -p "hello"` to check Claude Code works, or use --oracle api.');
        }
        throw new OracleError('other', `claude -p gave no JSON (exit ${run.code}): ${firstLine(run.stderr || run.stdout)}`,
          'Run `claude -p "hello" --output-format json` to check your Claude Code install (a recent version is needed).');
      }
      const { refused, detail, category } = readClaudeJson(json);
      const { inputTokens, outputTokens } = claudeUsage(json);
      // Learn what Claude Code adds around the candidate, so the next budget check is realistic.
      const own = estimateInputTokens(input);
      this.learnedOverhead = Math.max(this.learnedOverhead ?? 0, inputTokens - RESENDS * own);
      return {
        refused,
        usage: { inputTokens, outputTokens },
        costUsd: json.total_cost_usd ?? costUsd(input.model ?? this.model, inputTokens, outputTokens, this.options.prices),
        bytesSent: inputBytes(input),
        latencyMs,
        category,
        detail,
      };
    } finally {
      await Promise.all(written.map((file) => this.fs.rm(file, { force: true })));
    }
  }

  /**
   * Removes the probe dir and the empty project folder Claude Code made for it in its config dir. Every call resolves
   * only once they are gone: a second close() (a reducer stopping and its caller's own cleanup) used to return at
   * once while the first was still removing the dir.
   */
  close(): Promise<void> {
    this.closed = true;
    return (this.closing ??= this.removeProbeDir());
  }

  private async removeProbeDir(): Promise<void> {
    // A caller may close while probes are still running (a reducer stopping on one probe's error while another is
    // out): let them finish in the dir before it goes. No probe starts after `closed` is set, so this set is final.
    await Promise.allSettled([...this.inFlight]);
    const pending = this.runDir;
    if (!pending) return;
    this.runDir = undefined;
    const dir = await pending;
    await this.fs.rm(dir, { recursive: true, force: true });
    const env = this.options.env ?? process.env;
    const config = env.CLAUDE_CONFIG_DIR || join(env.HOME || homedir(), '.claude');
    // Claude Code's project folder name: the cwd with every "/" and "." replaced by "-" (shared notes, section 2).
    await removeIfNoFiles(join(config, 'projects', dir.replace(/[/.]/g, '-')));
  }

  /**
   * Text parts become the prompt on stdin. Binary parts (a PDF) are written into the probe's dir and mentioned with
   * "@name": Claude Code attaches a mentioned file itself, without a tool call, the way the user's session read it.
   */
  private async writeCandidate(input: ProbeInput, dir: string, written: string[]): Promise<string> {
    const pieces: string[] = [];
    for (const part of input.parts) {
      if (part.bytes) {
        if (part.bytes.byteLength === 0) continue;
        // Numbered per probe, so concurrent probes sharing the dir never overwrite each other's candidate.
        const name = `${++this.files}-${basename(part.fileName ?? part.filePath ?? 'candidate.pdf').replace(/[^\w.-]/g, '_')}`;
        written.push(join(dir, name));
        await writeFile(join(dir, name), part.bytes);
        pieces.push(`@${name}`);
      } else if (part.text !== '') {
        pieces.push(part.text);
      }
    }
    // Claude Code refuses a prompt that is empty or only whitespace ("Input contained only whitespace", exit 1, no
    // JSON), and the reducer does make such candidates (the blank lines between paragraphs): "." stands in for nothing.
    const prompt = pieces.join('\n\n');
    return prompt.trim() !== '' ? prompt : '.';
  }

  private run(
    cwd: string,
    prompt: string,
    model: string | undefined,
    signal?: AbortSignal,
  ): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
    const args = [
      ...(this.options.extraArgs ?? []),
      '-p',
      '--output-format', 'json',
      '--tools', '',
      '--strict-mcp-config',
      ...(this.noPersistence ? ['--no-session-persistence'] : []),
      ...(model ? ['--model', model] : []),
    ];
    const binary = this.options.binary ?? 'claude';
    return new Promise((resolve, reject) => {
      const child = spawn(binary, args, { cwd, env: this.options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      let aborted = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, this.options.timeoutMs ?? 300_000);
      const onAbort = (): void => {
        aborted = true;
        child.kill('SIGKILL');
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => {
        if (stderr.length < 16_384) stderr += c.toString('utf8');
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(prompt);
      child.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (error.code === 'ENOENT') {
          reject(new OracleError('not-found', `Claude Code was not found (${binary})`,
            'Install Claude Code (npm install -g @anthropic-ai/claude-code) or set the path to its binary (--claude-bin / the aupBisect.claudePath setting).',
            { cause: error }));
        } else {
          reject(new OracleError('other', `cannot run ${binary}: ${error.message}`, undefined, { cause: error }));
        }
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (aborted) reject(new OracleError('cancelled', 'probe cancelled'));
        else resolve({ code, stdout, stderr, timedOut });
      });
    });
  }
}

/** Deletes a folder tree only when it holds no file at all (Claude Code's empty per-project folders). */
async function removeIfNoFiles(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (!entries) return;
  for (const entry of entries) {
    if (!entry.isDirectory()) return;
    await removeIfNoFiles(join(dir, entry.name));
  }
  await rmdir(dir).catch(() => undefined);
}

function parseJson(stdout: string): ClaudeJsonResult | undefined {
  const text = stdout.trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as ClaudeJsonResult;
  } catch {
    // Some versions print warnings before the object: take the last line that parses.
    for (const line of text.split('\n').reverse()) {
      try {
        const value = JSON.parse(line) as unknown;
        if (value && typeof value === 'object' && !Array.isArray(value)) return value as ClaudeJsonResult;
      } catch {
        /* keep looking */
      }
    }
    return undefined;
  }
}

function firstLine(text: string): string {
  return (text.trim().split('\n')[0] ?? '').slice(0, 300);
}

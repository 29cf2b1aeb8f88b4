/**
 * The whole bisect job, shared by the CLI, the extension and the demo: build the input (a file, or a refused request
 * rebuilt from its transcript), wrap the oracle with cache, budget, concurrency and cancellation, run the reducer,
 * and assemble the BisectResult. When the run stops early (budget, cancel, a network failure after retries), the
 * result still carries the smallest candidate known to be refused, and every answer is in the cache, so running the
 * same command again resumes for free.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { inputBytes, isPdf } from '../oracle/estimate';
import { createOracle, type OracleConfig } from '../oracle/index';
import { OracleError, type Oracle, type ProbeInput, type ProbePart } from '../oracle/types';
import type { RefusalRecord } from '../refusal/record';
import type { BudgetLimits } from './budget';
import { ProbeCache, defaultCacheDir } from './cache';
import { MeteredOracle, type MeterCounters, type MeterEvent } from './meter';
import { reduce as defaultReduce } from './reducer';
import type { BisectPartSummary, BisectResult, ReduceOptions, ReduceOutcome, ReduceProgress } from './result';

export type ReduceFn = (input: ProbeInput, oracle: Oracle, options?: ReduceOptions) => Promise<ReduceOutcome>;

export interface BisectProgress {
  /** The reducer's phase ("confirm", "locate", "chars", "verify"...), or "start" before the first probe. */
  phase: string;
  /** Paid probes and cache hits so far. */
  probes: number;
  cachedProbes: number;
  inFlight: number;
  inputTokens: number;
  outputTokens: number;
  bytesSent: number;
  costUsd: number;
  /** Bytes of the best (smallest refused) candidate so far, and of the original. */
  currentSize: number;
  originalSize: number;
  elapsedMs: number;
  /** The last answer, when this event follows one. */
  lastAnswer?: { refused: boolean; cached: boolean };
  /** A one-line preview of the best candidate (at most 120 characters). */
  bestPreview?: string;
}

export interface BisectRunOptions {
  /** Bisect this file (a PDF goes to the oracle as a PDF). */
  file?: string;
  /** Or the refused request of this refusal id, rebuilt from its transcript. */
  refusalId?: string;
  /** Claude Code's config dir for `refusalId` (default: $CLAUDE_CONFIG_DIR or ~/.claude). */
  claudeDir?: string;
  /** Or a refusal record the caller already has (the extension). */
  refusal?: RefusalRecord;
  /** Or a ready input (the demo, tests). */
  input?: ProbeInput;
  /** The oracle: a config (created and closed here) or an instance (the caller closes it). */
  oracle: OracleConfig | Oracle;
  /** Overrides the model of the refused turn. */
  model?: string;
  budget?: BudgetLimits;
  concurrency?: number;
  /** Persistent cache folder (default ~/.cache/aup-bisect/probes); `false` for none (`--no-cache`). */
  cache?: string | false | ProbeCache;
  repeatMode?: 'sample' | 'memo';
  signal?: AbortSignal;
  onProgress?: (event: BisectProgress) => void;
  /** Where the minimal candidate of a binary input (PDF) is written as a valid file. Absent: not written. */
  outDir?: string;
  verifyRuns?: number;
  confirmRuns?: number;
  /** The reduction algorithm (default: src/core/reduce/reducer.ts). */
  reduce?: ReduceFn;
  /** The user's home, name and host, so they are traced as secrets too (default: none). */
  redactContext?: import('../report/redact').RedactContext;
  /** Probes of the trigger with its secrets replaced by fakes (default 3). */
  shareRuns?: number;
}

/** The result plus how the run ended: "reduced" (exit 0), "not-refused" (exit 2), "stopped" (exit 1). */
export interface BisectRun extends BisectResult {
  status: ReduceOutcome['status'];
}

export async function runBisect(options: BisectRunOptions): Promise<BisectRun> {
  const started = Date.now();
  const { input, original, refusal } = await buildInput(options);
  const originalSize = inputBytes(input);

  const ownsOracle = !isOracle(options.oracle);
  const inner = isOracle(options.oracle) ? options.oracle : await createOracle(options.oracle);
  const cache = options.cache instanceof ProbeCache
    ? options.cache
    : options.cache === false
      ? undefined
      : await openCache(options.cache ?? defaultCacheDir());

  let best: ProbeInput = input;
  let phase = 'start';
  let counters: MeterCounters | undefined;
  const emit = (lastAnswer?: BisectProgress['lastAnswer']): void => {
    if (!options.onProgress) return;
    const c = counters ?? meter.counters;
    options.onProgress({
      phase,
      probes: c.probes,
      cachedProbes: c.cachedProbes,
      inFlight: c.inFlight,
      inputTokens: c.inputTokens,
      outputTokens: c.outputTokens,
      bytesSent: c.bytesSent,
      costUsd: c.costUsd,
      currentSize: inputBytes(best),
      originalSize,
      elapsedMs: Date.now() - started,
      lastAnswer,
      bestPreview: preview(best),
    });
  };
  const meter = new MeteredOracle(inner, {
    cache,
    budget: options.budget,
    concurrency: options.concurrency,
    signal: options.signal,
    repeatMode: options.repeatMode,
    onEvent: (event: MeterEvent) => {
      counters = event.counters;
      emit({ refused: event.refused, cached: event.cached });
    },
  });
  emit();

  const reduce = options.reduce ?? defaultReduce;
  let outcome: ReduceOutcome;
  try {
    outcome = await reduce(input, meter, {
      concurrency: options.concurrency,
      signal: options.signal,
      verifyRuns: options.verifyRuns,
      confirmRuns: options.confirmRuns,
      onProgress: (event: ReduceProgress) => {
        phase = event.phase;
        best = event.best;
        counters = undefined;
        emit();
      },
    });
  } catch (error) {
    // A failure the reducer does not stop on (network down, auth): keep what was learnt when something was.
    if (!(error instanceof OracleError) || best === input) {
      await finish(meter, ownsOracle);
      throw error;
    }
    outcome = {
      status: 'stopped',
      minimal: best,
      parts: summarise(input, best),
      oneMinimal: false,
      verification: { refused: 0, of: 0 },
      flipsSeen: 0,
      repeats: 0,
      probesIssued: meter.counters.probes + meter.counters.cachedProbes,
      stoppedEarly: `${error.message}${error.hint ? `. ${error.hint}` : ''}`,
    };
  }
  const parts = outcome.parts.length > 0 ? outcome.parts : summarise(input, outcome.minimal);
  // Redaction follows the content: secrets found in the original parts, carried to the minimal text (report/trace.ts);
  // a trigger that needs one is probed again with same-shape fakes, so the draft can show a shareable form.
  let shareable: BisectResult['shareable'];
  if (outcome.status !== 'not-refused') {
    const { traceSecrets } = await import('../report/trace');
    const traced = await traceSecrets(input, parts, options.redactContext);
    parts.forEach((p, i) => { if (traced[i]?.length) p.secrets = traced[i]; });
    const { probeShareable } = await import('../report/fake');
    shareable = await probeShareable(outcome.minimal, parts, meter, options.shareRuns ?? 3, options.signal).catch(() => undefined);
  }
  await finish(meter, ownsOracle);

  const minimalText = parts.filter((p) => p.needed).map((p) => p.minimal).join('\n\n');
  const c = meter.counters;
  const result: BisectRun = {
    status: outcome.status,
    minimal: outcome.status === 'not-refused' ? '' : minimalText,
    probes: c.probes,
    cachedProbes: c.cachedProbes,
    inputTokens: c.inputTokens,
    bytesSent: c.bytesSent,
    oneMinimal: outcome.oneMinimal,
    verification: outcome.verification,
    flipsSeen: outcome.flipsSeen,
    parts,
    elapsedMs: Date.now() - started,
    outputTokens: c.outputTokens,
    costUsd: c.costUsd,
    repeats: outcome.repeats,
    oracle: inner.name,
    model: input.model ?? inner.model,
    date: new Date(started).toISOString(),
    original,
  };
  if (outcome.control) result.control = outcome.control;
  if (shareable) result.shareable = shareable;
  if (refusal) result.refusal = refusal;
  if (outcome.status === 'not-refused') {
    result.stoppedEarly = outcome.stoppedEarly
      ?? `the original is not refused (${outcome.verification.refused}/${outcome.verification.of} refused): nothing to bisect`;
  } else if (outcome.stoppedEarly) {
    // The reducer names the reason; the metering wrapper knows what the user can do about it.
    const hint = meter.stopError?.hint;
    result.stoppedEarly = hint && !outcome.stoppedEarly.includes(hint) ? `${outcome.stoppedEarly}. ${hint}` : outcome.stoppedEarly;
  }
  if (outcome.status !== 'not-refused' && options.outDir) {
    const file = await writeMinimalFile(outcome.minimal, options.outDir, original.fileName);
    if (file) result.minimalFile = file;
  }
  return result;
}

async function openCache(dir: string): Promise<ProbeCache> {
  try {
    return await ProbeCache.open(dir);
  } catch (error) {
    throw new OracleError('other', `cannot use the probe cache at ${dir}: ${(error as Error).message}`,
      'Pass --cache-dir with a writable folder, or --no-cache.', { cause: error });
  }
}

async function finish(meter: MeteredOracle, ownsOracle: boolean): Promise<void> {
  if (ownsOracle) await meter.close();
  else await meter.close().catch(() => undefined); // flushes the cache; the caller's oracle stays open
}

function isOracle(value: OracleConfig | Oracle): value is Oracle {
  return typeof (value as Oracle).probe === 'function';
}

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Reads a file into a one-part input: a PDF as bytes (its text field a latin1 view), anything else as UTF-8 text. */
export async function inputFromFile(path: string, model?: string): Promise<{ input: ProbeInput; original: BisectResult['original'] }> {
  const absolute = resolve(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new OracleError('not-found', `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      'Check the path of the file to bisect.');
  }
  const fileName = basename(absolute);
  const part: ProbePart = { kind: 'file', text: '', fileName, filePath: absolute };
  const pdf = bytes.subarray(0, 5).toString('latin1') === '%PDF-' || /\.pdf$/i.test(fileName);
  if (pdf) {
    part.bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    part.text = bytes.toString('latin1');
    part.mediaType = 'application/pdf';
  } else {
    if (bytes.includes(0)) {
      throw new OracleError('bad-request', `${path} looks binary (it holds NUL bytes): only text files and PDFs can be bisected`,
        'Convert it to text first, or bisect the refusal itself with --refusal ID.');
    }
    part.text = bytes.toString('utf8');
  }
  if (bytes.byteLength === 0) throw new OracleError('bad-request', `${path} is empty: nothing to bisect`, 'Pass the file that was refused.');
  const input: ProbeInput = { parts: [part] };
  if (model) input.model = model;
  return {
    input,
    original: { path: absolute, fileName, size: bytes.byteLength, sha256: sha256(bytes), ...(pdf ? { mediaType: 'application/pdf' } : {}) },
  };
}

async function buildInput(options: BisectRunOptions): Promise<{ input: ProbeInput; original: BisectResult['original']; refusal?: RefusalRecord }> {
  if (options.input) {
    const input = options.model ? { ...options.input, model: options.model } : options.input;
    // The extension rebuilds the input itself and passes the refusal along for the result.
    const original = describeInput(input);
    if (options.refusal?.transcript) original.path = options.refusal.transcript;
    return { input, original, refusal: options.refusal };
  }
  if (options.file) return { ...(await inputFromFile(options.file, options.model)), refusal: options.refusal };
  let refusal = options.refusal;
  if (!refusal && options.refusalId) {
    const { resolveProjectsDir } = await import('../transcript/locate');
    const { findRefusal } = await import('../transcript/scan');
    const projectsDir = await resolveProjectsDir(options.claudeDir);
    refusal = await findRefusal(projectsDir, options.refusalId) ?? undefined;
    if (!refusal) {
      throw new OracleError('not-found', `no refusal with id ${options.refusalId} in ${projectsDir}`,
        'Run `aup-bisect scan` to list refusal ids (and pass --claude-dir if Claude Code keeps its config elsewhere).');
    }
  }
  if (!refusal) throw new OracleError('bad-request', 'nothing to bisect', 'Pass a FILE or --refusal ID.');
  const { rebuildRequest } = await import('../transcript/parts');
  const rebuilt = await rebuildRequest(refusal);
  // The model of the refused turn, unless the user picked one: the first model in a fallback chain is the one that refused first.
  const model = options.model ?? rebuilt.model ?? refusal.models[0]?.model;
  const input: ProbeInput = model ? { ...rebuilt, model } : rebuilt;
  return { input, original: { ...describeInput(input), path: refusal.transcript || undefined }, refusal };
}

function describeInput(input: ProbeInput): BisectResult['original'] {
  const hashes = input.parts.map((p) => sha256(p.bytes ?? p.text));
  const single = input.parts.length === 1 ? input.parts[0] : undefined;
  const original: BisectResult['original'] = {
    size: inputBytes(input),
    sha256: single ? hashes[0]! : sha256(hashes.join('\n')),
  };
  if (single?.fileName) original.fileName = single.fileName;
  if (single?.mediaType) original.mediaType = single.mediaType;
  return original;
}

/** Per-part summary when the reducer gave none (a run stopped before it could): a part is needed when it is not empty. */
export function summarise(original: ProbeInput, minimal: ProbeInput): BisectPartSummary[] {
  return original.parts.map((part, index) => {
    const kept = minimal.parts[index];
    const text = kept ? kept.text : '';
    const summary: BisectPartSummary = {
      index,
      kind: part.kind,
      size: part.bytes ? part.bytes.byteLength : Buffer.byteLength(part.text, 'utf8'),
      needed: kept ? (kept.bytes ? kept.bytes.byteLength > 0 : text !== '') : false,
      minimal: text,
    };
    if (part.toolName) summary.toolName = part.toolName;
    if (part.filePath) summary.filePath = part.filePath;
    if (part.fileName) summary.fileName = part.fileName;
    return summary;
  });
}

/** The minimal candidate of a binary input as a file the user can open (a valid PDF), next to the result. */
async function writeMinimalFile(minimal: ProbeInput, outDir: string, fileName?: string): Promise<string | undefined> {
  const part = minimal.parts.find((p) => p.bytes && p.bytes.byteLength > 0);
  if (!part?.bytes) return undefined;
  const name = part.fileName ?? fileName ?? (isPdf(part) ? 'candidate.pdf' : 'candidate.bin');
  const ext = extname(name);
  const path = join(resolve(outDir), `${basename(name, ext)}.minimal${ext}`);
  await mkdir(resolve(outDir), { recursive: true });
  await writeFile(path, part.bytes);
  return path;
}

function preview(input: ProbeInput): string {
  const text = input.parts.map((p) => (p.bytes && isPdf(p) ? `[PDF ${p.bytes.byteLength} B]` : p.text)).filter(Boolean).join(' | ');
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 119)}…` : flat;
}

/**
 * The bisect use case, the ONE way from a refusal, a file or a text to a BisectResult, shared by the CLI, the
 * extension and the demo: build the input from the source (source.ts), wrap the oracle with cache, budget
 * and cancellation (src/core/probe/), estimate the cost (estimate.ts), run the reduction algorithm
 * (src/core/reduce/) and assemble the result. When the run stops early (budget, cancel, a network failure after
 * retries), the result still carries the smallest candidate known to be refused, and every answer is in the cache, so
 * running the same command again resumes for free.
 *
 * `prepareBisect` does everything up to the first probe and returns a job whose estimate a caller can show (and ask
 * about) before `job.run()`; `runBisect` is prepare-then-run for callers that do not ask.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { formatUserError } from '../errors';
import type { ProbeCache } from '../probe/cache';
import { resolveConcurrency } from '../probe/oracle/defaults';
import { oracleFor, probeCacheFor, type ProbeOptions } from '../probe/setup';
import { MeteredOracle, type MeterCounters, type MeterEvent } from '../probe/meter';
import { inputBytes, isPdf } from '../probe/oracle/estimate';
import { OracleError, type Oracle, type ProbeInput } from '../probe/oracle/types';
import { fragmentsOf, modelFor } from '../reduce/model';
import { reduce as defaultReduce } from '../reduce/reducer';
import type { ReduceOptions, ReduceOutcome, ReduceProgress } from '../reduce/result';
import { claudeMdSentence, controlProbes, probeControls, probeSessionControl, sendsSession, triggerChannels, type Attribution } from './attribution';
import { estimateBisect, type BisectEstimate } from './estimate';
import { EVIDENCE_RUNS, fallbackModel, modelsFor, probeEvidence } from './evidence';
import type { BisectResult, BisectStatus, PartSummary } from './result';
import { inputFromSource, type BisectInput, type BisectSource } from './source';

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

export interface BisectOptions extends ProbeOptions {
  /** What to bisect: a refusal (by record or id), a file, or a text. */
  source: BisectSource;
  repeatMode?: 'sample' | 'memo';
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
  /** Probes of each reproduction the draft would offer, with its snippet's exact request (default 3). */
  reproRuns?: number;
  /**
   * Rates across models after the bisect (`--models`): the trigger, its readable form and a control replayed on these
   * models; an empty list picks the refusing model, its fallback and its previous version. Absent: not measured.
   */
  models?: readonly string[];
  /** Probes of each input on each model (default 3). */
  evidenceRuns?: number;
}

/** A bisect ready to send its first probe: the input, the oracle and the estimate to show before it starts. */
export interface BisectJob extends BisectInput {
  /** The oracle the probes go to (before metering). */
  readonly oracle: Oracle;
  readonly estimate: BisectEstimate;
  /** Runs the bisect (once) and releases what prepareBisect opened; `hooks` replace the options' signal and progress. */
  run(hooks?: Pick<BisectOptions, 'signal' | 'onProgress'>): Promise<BisectResult>;
  /** Releases what prepareBisect opened without running (the user declined the estimate). Safe to call twice. */
  close(): Promise<void>;
}

/** Prepare, then run: for callers that do not ask before the first probe. */
export async function runBisect(options: BisectOptions): Promise<BisectResult> {
  return (await prepareBisect(options)).run();
}

/** Builds the input, creates the oracle and opens the cache: everything before the first probe. */
export async function prepareBisect(options: BisectOptions): Promise<BisectJob> {
  const built = await inputFromSource(options.source, options.model);
  const { oracle, owned: ownsOracle } = await oracleFor(options.oracle, options.oracles);
  let cache: ProbeCache | undefined;
  try {
    cache = await probeCacheFor(options.cache);
  } catch (error) {
    if (ownsOracle) await oracle.close?.().catch(() => undefined);
    throw error;
  }
  let state: 'ready' | 'running' | 'closed' = 'ready';
  const close = async (): Promise<void> => {
    if (state === 'closed') return;
    state = 'closed';
    if (ownsOracle) await oracle.close?.();
  };
  // No concurrency asked for ("auto"): the oracle's default, so the estimate's minutes are those of the run.
  const concurrency = resolveConcurrency(options.concurrency, oracle.name);
  return {
    ...built,
    oracle,
    estimate: estimateBisect(built.input, oracle, options.budget, {
      concurrency,
      reproRuns: options.reproRuns,
      writesPdf: options.outDir !== undefined,
      controls: built.refusal ? controlProbes(built.input, oracle.name, built.refusal.sessionId) : undefined,
      evidence: options.models ? { models: plannedModels(options.models, built.refusal), k: options.evidenceRuns ?? EVIDENCE_RUNS } : undefined,
    }),
    close,
    run: async (hooks) => {
      if (state !== 'ready') throw new Error('a bisect job runs once');
      state = 'running';
      return execute({ ...options, concurrency, ...hooks }, built, oracle, cache, ownsOracle).finally(() => {
        state = 'closed';
      });
    },
  };
}

async function execute(
  options: BisectOptions,
  { input, original, refusal }: BisectInput,
  inner: Oracle,
  cache: ProbeCache | undefined,
  ownsOracle: boolean,
): Promise<BisectResult> {
  const started = Date.now();
  const originalSize = inputBytes(input);
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
    signal: options.signal,
    repeatMode: options.repeatMode,
    onEvent: (event: MeterEvent) => {
      counters = event.counters;
      emit({ refused: event.refused, cached: event.cached });
    },
  });
  emit();

  // Attribution first, for a refusal rebuilt from a transcript (a file or a text has no context to control for): a
  // refused content-free control means the content is not the cause, and nothing more is spent.
  let attribution: Attribution | undefined;
  if (refusal) {
    phase = 'control';
    emit();
    let controls: Awaited<ReturnType<typeof probeControls>>;
    try {
      controls = await probeControls(input, meter, { signal: options.signal, concurrency: options.concurrency });
    } catch (error) {
      await finish(meter, ownsOracle);
      // Budget or cancellation during the controls: a stopped run (the answers so far are cached), like the reducer's.
      const stop = meter.stopError;
      if (!stop) throw error;
      const reason = formatUserError(stop, 'sentence');
      return controlsEnded('stopped', `stopped during the content-free control: ${reason}`, undefined, { input, original, refusal }, inner, meter.counters, started);
    }
    attribution = controls.attribution;
    if (controls.blocked) {
      await finish(meter, ownsOracle);
      return controlsEnded('not-attributable', controls.blocked.reason, attribution, { input, original, refusal }, inner, meter.counters, started);
    }
  }

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
      parts: partSummaries(input, best),
      oneMinimal: false,
      verification: { refused: 0, of: 0 },
      flipsSeen: 0,
      repeats: 0,
      probesIssued: meter.counters.probes + meter.counters.cachedProbes,
      stoppedEarly: formatUserError(error, 'sentence'),
    };
  }
  // Refused in the session, not fresh: ask the service about the session (unless the controls already did).
  if (outcome.status === 'not-refused' && refusal?.sessionId && attribution && !attribution.withSession && sendsSession(inner.name)) {
    phase = 'control';
    emit();
    try {
      const session = await probeSessionControl(input, meter, attribution, refusal.sessionId, { signal: options.signal, concurrency: options.concurrency });
      attribution = session.attribution;
      if (session.blocked) {
        await finish(meter, ownsOracle);
        return controlsEnded('not-attributable', session.blocked.reason, attribution, { input, original, refusal }, inner, meter.counters, started);
      }
    } catch (error) {
      // Budget or cancellation here: the run ends as the reducer left it (not refused fresh), the session unasked.
      if (!meter.stopError) {
        await finish(meter, ownsOracle);
        throw error;
      }
    }
  }
  const parts = outcome.parts.length > 0 ? outcome.parts : partSummaries(input, outcome.minimal);
  addFragments(parts, outcome.minimal);
  // Redaction follows the content: secrets found in the original parts, carried to the minimal text (report/trace.ts);
  // a trigger that needs one is probed again with same-shape fakes, so the draft can show a shareable form.
  let shareable: BisectResult['shareable'];
  if (outcome.status !== 'not-refused') {
    const { traceSecrets } = await import('../report/trace');
    const traced = await traceSecrets(input, parts, options.redactContext);
    parts.forEach((p, i) => { if (traced[i]?.length) p.secrets = traced[i]; });
    if (traced.some((t) => t.length)) {
      const { probeShareable } = await import('../report/fake');
      shareable = await probeShareable(outcome.minimal, parts, meter, options.shareRuns ?? 3, options.signal).catch(() => undefined);
    }
  }
  const minimalText = parts.filter((p) => p.needed).map((p) => p.minimal).join('\n\n');
  // Every snippet the draft offers is first run, k times, with exactly its request, through the same meter (budget,
  // cache, cancellation): the draft prints a snippet only with the rate measured here.
  let reproductions: BisectResult['reproductions'];
  if (outcome.status !== 'not-refused') {
    const { probeReproductions } = await import('../report/repro');
    // Its own phase, so progress does not count these probes as the reducer's verification.
    phase = 'repro';
    emit();
    try {
      reproductions = await probeReproductions({
        result: { parts, minimal: minimalText, shareable, original },
        minimal: outcome.minimal,
        writesPdf: options.outDir !== undefined,
        oracle: meter,
        runs: options.reproRuns ?? 3,
        concurrency: options.concurrency,
        signal: options.signal,
      });
    } catch (error) {
      await finish(meter, ownsOracle);
      throw error;
    }
  }
  // Rates across models, through the same meter: the trigger as the snippets send it, on each model asked for.
  let evidence: BisectResult['evidence'];
  if (options.models && outcome.status !== 'not-refused' && minimalText !== '') {
    phase = 'models';
    emit();
    const source = { parts, minimal: minimalText, shareable, original, model: input.model ?? inner.model, refusal, reproductions };
    try {
      const choice = await modelsFor(source, meter, options.models, options.signal);
      // The minimal PDF, as the document reproduction attaches it: only when it is written as a file, as there.
      const { pdfPartOf } = await import('../report/repro');
      const pdf = options.outDir !== undefined ? pdfPartOf(outcome.minimal) : undefined;
      evidence = await probeEvidence({ result: source, oracle: meter, choice, ...(pdf ? { pdf } : {}), k: options.evidenceRuns, concurrency: options.concurrency, signal: options.signal });
    } catch (error) {
      await finish(meter, ownsOracle);
      throw error;
    }
  }
  await finish(meter, ownsOracle);

  const c = meter.counters;
  const { limits, notes } = await describeParts(input);
  const judged = judge(outcome, input, limits.filter((l) => parts[l.part]?.needed));
  const result: BisectResult = {
    status: judged.status,
    statusReason: attribution && claudeMdSentence(attribution) ? `${judged.reason}; ${claudeMdSentence(attribution)}` : judged.reason,
    minimal: outcome.status === 'not-refused' ? '' : minimalText,
    probes: c.probes,
    cachedProbes: c.cachedProbes,
    inputTokens: c.inputTokens,
    bytesSent: c.bytesSent,
    oneMinimal: judged.oneMinimal,
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
  if (attribution) {
    const needed = parts.filter((p) => p.needed).map((p) => p.index);
    result.attribution = outcome.status === 'not-refused' ? attribution : { ...attribution, ...triggerChannels(input, needed) };
  }
  if (shareable) result.shareable = shareable;
  if (reproductions) result.reproductions = reproductions;
  if (evidence) result.evidence = evidence;
  if (refusal) result.refusal = refusal;
  if (limits.length) result.limits = limits;
  if (notes.length) result.notes = notes;
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

/** Models the evidence replays on, at most: the ones given, else the refusing model, its fallback and a previous version. */
function plannedModels(given: readonly string[], refusal: BisectInput['refusal']): number {
  const named = given.filter((m) => m.trim() !== '');
  return named.length > 0 ? new Set(named).size : 2 + (fallbackModel(refusal) ? 1 : 0);
}

/** The result of a run that ended in the controls: no trigger, every part unneeded, only the control probes spent. */
function controlsEnded(
  status: Extract<BisectStatus, 'not-attributable' | 'stopped'>,
  reason: string,
  attribution: Attribution | undefined,
  { input, original, refusal }: BisectInput,
  inner: Oracle,
  c: MeterCounters,
  started: number,
): BisectResult {
  const result: BisectResult = {
    status,
    statusReason: reason,
    minimal: '',
    probes: c.probes,
    cachedProbes: c.cachedProbes,
    inputTokens: c.inputTokens,
    bytesSent: c.bytesSent,
    oneMinimal: false,
    verification: { refused: 0, of: 0 },
    flipsSeen: 0,
    parts: partSummaries(input, { parts: [] }),
    elapsedMs: Date.now() - started,
    outputTokens: c.outputTokens,
    costUsd: c.costUsd,
    repeats: 0,
    oracle: inner.name,
    model: input.model ?? inner.model,
    date: new Date(started).toISOString(),
    original,
  };
  if (attribution) result.attribution = attribution;
  if (status === 'stopped') result.stoppedEarly = reason;
  if (refusal) result.refusal = refusal;
  return result;
}

async function finish(meter: MeteredOracle, ownsOracle: boolean): Promise<void> {
  if (ownsOracle) await meter.close();
  // The caller's oracle stays open (it closes it): only the cache is written out.
  else await meter.flush().catch(() => undefined);
}

/** Per-part summary when the reducer gave none (a run stopped before it could): a part is needed when it is not empty. */
export function partSummaries(original: ProbeInput, minimal: ProbeInput): PartSummary[] {
  return original.parts.map((part, index) => {
    const kept = minimal.parts[index];
    const text = kept ? kept.text : '';
    const summary: PartSummary = {
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

/**
 * Each needed part's exact content beside its readable text: the fragments of the part the model rendered for the
 * minimal input (the reducer's minimal holds the needed parts, in order).
 */
function addFragments(parts: PartSummary[], minimal: ProbeInput): void {
  const needed = parts.filter((p) => p.needed);
  if (needed.length !== minimal.parts.length) return;
  needed.forEach((summary, k) => {
    const fragments = fragmentsOf(minimal.parts[k]!);
    if (!fragments) return;
    summary.fragments = fragments;
    summary.minimalExact = fragments.map((f) => f.text).join('');
  });
}

/** What the part models say about the input: parts that cannot be cut to characters or glyphs, and how parts were read. */
async function describeParts(input: ProbeInput): Promise<Required<Pick<BisectResult, 'limits' | 'notes'>>> {
  const limits: { part: number; unit: string; why: string }[] = [];
  const notes: { part: number; note: string }[] = [];
  for (const [part, p] of input.parts.entries()) {
    // The reducer loaded these same models (modelFor caches them per part): no second parse.
    const model = await modelFor(p).catch(() => undefined);
    if (!model) continue;
    if (model.limit) limits.push({ part, unit: model.levels[model.levels.length - 1]!, why: model.limit });
    for (const note of model.notes) notes.push({ part, note });
  }
  return { limits, notes };
}

/** The status of a finished run and its reason: only what was checked is claimed. */
export function judge(
  outcome: Pick<ReduceOutcome, 'status' | 'oneMinimal' | 'verification' | 'stoppedEarly' | 'minimal'>,
  input: ProbeInput,
  neededLimits: { part: number; why: string }[],
): { status: BisectStatus; reason: string; oneMinimal: boolean } {
  if (outcome.status === 'not-refused') return { status: 'not-refused', reason: 'the original is not refused: nothing to bisect', oneMinimal: false };
  if (outcome.status === 'stopped') return { status: 'stopped', reason: outcome.stoppedEarly ?? 'stopped early', oneMinimal: false };
  const v = outcome.verification;
  if (v.of > 0 && v.refused * 2 <= v.of) {
    return { status: 'not-attributable', reason: `the result was refused only ${v.refused}/${v.of} times on verification: the refusal is not pinned on this content`, oneMinimal: false };
  }
  const whole = neededLimits.map((l) => `part #${l.part}: ${l.why}`).join('; ');
  const unchanged = outcome.minimal.parts.length === input.parts.length && inputBytes(outcome.minimal) === inputBytes(input);
  if (neededLimits.length && unchanged) {
    return { status: 'not-attributable', reason: `nothing could be removed and the input cannot be split further (${whole})`, oneMinimal: false };
  }
  if (neededLimits.length) return { status: 'partial', reason: `smaller, but not cut to single characters or glyphs (${whole})`, oneMinimal: false };
  if (!outcome.oneMinimal) return { status: 'partial', reason: 'smaller, but not every single-unit removal at the finest level was checked by a probe', oneMinimal: false };
  return { status: 'minimal', reason: 'every single-unit removal at the finest level was probed and let the refusal go', oneMinimal: true };
}

function preview(input: ProbeInput): string {
  const text = input.parts.map((p) => (p.bytes && isPdf(p) ? `[PDF ${p.bytes.byteLength} B]` : p.text)).filter(Boolean).join(' | ');
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 119)}…` : flat;
}

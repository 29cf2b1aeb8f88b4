/**
 * Rates across models: the evidence a maintainer can act on ("refused 3/3 on Opus 5.5, 0/3 on Opus 4.8 with the same
 * 23 characters"). After a bisect, the trigger, its readable form (when it differs) and a content-free control are
 * replayed on a few models, k probes each, through the same metered oracle as every other probe (cache, budget,
 * cancellation), and each rate keeps the request ids that produced it. A model that could not be measured is named
 * with the reason; no rate is ever inferred.
 *
 * The requests are the draft's own snippet requests (src/core/report/repro.ts), in the forms the reproductions use
 * (report/forms.ts, one list), so a maintainer who runs a snippet with another model name sends exactly what was
 * measured. For a trigger found in a PDF the trigger is the minimal PDF as a document, and its text is rated apart,
 * as text: a PDF whose text alone passes says "attach the PDF".
 */
import { readFile } from 'node:fs/promises';
import { formatUserError, UserError } from '../errors';
import type { RefusalRecord } from '../refusal/record';
import { MeteredOracle } from '../probe/meter';
import { oracleFor, probeCacheFor, type ProbeOptions } from '../probe/setup';
import { OracleError, type Oracle, type ProbeInput, type ProbePart } from '../probe/oracle/types';
import { cannotSend, draftForms, FORM_LABEL } from '../report/forms';
import { modelDisplayName } from '../report/models';
import { reproInput, shownTrigger, SNIPPET_SYSTEM, snippetFileName, snippetTrigger } from '../report/repro';
import { isPdf } from '../probe/oracle/estimate';
import { Scheduler } from '../reduce/scheduler';
import { oracleDefaults, resolveConcurrency } from '../probe/oracle/defaults';
import { expectedMinutes, independentRounds } from './rounds';
import { CONTROL_PROMPT } from './attribution';
import type { BisectResult, ReproForm } from './result';

/** Probes of each input on each model, unless the caller asks for another k. */
export const EVIDENCE_RUNS = 3;

/** Why a model is in the table. */
export type ModelRole = 'given' | 'refusing' | 'fallback' | 'previous';

/** One input on one model: k probes, how they answered, and the ids of the requests that answered. */
export interface EvidenceRate {
  refused: number;
  passed: number;
  /** Probes that got no verdict (a transport error after the oracle's retries). */
  errors: number;
  k: number;
  /** Request ids of the answers, as the service gave them (answers from the cache keep the id of their first asking). */
  requestIds: string[];
  /** Answers served from the probe cache (asked before, nothing sent now). */
  cached: number;
}

export interface ModelEvidence {
  model: string;
  role: ModelRole;
  /** The trigger exactly as the snippet of the evidence's `form` sends it (for a PDF trigger, the minimal PDF). */
  trigger?: EvidenceRate;
  /** The trigger in each of the evidence's `otherForms`, in that order (the text forms of a PDF trigger, as text). */
  otherForms?: { form: ReproForm; rate: EvidenceRate }[];
  /** The readable trigger (" … " between fragments), only when it is not the same text as the trigger. */
  readable?: EvidenceRate;
  /** The content-free control (CONTROL_PROMPT with the snippets' system prompt): does this model refuse anything? */
  control?: EvidenceRate;
  /** Set when the model was not measured, with why (not served, budget reached...): then no rate is given. */
  notMeasured?: string;
}

/** "Is this a regression?" from the table: the refusing model against an older version of it. */
export interface Regression {
  answer: 'yes' | 'no' | 'not measured';
  /** One sentence a maintainer reads, with the rates and the size of the trigger. */
  sentence: string;
}

export interface ModelsEvidence {
  /** Probes of each input on each model. */
  k: number;
  /** The snippet request the trigger was sent as: the minimal PDF as a document when the draft attaches one. */
  form: ReproForm;
  /**
   * The reproductions' other forms, each replayed as well (absent in results made before they were): for a PDF
   * trigger, its text as the user message and in a file read, rated as text.
   */
  otherForms?: ReproForm[];
  models: ModelEvidence[];
  /** Models that were wanted but not put in the table, and why (e.g. no older version is served). */
  notes: string[];
  regression: Regression;
  /** Set when the budget or a cancel ended the measurement, with why: the models from there on are not measured. */
  stoppedEarly?: string;
}

/** The models to measure, by role: the ones given, else the refusing model, its fallback and its previous version. */
export interface ModelChoice {
  /** `notMeasured` set: known before any probe not to be worth one (not in the oracle's model list). */
  models: { model: string; role: ModelRole; notMeasured?: string }[];
  notes: string[];
}

/** The refusing model of a result: the model the bisect probed, else the first of the refusal's chain. */
export function refusingModel(result: Pick<BisectResult, 'model' | 'refusal'>): string | undefined {
  return result.model ?? result.refusal?.models[0]?.model;
}

/** The model Claude Code fell back to after the refusal, when the record says. */
export function fallbackModel(refusal: RefusalRecord | undefined): string | undefined {
  if (!refusal) return undefined;
  return refusal.models.find((m) => m.fallbackModel)?.fallbackModel ?? refusal.models[1]?.model;
}

/** Family and version numbers of a wire id from its display name ("claude-opus-4-8" -> Opus [4, 8]). */
function versionOf(id: string): { family: string; version: number[] } | undefined {
  const match = /^([A-Za-z]+) (\d+(?:\.\d+)*)$/.exec(modelDisplayName(id));
  return match ? { family: match[1]!, version: match[2]!.split('.').map(Number) } : undefined;
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The previous version of `model` among `served` (same family, the highest version below it), or undefined. A dated
 * and an undated id of one version count as that version; the first listed wins.
 */
export function previousVersion(model: string, served: readonly string[]): string | undefined {
  const of = versionOf(model);
  if (!of) return undefined;
  let best: { id: string; version: number[] } | undefined;
  for (const id of served) {
    const v = versionOf(id);
    if (!v || v.family !== of.family || compareVersions(v.version, of.version) >= 0) continue;
    if (!best || compareVersions(v.version, best.version) > 0) best = { id, version: v.version };
  }
  return best?.id;
}

/**
 * Which models to replay on. Given models are taken as given (the service says if one is not served). Otherwise the
 * refusing model, the fallback, and the previous version when `served` (the oracle's model list) has one; without a
 * list the previous version is not guessed, and the note says so.
 */
export function chooseModels(result: Pick<BisectResult, 'model' | 'refusal'>, given: readonly string[] | undefined, served: readonly string[] | undefined): ModelChoice {
  const models: ModelChoice['models'] = [];
  const notes: string[] = [];
  const add = (model: string | undefined, role: ModelRole): void => {
    if (model && !models.some((m) => m.model === model)) models.push({ model, role });
  };
  if (given && given.length > 0) {
    for (const model of given) add(model, 'given');
    return { models, notes };
  }
  const refusing = refusingModel(result);
  if (!refusing) {
    notes.push('the result names no refusing model: pass the models to compare (--models a,b)');
    return { models, notes };
  }
  add(refusing, 'refusing');
  add(fallbackModel(result.refusal), 'fallback');
  if (!served) {
    notes.push(`the previous version of ${refusing} was not looked for: this oracle cannot list the models it serves (name it with --models)`);
  } else {
    const previous = previousVersion(refusing, served);
    if (previous) add(previous, 'previous');
    else notes.push(`no previous version of ${refusing} is served by this oracle (its model list has none)`);
  }
  return { models, notes };
}

/** The forms the evidence replays: `form` is the trigger's, `others` the rest of the reproductions' forms. */
export interface EvidenceForms {
  form: ReproForm;
  others: ReproForm[];
}

/**
 * Which of the reproductions' forms (report/forms.ts, the one list the draft's snippets come from) the evidence
 * replays, and which one is "the trigger": the minimal PDF as a document when there is one to attach (a PDF trigger's
 * text is a different request, rated apart); otherwise the user message, unless only the file read was refused when
 * the draft's forms were run. Forms the oracle cannot send are left out (the trigger's form stays, for its reason).
 */
export function evidenceForms(result: Pick<BisectResult, 'parts' | 'reproductions'>, hasPdf: boolean, oracleName: string): EvidenceForms {
  const sendable = draftForms(result, hasPdf).filter((f) => !cannotSend(oracleName, f));
  const rate = (form: ReproForm) => result.reproductions?.find((r) => r.form === form && r.notRun === undefined && r.of > 0);
  const message = rate('message');
  const file = rate('file');
  const form: ReproForm = sendable.includes('pdf-document')
    ? 'pdf-document'
    : message && message.refused === 0 && file && file.refused > 0 && sendable.includes('file') ? 'file' : 'message';
  return { form, others: sendable.filter((f) => f !== form) };
}

/** The text form the readable trigger is sent in: the trigger's, or the user message when the trigger is the PDF. */
const textForm = (form: ReproForm): Exclude<ReproForm, 'pdf-document'> => (form === 'pdf-document' ? 'message' : form);

/**
 * The requests replayed on `model`: the trigger in each form, the readable trigger when it differs, and the control.
 * `pdf` is the minimal PDF the document snippet attaches (needed when a form is 'pdf-document').
 */
export function evidenceInputs(result: Pick<BisectResult, 'parts' | 'minimal' | 'shareable' | 'original'>, forms: EvidenceForms, model: string, pdf?: ProbePart): {
  trigger: ProbeInput;
  others: { form: ReproForm; input: ProbeInput }[];
  readable?: ProbeInput;
  control: ProbeInput;
} {
  const fileName = snippetFileName(result);
  const text = snippetTrigger(result);
  const readable = shownTrigger(result).shown;
  const out: ReturnType<typeof evidenceInputs> = {
    trigger: reproInput(forms.form, text, fileName, pdf, model),
    others: forms.others.map((form) => ({ form, input: reproInput(form, text, fileName, pdf, model) })),
    control: { parts: [{ kind: 'prompt', text: CONTROL_PROMPT }], system: SNIPPET_SYSTEM, model },
  };
  if (readable !== text) out.readable = reproInput(textForm(forms.form), readable, fileName, undefined, model);
  return out;
}

/**
 * Probes the evidence takes at most: k per input per model, the inputs being the trigger in each of `forms` forms,
 * the readable form when it differs, and the control (the estimate shown before a paid run counts them).
 */
export function plannedEvidenceProbes(models: number, k: number, forms: number, readableDiffers: boolean): number {
  return models * k * (forms + (readableDiffers ? 1 : 0) + 1);
}

/** The minimal PDF a saved result's document snippet attaches, read back from `minimalFile`. */
export async function minimalPdfOf(result: Pick<BisectResult, 'minimalFile'>): Promise<ProbePart | undefined> {
  if (!result.minimalFile || !/\.pdf$/i.test(result.minimalFile)) return undefined;
  const bytes = new Uint8Array(await readFile(result.minimalFile));
  const part: ProbePart = { kind: 'document', text: Buffer.from(bytes).toString('latin1'), bytes, fileName: result.minimalFile, mediaType: 'application/pdf' };
  return isPdf(part) ? part : undefined;
}

/** What the evidence reads from a result: the trigger's forms, the refusing model and the reproductions' rates. */
export type EvidenceSource = Pick<BisectResult, 'parts' | 'minimal' | 'shareable' | 'original' | 'model' | 'refusal' | 'reproductions'>;

export interface EvidenceRequest {
  result: EvidenceSource;
  /** The metered oracle (probes count in the budget and land in the cache). */
  oracle: MeteredOracle;
  /** The models to replay on (chooseModels, or listModelsFor). */
  choice: ModelChoice;
  /** The minimal PDF, when the draft attaches one: the trigger is then replayed as that document. */
  pdf?: ProbePart;
  k?: number;
  concurrency?: number;
  signal?: AbortSignal;
}

/** A failure that ends the whole measurement (budget, cancellation) rather than one model's. */
const stops = (error: unknown): boolean => error instanceof OracleError && (error.kind === 'budget' || error.kind === 'cancelled');

/**
 * The models to replay on for `result`: the given ones, else chosen with the oracle's model list (a free request,
 * not a probe). A list that cannot be read is a note, and the previous version is then not guessed.
 */
export async function modelsFor(result: Pick<BisectResult, 'model' | 'refusal'>, oracle: MeteredOracle, given?: readonly string[], signal?: AbortSignal): Promise<ModelChoice> {
  const wanted = given?.map((m) => m.trim()).filter((m) => m !== '');
  if (wanted?.length) {
    const served = await oracle.listModels(signal)?.catch((error: unknown) => {
      if (stops(error)) throw error;
      return undefined;
    });
    const choice = chooseModels(result, wanted, undefined);
    if (!served) return choice;
    // A model the list does not hold (by id, or as the alias of a dated id) is named, not probed: some services
    // answer any model name, and a rate for a model nobody serves would mislead.
    const listed = (model: string) => served.some((id) => id === model || id.startsWith(`${model}-`));
    return {
      models: choice.models.map((m) => (listed(m.model) ? m : { ...m, notMeasured: "not served by this oracle (not in its model list, GET /v1/models)" })),
      notes: choice.notes,
    };
  }
  try {
    return chooseModels(result, undefined, await oracle.listModels(signal));
  } catch (error) {
    if (stops(error)) throw error;
    const choice = chooseModels(result, undefined, undefined);
    const refusing = refusingModel(result);
    return {
      models: choice.models,
      notes: [
        ...choice.notes.filter((n) => !n.includes('cannot list')),
        `the previous version of ${refusing ?? 'the refusing model'} was not looked for: the oracle's model list could not be read (${formatUserError(error, 'sentence')})`,
      ],
    };
  }
}

/**
 * Replays the trigger, readable form and control on each chosen model, k probes each. A model the service does not
 * serve (404) is recorded as not measured with the service's answer; the budget or a cancel ends the measurement and
 * every model not finished is recorded as not measured with that reason. Other transport failures count as errors.
 */
export async function probeEvidence(request: EvidenceRequest): Promise<ModelsEvidence> {
  const { result, oracle, signal } = request;
  const k = request.k ?? EVIDENCE_RUNS;
  const forms = evidenceForms(result, request.pdf !== undefined, oracle.name);
  // A test command has no model: its answers would be the same on every "model", so none is measured.
  const cannot = cannotSend(oracle.name, forms.form);
  const choice = cannot ? { ...request.choice, models: request.choice.models.map((m) => ({ ...m, notMeasured: `not measured: ${cannot}` })) } : request.choice;
  const scheduler = new Scheduler(request.concurrency);
  const table: ModelEvidence[] = [];
  let stopped: string | undefined;
  for (const { model, role, notMeasured } of choice.models) {
    if (stopped || notMeasured) {
      table.push({ model, role, notMeasured: stopped ?? notMeasured });
      continue;
    }
    const inputs = evidenceInputs(result, forms, model, request.pdf);
    const [trigger, control, readable, ...others] = await Promise.all([
      measure(oracle, inputs.trigger, k, scheduler, signal),
      measure(oracle, inputs.control, k, scheduler, signal),
      inputs.readable ? measure(oracle, inputs.readable, k, scheduler, signal) : undefined,
      ...inputs.others.map((o) => measure(oracle, o.input, k, scheduler, signal)),
    ]);
    const failures = [trigger, control, readable, ...others].flatMap((m) => (m?.failure ? [m.failure] : []));
    const stop = failures.find(stops);
    const missing = failures.find((f) => f.kind === 'not-found');
    if (stop) {
      stopped = `not measured: ${formatUserError(stop, 'sentence')}`;
      table.push({ model, role, notMeasured: stopped });
      continue;
    }
    if (missing) {
      table.push({ model, role, notMeasured: `not served by this oracle: ${formatUserError(missing, 'sentence')}` });
      continue;
    }
    const row: ModelEvidence = { model, role, trigger: trigger!.rate };
    if (others.length) row.otherForms = inputs.others.map((o, i) => ({ form: o.form, rate: others[i]!.rate }));
    if (readable) row.readable = readable.rate;
    row.control = control!.rate;
    table.push(row);
  }
  const size = [...snippetTrigger(result)].length;
  const same = forms.form === 'pdf-document' ? 'with the same minimal PDF' : undefined;
  const evidence: ModelsEvidence = { k, form: forms.form, models: table, notes: choice.notes, regression: regressionVerdict(table, refusingModel(result), size, same) };
  if (forms.others.length) evidence.otherForms = forms.others;
  if (stopped) evidence.stoppedEarly = stopped;
  return evidence;
}

/** k numbered probes of one input (each attempt its own cache sample), no more in flight than the scheduler allows. */
async function measure(oracle: Oracle, input: ProbeInput, k: number, scheduler: Scheduler, signal?: AbortSignal): Promise<{ rate: EvidenceRate; failure?: OracleError }> {
  const settled = await Promise.allSettled(
    Array.from({ length: k }, async (_, attempt) => {
      await scheduler.acquire();
      try {
        return await oracle.probe({ ...input, attempt }, signal);
      } finally {
        scheduler.release();
      }
    }),
  );
  const rate: EvidenceRate = { refused: 0, passed: 0, errors: 0, k, requestIds: [], cached: 0 };
  let failure: OracleError | undefined;
  for (const s of settled) {
    if (s.status === 'fulfilled') {
      if (s.value.refused) rate.refused++;
      else rate.passed++;
      if (s.value.requestId) rate.requestIds.push(s.value.requestId);
      if (s.value.cached) rate.cached++;
      continue;
    }
    if (!(s.reason instanceof OracleError)) throw s.reason;
    rate.errors++;
    // A stop or a missing model outranks a transport error: it decides what the row says.
    if (!failure || stops(s.reason) || (s.reason.kind === 'not-found' && !stops(failure))) failure = s.reason;
  }
  const decisive = failure && (stops(failure) || failure.kind === 'not-found');
  return decisive ? { rate, failure } : { rate };
}

const mostly = (r: EvidenceRate): boolean => r.refused * 2 > r.k;
const rateText = (r: EvidenceRate): string => `${r.refused}/${r.k}`;
const named = (model: string): string => `${modelDisplayName(model)} (\`${model}\`)`;

/**
 * The regression answer from the table: "yes" when the trigger is refused mostly on the refusing model and never on
 * an older version of it, each control passing; "no" when the older version refuses it mostly too; "not measured"
 * otherwise, with what is missing. Only measured rows count: an unmeasured model never stands in for a rate.
 */
export function regressionVerdict(table: readonly ModelEvidence[], refusing: string | undefined, triggerChars: number, sameWhat?: string): Regression {
  const measuredRows = table.filter((m) => m.trigger && m.control && m.trigger.errors === 0 && m.control.errors === 0);
  const newer = measuredRows.find((m) => m.model === refusing) ?? measuredRows.find((m) => m.role === 'given' && m.trigger && mostly(m.trigger));
  if (!newer) {
    const who = refusing ? named(refusing) : 'the refusing model';
    return { answer: 'not measured', sentence: `not measured: the trigger was not replayed on ${who} without errors` };
  }
  const of = versionOf(newer.model);
  const older = measuredRows.filter((m) => {
    const v = versionOf(m.model);
    return m !== newer && of && v && v.family === of.family && compareVersions(v.version, of.version) < 0;
  });
  if (older.length === 0) {
    return { answer: 'not measured', sentence: `not measured: no older version of ${named(newer.model)} was replayed without errors` };
  }
  const same = sameWhat ?? `with the same ${triggerChars.toLocaleString('en-US')} characters`;
  const t = newer.trigger!;
  if (!mostly(t)) {
    return { answer: 'not measured', sentence: `not measured: the trigger was refused only ${rateText(t)} on ${named(newer.model)} in this replay` };
  }
  const controlRefused = [newer, ...older].find((m) => m.control!.refused > 0);
  if (controlRefused) {
    return { answer: 'not measured', sentence: `not measured: the content-free control was refused ${rateText(controlRefused.control!)} on ${named(controlRefused.model)}, so its rates say nothing about the trigger` };
  }
  const passing = older.find((m) => m.trigger!.refused === 0);
  if (passing) {
    return { answer: 'yes', sentence: `refused ${rateText(t)} on ${named(newer.model)}, ${rateText(passing.trigger!)} on ${named(passing.model)} ${same}` };
  }
  const refusedToo = older.find((m) => mostly(m.trigger!));
  if (refusedToo) {
    return { answer: 'no', sentence: `refused ${rateText(t)} on ${named(newer.model)} and ${rateText(refusedToo.trigger!)} on the older ${named(refusedToo.model)} ${same}` };
  }
  const mixed = older[0]!;
  return { answer: 'not measured', sentence: `not measured: refused ${rateText(t)} on ${named(newer.model)} but ${rateText(mixed.trigger!)} on ${named(mixed.model)}: neither clearly refused nor passing` };
}

export interface EvidenceOptions extends ProbeOptions {
  result: BisectResult;
  /** Models to replay on; absent or empty: the refusing model, its fallback and its previous version. */
  models?: readonly string[];
  k?: number;
}

/** An evidence run ready to send its first probe: the models chosen and the estimate to show before it starts. */
export interface EvidenceJob {
  readonly choice: ModelChoice;
  /** Probes the run sends at most, and one line for the user naming them. */
  readonly estimate: { probes: number; paid: boolean; line: string };
  /** Measures and returns the result with `evidence` set and its probes added to the counters. Runs once. */
  run(): Promise<BisectResult>;
  close(): Promise<void>;
}

/** The stand-in's costs are simulated and a test command runs locally (the same rule as the bisect estimate). */
const FREE_ORACLES = new Set(['sim', 'command']);

/**
 * `aup-bisect evidence RESULT.json`: opens the oracle and cache as bisect does and chooses the models (the model list
 * is free), so the probes can be shown before the first one is sent.
 */
export async function prepareEvidence(options: EvidenceOptions): Promise<EvidenceJob> {
  const { result } = options;
  if (!result.minimal) {
    throw new UserError('bad-request', 'this result has no trigger to replay on other models',
      'Run evidence on the result of a bisect that found a trigger (status minimal or partial).');
  }
  const { oracle: inner, owned } = await oracleFor(options.oracle, options.oracles);
  let meter: MeteredOracle;
  let choice: ModelChoice;
  try {
    const cache = await probeCacheFor(options.cache);
    meter = new MeteredOracle(inner, { cache, budget: options.budget, signal: options.signal });
    choice = await modelsFor(result, meter, options.models, options.signal);
  } catch (error) {
    if (owned) await inner.close?.().catch(() => undefined);
    throw error;
  }
  const k = options.k ?? EVIDENCE_RUNS;
  // The document snippet attaches the minimal PDF the bisect wrote; one that is gone cannot be replayed, and is named.
  let pdf: ProbePart | undefined;
  try {
    pdf = await minimalPdfOf(result);
  } catch (error) {
    choice = { ...choice, notes: [...choice.notes, `the minimal PDF ${result.minimalFile} could not be read (${(error as Error).message}), so the PDF was not replayed as a document`] };
  }
  const forms = evidenceForms(result, pdf !== undefined, inner.name);
  const sample = evidenceInputs(result, forms, choice.models[0]?.model ?? refusingModel(result) ?? '', pdf);
  const readableDiffers = sample.readable !== undefined;
  const probed = choice.models.filter((m) => m.notMeasured === undefined);
  const probes = plannedEvidenceProbes(probed.length, k, 1 + forms.others.length, readableDiffers);
  const paid = !FREE_ORACLES.has(inner.name);
  const per = inner.estimate?.(sample.trigger);
  const cost = per ? `, about $${(per.costUsd * probes).toFixed(4)} at most` : '';
  // The probes are independent, so they go out `concurrency` at a time: rounds, and minutes at the oracle's pace.
  const concurrency = resolveConcurrency(options.concurrency, inner.name);
  const seconds = oracleDefaults(inner.name).secondsPerProbe;
  const rounds = independentRounds(probes, concurrency);
  const wait = seconds === undefined ? '' : ` It takes ${expectedMinutes({ low: rounds, high: rounds }, seconds).text} at ${concurrency} in flight (${rounds} rounds of probes, about ${seconds} s each).`;
  const inputs = [FORM_LABEL[forms.form], ...forms.others.map((f) => FORM_LABEL[f]), ...(readableDiffers ? ['its readable form'] : []), 'a content-free control'];
  const line = `${inner.name}: ${probes} probes at most (${k} each of ${inputs.slice(0, -1).join(', ')} and ${inputs.at(-1)} ` +
    `on ${probed.map((m) => m.model).join(', ') || 'no model'})${cost}; cached answers are free.${wait}` +
    choice.models.filter((m) => m.notMeasured).map((m) => ` ${m.model}: ${m.notMeasured}.`).join('');
  let state: 'ready' | 'running' | 'closed' = 'ready';
  const close = async (): Promise<void> => {
    if (state === 'closed') return;
    state = 'closed';
    await (owned ? meter.close() : meter.close().catch(() => undefined));
  };
  return {
    choice,
    estimate: { probes, paid, line },
    close,
    run: async () => {
      if (state !== 'ready') throw new Error('an evidence job runs once');
      state = 'running';
      try {
        const evidence = await probeEvidence({ result, oracle: meter, choice, ...(pdf ? { pdf } : {}), k, concurrency, signal: options.signal });
        const c = meter.counters;
        return {
          ...result,
          probes: result.probes + c.probes,
          cachedProbes: result.cachedProbes + c.cachedProbes,
          inputTokens: result.inputTokens + c.inputTokens,
          outputTokens: result.outputTokens + c.outputTokens,
          bytesSent: result.bytesSent + c.bytesSent,
          costUsd: result.costUsd + c.costUsd,
          evidence,
        };
      } finally {
        await close();
      }
    },
  };
}

/** Prepare, then run: for callers that do not ask before the first probe. */
export async function runEvidence(options: EvidenceOptions): Promise<BisectResult> {
  return (await prepareEvidence(options)).run();
}

/**
 * What the bisect view shows besides the trigger, the same facts the CLI prints and the draft carries: the attribution
 * (the content-free control's rate and the channel it pins the refusal on), the system prompt the probes carried, and
 * the rates across models with their request ids and the regression answer. The rate cells and the regression
 * sentence are the draft's own (core/report/rates.ts), so the view and the issue never word them differently.
 * Pure: imports only types and pure functions.
 */
import type { BisectResult, ReproForm } from '../../core/bisect/result';
import type { EvidenceRate, ModelEvidence, ModelsEvidence } from '../../core/bisect/evidence';
import { modelDisplayName } from '../../core/report/models';
import { RATE_INPUT_LABEL, otherFormCell, otherFormHead, rateCell, regressionAnswer } from '../../core/report/rates';

export interface AttributionView {
  /** True when the controls ended the run: nothing the user sent is the cause, and `channel` is what is flagged. */
  flagged: boolean;
  channel?: string;
  /** One line with every control's rate and the channel. */
  text: string;
}

/** One model of the rates-across-models table. */
export interface ModelRateRow {
  /** "Claude Opus 5.5 (claude-opus-5-5)". */
  model: string;
  /** Why it is in the table: given, refusing, fallback, previous. */
  role: string;
  /** How the trigger was sent ("as the user message"). */
  form: string;
  /** "refused 3/3"; empty when the model was not measured. */
  trigger: string;
  /** The trigger's other forms (ModelsViewModel.otherHeads, in that order): a PDF trigger's text sent as text. */
  others?: string[];
  readable?: string;
  control: string;
  /** The request ids behind the rates, by input ("trigger: req_1 req_2; control: req_3"). */
  requestIds: string;
  /** Set instead of rates when the model was not measured (not served, budget reached...). */
  notMeasured?: string;
}

export interface ModelRatesView {
  /** What was replayed and how often. */
  caption: string;
  /** True when some row has a readable-form rate (the table then has that column). */
  readable: boolean;
  /** Heads of the columns for the trigger's other forms, as the draft's table has them. */
  otherHeads: string[];
  rows: ModelRateRow[];
  notes: string[];
  /** The draft's "Is this a regression?" answer, as the issue will say it. */
  regression: string;
  stoppedEarly?: string;
}

export interface FindingsViewModel {
  attribution?: AttributionView;
  /** The system prompt every probe carried, or why the transcript had none to replay (BisectResult.original.system). */
  context?: string;
  models?: ModelRatesView;
}

const ratio = (r: { refused: number; of: number }): string => `${r.refused}/${r.of}`;

export function attributionView(result: Pick<BisectResult, 'attribution' | 'status' | 'minimal'>): AttributionView | undefined {
  const a = result.attribution;
  if (!a) return undefined;
  const controls = [
    `content-free control refused ${ratio(a.control)}`,
    ...(a.withoutSystemPrompt ? [`without the session's system prompt ${ratio(a.withoutSystemPrompt)}`] : []),
    ...(a.withoutClaudeMd ? [`without CLAUDE.md / memory ${ratio(a.withoutClaudeMd)}`] : []),
    ...(a.withSession ? [`with the session's id ${ratio(a.withSession)}`] : []),
  ].join(', ');
  // The controls ended the run (core/bisect/attribution.ts flaggedBeforeBisect, spelled out: this module stays pure).
  const flagged = result.status === 'not-attributable' && result.minimal === '';
  if (flagged) {
    return { flagged, channel: a.channel, text: `Not attributable to the content you sent: channel ${a.channel ?? 'unknown'} is flagged (${controls}).` };
  }
  const where = a.channels?.length ? `; the trigger is in channel ${a.channels.join(' + ')}` : '';
  return { flagged, ...(a.channel ? { channel: a.channel } : {}), text: `Attribution: ${controls}${where}.` };
}

const idList = (rate: EvidenceRate | undefined): string => rate?.requestIds.join(' ') ?? '';

function row(m: ModelEvidence, form: string, e: ModelsEvidence): ModelRateRow {
  const base = { model: `${modelDisplayName(m.model)} (${m.model})`, role: m.role, form };
  if (m.notMeasured !== undefined || !m.trigger) {
    return { ...base, trigger: '', control: '', requestIds: '', notMeasured: m.notMeasured ?? 'not measured' };
  }
  const other = (f: ReproForm) => m.otherForms?.find((o) => o.form === f)?.rate;
  const forms = e.otherForms ?? [];
  const requestIds = [
    ['trigger', idList(m.trigger)] as const,
    ...forms.map((f) => [f, idList(other(f))] as const),
    ['readable', idList(m.readable)] as const,
    ['control', idList(m.control)] as const,
  ].filter(([, ids]) => ids !== '').map(([input, ids]) => `${input}: ${ids}`).join('; ');
  return {
    ...base,
    trigger: rateCell(m.trigger),
    ...(forms.length ? { others: forms.map((f) => otherFormCell(e.form, f, other(f))) } : {}),
    ...(m.readable ? { readable: rateCell(m.readable) } : {}),
    control: rateCell(m.control),
    requestIds: requestIds || '—',
  };
}

export function modelRatesView(result: Pick<BisectResult, 'evidence' | 'oracle'>): ModelRatesView | undefined {
  const e = result.evidence;
  if (!e) return undefined;
  const form = RATE_INPUT_LABEL[e.form];
  const probes = `${e.k} probe${e.k === 1 ? '' : 's'}`;
  return {
    caption: `The trigger ${form}, its readable form and a content-free control, ${probes} each on each model, through the ${result.oracle} oracle.`,
    readable: e.models.some((m) => m.readable),
    otherHeads: (e.otherForms ?? []).map((f) => otherFormHead(e.form, f)),
    rows: e.models.map((m) => row(m, form, e)),
    notes: e.notes,
    // The draft renders Markdown; the view shows text, so the code marks around model ids go.
    regression: regressionAnswer(e).replace(/`/g, ''),
    ...(e.stoppedEarly ? { stoppedEarly: e.stoppedEarly } : {}),
  };
}

export function findingsViewModel(result: BisectResult): FindingsViewModel {
  const attribution = attributionView(result);
  const models = modelRatesView(result);
  const system = result.original.system;
  return {
    ...(attribution ? { attribution } : {}),
    ...(system ? { context: `Context: ${system}` } : {}),
    ...(models ? { models } : {}),
  };
}

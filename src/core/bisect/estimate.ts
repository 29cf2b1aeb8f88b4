/**
 * What a bisect is expected to cost, shown before the first probe: by the extension (it asks before spending the
 * user's money or quota) and by `aup-bisect bisect` (a line on stderr). One wording for both.
 */
import type { BudgetLimits } from '../probe/budget';
import { oracleDefaults, resolveConcurrency } from '../probe/oracle/defaults';
import { inputBytes } from '../probe/oracle/estimate';
import type { Oracle, ProbeEstimate, ProbeInput } from '../probe/oracle/types';
import { plannedForms, plannedReproProbes } from '../report/forms';
import { plannedEvidenceProbes } from './evidence';
import { expectedMinutes, independentRounds, reductionRounds } from './rounds';

export interface BisectEstimate {
  /** Rough range of probes the run takes. */
  probes: { low: number; high: number };
  /** The first probe's estimate (the largest: later probes send less), when the oracle can estimate. */
  perProbe?: ProbeEstimate;
  /** False for the stand-in and a test command, which spend nothing real; true for the API and `claude -p`. */
  paid: boolean;
  /** Probes in flight the estimate assumes: the run's own concurrency. */
  concurrency: number;
  /** Rough range of rounds (probes that wait for an earlier answer): what the user waits for. */
  rounds: { low: number; high: number };
  /** Rounds times the oracle's typical seconds per probe; absent for a test command, whose time is its own. */
  minutes?: { low: number; high: number };
  /** One line for the user: the oracle and model, the probes, the cost, where the budget stops the run, the minutes. */
  line: string;
}

/** The stand-in's costs are simulated and a test command runs locally: neither needs the user's consent to spend. */
const FREE_ORACLES = new Set(['sim', 'command']);

/** Rough count of probes a run takes: confirmation and verification, plus a few per halving of the input. */
export function expectedProbes(bytes: number): { low: number; high: number } {
  const halvings = Math.max(1, Math.ceil(Math.log2(Math.max(2, bytes))));
  return { low: 3 + 5 + halvings, high: 3 + 5 + 4 * halvings };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const usd = (n: number): string => `$${n < 0.01 ? n.toFixed(4) : n.toFixed(2)}`;

/** "The budget stops the run at $2.00 or 200 paid probes; cached answers are free." */
export function budgetSentence(budget: BudgetLimits = {}): string {
  const limits: string[] = [];
  if (budget.maxUsd !== undefined) limits.push(usd(budget.maxUsd));
  if (budget.maxInputTokens !== undefined) limits.push(`${budget.maxInputTokens.toLocaleString('en-US')} input tokens`);
  if (budget.maxProbes !== undefined) limits.push(`${budget.maxProbes} paid probes`);
  if (limits.length === 0) return 'No budget is set; cached answers are free.';
  const last = limits.pop()!;
  return `The budget stops the run at ${limits.length ? `${limits.join(', ')} or ${last}` : last}; cached answers are free.`;
}

export function costLine(
  perProbeUsd: number,
  perProbeTokens: number,
  bytes: number,
  budget: BudgetLimits = {},
  probes: { low: number; high: number } = expectedProbes(bytes),
): string {
  const { low, high } = probes;
  return `Each probe sends about ${perProbeTokens.toLocaleString('en-US')} input tokens (${usd(perProbeUsd)} at most, less as the input shrinks). ` +
    `Expect ${low}-${high} probes, about ${usd(perProbeUsd * low * 0.5)}-${usd(perProbeUsd * high * 0.5)}. ${budgetSentence(budget)}`;
}

/** What the run does before and after the reduction, which the estimate counts too. */
export interface EstimateExtras {
  /** Runs of each reproduction the draft would offer (default 3). */
  reproRuns?: number;
  /** True when the minimal PDF is written as a file (then its document reproduction is probed as well). */
  writesPdf?: boolean;
  /** The attribution probes sent first (bisect/attribution.ts), counted in the range and named in the line. */
  controls?: { low: number; high: number };
  /** Rates across models (`--models`): models replayed on at most, and probes of each input on each. */
  evidence?: { models: number; k: number };
  /** Probes in flight (default: the oracle's, probe/oracle/defaults.ts). */
  concurrency?: number;
}

/** The estimate for bisecting `input` with `oracle` under `budget`, the controls' and reproductions' probes included. */
export function estimateBisect(input: ProbeInput, oracle: Oracle, budget: BudgetLimits = {}, extras: EstimateExtras = {}): BisectEstimate {
  const bytes = inputBytes(input);
  const repro = plannedReproProbes(input, oracle.name, extras.writesPdf ?? false, extras.reproRuns ?? 3);
  const reduction = expectedProbes(bytes);
  const controls = extras.controls;
  // At most: the trigger in every form the reproductions use (the same list), and the readable form, replayed only
  // when it differs from the trigger, which the run finds out.
  const forms = Math.max(1, plannedForms(input, oracle.name, extras.writesPdf ?? false).length);
  const models = extras.evidence ? plannedEvidenceProbes(extras.evidence.models, extras.evidence.k, forms, true) : 0;
  // At least the first model's trigger and control (a model list may offer no previous version).
  const fewestModels = extras.evidence && extras.evidence.models > 0 ? plannedEvidenceProbes(1, extras.evidence.k, forms, false) : 0;
  const probes = { low: reduction.low + repro + (controls?.low ?? 0) + fewestModels, high: reduction.high + repro + (controls?.high ?? 0) + models };
  const concurrency = resolveConcurrency(extras.concurrency, oracle.name);
  // The reproductions are probed one after another (report/repro.ts), so each is a round of its own; the controls and
  // the models' probes go out `concurrency` at a time.
  const reductionR = reductionRounds(reduction, concurrency);
  const rounds = {
    low: reductionR.low + repro + independentRounds(controls?.low ?? 0, concurrency) + independentRounds(fewestModels, concurrency),
    high: reductionR.high + repro + independentRounds(controls?.high ?? 0, concurrency) + independentRounds(models, concurrency),
  };
  const seconds = oracleDefaults(oracle.name).secondsPerProbe;
  const minutes = seconds === undefined ? undefined : expectedMinutes(rounds, seconds);
  const perProbe = oracle.estimate?.(input);
  const paid = !FREE_ORACLES.has(oracle.name);
  const model = input.model ?? oracle.model;
  const who = `${oracle.name}${model ? ` (${model})` : ''}: `;
  let text: string;
  if (oracle.name === 'command') text = `each probe runs the test command and costs nothing. Expect ${probes.low}-${probes.high} probes.`;
  else if (perProbe) text = costLine(perProbe.costUsd, perProbe.inputTokens, bytes, budget, probes);
  else text = `each probe is a real request. Expect ${probes.low}-${probes.high} probes. ${budgetSentence(budget)}`;
  text += minutes
    ? ` It takes ${minutes.text} at ${concurrency} in flight (${rounds.low}-${rounds.high} rounds of probes, about ${seconds} s each).`
    : ` It takes ${rounds.low}-${rounds.high} rounds of probes at ${concurrency} in flight${oracle.name === 'command' ? ', each as long as one run of the command' : ''}.`;
  // The reproductions are named, so the figure can be checked against the probes the run reports.
  if (repro > 0) text += ` The range includes ${plural(repro, 'probe')} of the reproductions the draft offers.`;
  if (extras.evidence && models > 0) {
    text += ` It includes up to ${plural(models, 'probe')} replaying the trigger in each reproduction's form, its readable form and a control on ${plural(extras.evidence.models, 'model')} (${extras.evidence.k} each).`;
  }
  if (controls) {
    const n = controls.low === controls.high ? `${controls.low}` : `${controls.low}-${controls.high}`;
    text += ` The first ${n} probe${controls.high === 1 ? '' : 's'} are a content-free control: if it is refused without CLAUDE.md's help, the run stops there.`;
  }
  const estimate: BisectEstimate = { probes, paid, concurrency, rounds, line: who + text };
  if (perProbe) estimate.perProbe = perProbe;
  if (minutes) estimate.minutes = { low: minutes.low, high: minutes.high };
  return estimate;
}

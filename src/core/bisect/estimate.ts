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
import { expectedMinutes, independentRounds, probeGrowth, reductionRounds, speedup } from './rounds';

export interface BisectEstimate {
  /** Range of probes the run takes at its concurrency when the classifier answers consistently. */
  probes: { low: number; high: number };
  /**
   * The most the run takes if the classifier turns out to answer inconsistently (noise makes the reducer ask again):
   * probes, rounds, and minutes when the oracle has a typical pace. Stated in the line beside the range.
   */
  noisy: { probes: number; rounds: number; minutes?: number };
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

/**
 * Probes for certifying a trigger that is long or in several pieces: the reducer removes each of its characters in
 * turn, and searches for the ends of every piece. Calibrated on `npm run bench:estimate` (noise-free, 1 in flight):
 * the 300-line file of issue 15's defect (two phrases within 40 characters, the demo's donkey-ad rule) took 102
 * probes where the old high said 64, and 5 scattered 9-letter words in 50 KB (count-5-50k) 148; the allowance puts
 * both under the high (144 and 152). Three 26-letter phrases in 300 lines (defect-300-lines-count3, 256) stay over.
 */
const TRIGGER_ALLOWANCE = 80;

/**
 * The most a noisy classifier multiplies the high by. bench:estimate with 10% of answers flipped (at 1 and 4 in
 * flight): one phrase, two fragments, the multi-part request and the PDF took at most 3.1x the noise-free high at
 * their concurrency (two-fragments-100k at 4: 633 probes for a high of 203, the one of them over); count-k triggers
 * 3.0-7.4x (left over: rarer, and the budget stops them). The rounds take the same factor.
 */
export const NOISY_FACTOR = 3;

/**
 * Probes one reduction takes at 1 in flight with consistent answers, from the input's size alone (the trigger is what
 * the run finds out). Low: one short contiguous trigger, confirmation and verification (8) plus 1.4 probes per
 * halving of the input. High: the ends of the trigger found 4 probes per halving, plus TRIGGER_ALLOWANCE (at most
 * one per byte: a trigger is no longer than the input).
 * bench:estimate: one phrase took 46 (1 KB) to 61 (1 MB) probes, two fragments 53-65, and the fewest, 30, a 5-letter
 * phrase in 30 KB (15 halvings: low 29).
 */
export function expectedProbes(bytes: number): { low: number; high: number } {
  const halvings = Math.max(1, Math.ceil(Math.log2(Math.max(2, bytes))));
  return { low: 3 + 5 + Math.floor(1.4 * halvings), high: 3 + 5 + 4 * halvings + Math.min(TRIGGER_ALLOWANCE, Math.ceil(bytes)) };
}

/** "about 25 minutes", "about 2.5 hours", "under a minute": the top of a noisy run, one figure. */
function upTo(minutes: number): string {
  if (minutes < 1) return 'under a minute';
  if (minutes >= 90) return `about ${(minutes / 60).toFixed(1)} hours`;
  return `about ${Math.ceil(minutes)} minute${Math.ceil(minutes) === 1 ? '' : 's'}`;
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
  const concurrency = resolveConcurrency(extras.concurrency, oracle.name);
  // The model counts probes at 1 in flight; more in flight send speculative probes that may not be needed.
  const single = expectedProbes(bytes);
  const reduction = { low: single.low, high: Math.ceil(single.high * probeGrowth(concurrency)) };
  const controls = extras.controls;
  // At most: the trigger in every form the reproductions use (the same list), and the readable form, replayed only
  // when it differs from the trigger, which the run finds out.
  const forms = Math.max(1, plannedForms(input, oracle.name, extras.writesPdf ?? false).length);
  const models = extras.evidence ? plannedEvidenceProbes(extras.evidence.models, extras.evidence.k, forms, true) : 0;
  // At least the first model's trigger and control (a model list may offer no previous version).
  const fewestModels = extras.evidence && extras.evidence.models > 0 ? plannedEvidenceProbes(1, extras.evidence.k, forms, false) : 0;
  const probes = { low: reduction.low + repro + (controls?.low ?? 0) + fewestModels, high: reduction.high + repro + (controls?.high ?? 0) + models };
  // The reproductions, the controls and the models' probes go out `concurrency` at a time (report/repro.ts).
  const reductionR = reductionRounds(single, concurrency);
  const rounds = {
    low: reductionR.low + independentRounds(repro, concurrency) + independentRounds(controls?.low ?? 0, concurrency) + independentRounds(fewestModels, concurrency),
    high: reductionR.high + independentRounds(repro, concurrency) + independentRounds(controls?.high ?? 0, concurrency) + independentRounds(models, concurrency),
  };
  const extraHigh = repro + (controls?.high ?? 0) + models;
  const extraRoundsHigh = rounds.high - reductionR.high;
  const noisy: BisectEstimate['noisy'] = {
    probes: Math.ceil(reduction.high * NOISY_FACTOR) + extraHigh,
    rounds: Math.ceil((single.high * NOISY_FACTOR) / speedup(concurrency).low) + extraRoundsHigh,
  };
  const seconds = oracleDefaults(oracle.name).secondsPerProbe;
  const minutes = seconds === undefined ? undefined : expectedMinutes(rounds, seconds);
  if (seconds !== undefined) noisy.minutes = (noisy.rounds * seconds) / 60;
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
  text += ` If ${oracle.name === 'command' ? 'the test command' : 'the classifier'} answers inconsistently, it can take up to ${noisy.probes} probes` +
    (noisy.minutes === undefined ? ` in ${noisy.rounds} rounds.` : `, ${upTo(noisy.minutes)}.`);
  const estimate: BisectEstimate = { probes, noisy, paid, concurrency, rounds, line: who + text };
  if (perProbe) estimate.perProbe = perProbe;
  if (minutes) estimate.minutes = { low: minutes.low, high: minutes.high };
  return estimate;
}

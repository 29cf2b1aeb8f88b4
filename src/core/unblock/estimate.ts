/**
 * What a pass-set search is expected to cost, shown before its first probe (the extension asks before spending the
 * user's money or quota, as it does for a bisect). The floor is the search when the bisect's trigger is the only
 * one: the original confirmed, the input without it checked once and verified k times, the removal put back once.
 * Each further trigger costs about one bisect of what is left, so the range names one of them and says so.
 */
import type { BudgetLimits } from '../probe/budget';
import { inputBytes } from '../probe/oracle/estimate';
import type { Oracle, ProbeInput } from '../probe/oracle/types';
import { budgetSentence, costLine, estimateBisect, expectedProbes } from '../bisect/estimate';

export interface UnblockEstimate {
  probes: { low: number; high: number };
  /** False for the stand-in and a test command (they spend nothing real). */
  paid: boolean;
  line: string;
}

export function estimateUnblock(input: ProbeInput, oracle: Oracle, budget: BudgetLimits = {}, verifyRuns = 5): UnblockEstimate {
  const bytes = inputBytes(input);
  const low = 1 + 1 + verifyRuns + 1;
  const probes = { low, high: low + expectedProbes(bytes).high };
  // The bisect's estimate knows which oracles are paid and what one probe of this input costs: one source for both.
  const { paid, perProbe } = estimateBisect(input, oracle, budget, { reproRuns: 0 });
  const model = input.model ?? oracle.model;
  const who = `Make It Pass with ${oracle.name}${model ? ` (${model})` : ''}: `;
  const further = ' The upper figure allows one trigger beyond the bisect\'s; each further one costs about another bisect of what is left.';
  let text: string;
  if (oracle.name === 'command') text = `each probe runs the test command and costs nothing. Expect ${probes.low}-${probes.high} probes.`;
  else if (perProbe) text = costLine(perProbe.costUsd, perProbe.inputTokens, bytes, budget, probes);
  else text = `each probe is a real request. Expect ${probes.low}-${probes.high} probes. ${budgetSentence(budget)}`;
  return { probes, paid, line: `${who}${text}${further} The result is verified with ${verifyRuns} probes of the whole input.` };
}

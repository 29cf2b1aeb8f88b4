/**
 * The wording of the rates across models, shared by every place that shows them (the issue draft, the extension's
 * bisect view): one rate cell and one regression answer, so the view never says something the draft does not.
 * Pure: imports only types, so the extension's light bundle can use it without the report's dependencies.
 */
import type { EvidenceRate, ModelsEvidence } from '../bisect/evidence';
import type { ReproForm } from '../bisect/result';

/** How the trigger was sent on each model (ModelsEvidence.form), as a sentence fragment. */
export const RATE_INPUT_LABEL: Readonly<Record<ReproForm, string>> = {
  message: 'as the user message',
  file: 'in a file Claude Code reads',
  'pdf-document': 'as the minimal PDF, sent as a document',
};

/** "refused 3/3" (with errors and cached answers named, so the rate is never read as more than it is). */
export function rateCell(rate: EvidenceRate | undefined): string {
  if (!rate) return '—';
  const extra = [rate.errors ? `${rate.errors} without an answer` : '', rate.cached ? `${rate.cached} from cache` : ''].filter(Boolean);
  return `refused ${rate.refused}/${rate.k}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

/** The bug template's "Is this a regression?", from the rates across models when they were measured. */
export function regressionAnswer(evidence: Pick<ModelsEvidence, 'regression'> | undefined): string {
  const r = evidence?.regression;
  if (!r) return "I don't know";
  if (r.answer === 'yes') return `Yes, across models: ${r.sentence}.`;
  if (r.answer === 'no') return `No, not across models: ${r.sentence}.`;
  return `I don't know: ${r.sentence}.`;
}

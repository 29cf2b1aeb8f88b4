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

/** Column heads of the trigger's other forms; the text forms of a PDF trigger are the PDF's text, sent as text. */
const OTHER_FORM_HEAD: Readonly<Record<ReproForm, string>> = {
  message: 'As the user message',
  file: 'In a file Claude Code reads',
  'pdf-document': 'The minimal PDF as a document',
};

/** The head of the column for one of the trigger's other forms, when the trigger itself was sent as `trigger`. */
export function otherFormHead(trigger: ReproForm, form: ReproForm): string {
  return trigger === 'pdf-document' && form !== 'pdf-document' ? `Its text ${RATE_INPUT_LABEL[form]}` : OTHER_FORM_HEAD[form];
}

/** A rate in one of the other forms; a PDF whose text alone passes says so, as the reproductions do. */
export function otherFormCell(trigger: ReproForm, form: ReproForm, rate: EvidenceRate | undefined): string {
  const textOfPdf = trigger === 'pdf-document' && form !== 'pdf-document';
  return textOfPdf && rate && rate.refused === 0 && rate.errors === 0 ? `${rateCell(rate)}: not refused as plain text: attach the PDF` : rateCell(rate);
}

/**
 * Which reproductions a draft offers and which an oracle can measure, without the trigger: light enough for the
 * estimate shown before the first probe (repro.ts builds and probes the requests, draft.ts prints them).
 */
import type { BisectResult, ReproForm } from '../bisect/result';
import { isPdf } from '../probe/oracle/estimate';
import type { ProbeInput } from '../probe/oracle/types';

/** What the forms are called in the draft. */
export const FORM_LABEL: Record<ReproForm, string> = {
  message: 'the trigger as the user message',
  file: 'the trigger in a file Claude Code reads',
  'pdf-document': 'the minimal PDF as a document',
};

/**
 * The one list of reproduction forms: the user message always; the file read unless the trigger is one prompt; the
 * PDF as a document when there is a minimal PDF to attach. The draft's snippets, their probes, the estimate before a
 * run and the rates across models (bisect/evidence.ts) all take their forms from here.
 */
export function reproForms(onlyPrompt: boolean, hasPdf: boolean): ReproForm[] {
  const forms: ReproForm[] = ['message'];
  if (!onlyPrompt) forms.push('file');
  if (hasPdf) forms.push('pdf-document');
  return forms;
}

/** The forms a draft offers for a result (reproForms of its needed parts): the PDF only when it was written as a file. */
export function draftForms(result: Pick<BisectResult, 'parts'>, hasPdfFile: boolean): ReproForm[] {
  const needed = result.parts.filter((p) => p.needed);
  return reproForms(needed.length === 1 && needed[0]!.kind === 'prompt', hasPdfFile);
}

/**
 * Why `oracle` cannot send the request of `form`, or undefined when it can. A test command has no model; `claude -p`
 * runs with every tool off, so it cannot make the model read a file.
 */
export function cannotSend(oracleName: string, form: ReproForm): string | undefined {
  if (oracleName === 'command') return 'the test-command oracle has no model to send this request to, so its rate was not measured';
  if (oracleName === 'claude' && form === 'file') {
    return 'the `claude` oracle runs Claude Code with its tools off, so it cannot have the model read a file, and this request was not measured';
  }
  return undefined;
}

/** The forms of an input's reproductions that `oracleName` can send, known before the run (for the estimate). */
export function plannedForms(input: ProbeInput, oracleName: string, writesPdf: boolean): ReproForm[] {
  const allPrompt = input.parts.length === 1 && input.parts[0]!.kind === 'prompt';
  const forms = reproForms(allPrompt, writesPdf && input.parts.some((p) => p.bytes !== undefined && isPdf(p)));
  return forms.filter((f) => !cannotSend(oracleName, f));
}

/** How many probes the reproductions of an input take, for the estimate before the run. */
export function plannedReproProbes(input: ProbeInput, oracleName: string, writesPdf: boolean, runs: number): number {
  return plannedForms(input, oracleName, writesPdf).length * runs;
}

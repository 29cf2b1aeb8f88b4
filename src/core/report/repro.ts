/**
 * The reproductions a draft offers, as requests: which snippet forms a result gets, the exact text and file name each
 * snippet carries, the probe input that sends what the snippet sends, and the probing of each form k times through the
 * bisect's metered oracle (so the probes count in the budget and land in the cache). The draft (draft.ts) prints only
 * forms probed here, each with its rate; both sides take the trigger and the file name from this module, so the
 * snippet shown is the request that was measured.
 */
import type { BisectResult, ReproForm, ReproductionRate } from '../bisect/result';
import { isPdf } from '../probe/oracle/estimate';
import { cannotSend, draftForms } from './forms';
import { MINIMAL_SYSTEM, OracleError, type Oracle, type ProbeInput, type ProbePart, type Verdict } from '../probe/oracle/types';
import { Scheduler } from '../reduce/scheduler';
import { formatUserError } from '../errors';
import { maskedTrigger } from './trace';

/** Longest trigger quoted inline (and so sent by a snippet); longer ones are cut, and the cut text is what is probed. */
export const MAX_TRIGGER_CHARS = 6000;
/**
 * The system prompt every snippet sends, and so every reproduction probe: the oracle's own minimal one, never the
 * session's (a maintainer cannot have that), so the curl shows exactly what was measured.
 */
export const SNIPPET_SYSTEM = MINIMAL_SYSTEM;
/** What the document snippet asks next to the PDF. */
export const DOCUMENT_PROMPT = 'Summarise this document.';

/** The prompt of the file snippet: Claude Code is asked to read the file the heredoc wrote. */
export function filePrompt(file: string): string {
  return `Read ${file} and summarise it.`;
}

type TriggerSource = Pick<BisectResult, 'parts' | 'minimal' | 'shareable'>;

/**
 * The trigger as the draft shows it: with same-shape fakes when that form was still refused, with traced secrets
 * masked otherwise, else the minimal text; cut at MAX_TRIGGER_CHARS.
 */
export function shownTrigger(result: TriggerSource): { full: string; shown: string } {
  const traced = maskedTrigger(result.parts);
  const fakesRefuse = result.shareable !== undefined && result.shareable.refused > 0;
  const full = fakesRefuse ? result.shareable!.text : traced.redactions.length > 0 ? traced.text : result.minimal;
  return { full, shown: full.length > MAX_TRIGGER_CHARS ? full.slice(0, MAX_TRIGGER_CHARS) : full };
}

/**
 * The text the snippets send: the shown trigger, except that a readable trigger with " … " between fragments is sent
 * as the fragments glued exactly as tested, when nothing in it was masked or replaced.
 */
export function snippetTrigger(result: TriggerSource): string {
  const { full, shown } = shownTrigger(result);
  if (!shown.includes(' … ') || full !== result.minimal) return shown;
  const needed = result.parts.filter((p) => p.needed);
  const exact = needed.length && needed.every((p) => p.minimalExact !== undefined) ? needed.map((p) => p.minimalExact).join('\n\n') : result.minimal;
  return exact.slice(0, MAX_TRIGGER_CHARS);
}

/** The file the file snippet writes: the original's name unless it is a PDF (its text is not a PDF). */
export function snippetFileName(result: Pick<BisectResult, 'original'>): string {
  const name = result.original.fileName;
  return name && !/\.pdf$/i.test(name) ? name : 'trigger.txt';
}

/**
 * The probe input that sends exactly what the snippet of `form` sends: its system prompt (not the session's), its
 * messages. (`claude -p` puts Claude Code's own system prompt first whatever the input says.)
 */
export function reproInput(form: ReproForm, trigger: string, fileName: string, pdf: ProbePart | undefined, model: string | undefined): ProbeInput {
  const withModel = (parts: ProbePart[]): ProbeInput => (model ? { parts, system: SNIPPET_SYSTEM, model } : { parts, system: SNIPPET_SYSTEM });
  switch (form) {
    case 'message':
      return withModel([{ kind: 'prompt', text: trigger }]);
    case 'file':
      // The heredoc writes the trigger without its last newline, then one newline.
      return withModel([
        { kind: 'prompt', text: filePrompt(fileName) },
        { kind: 'tool_result', toolName: 'Read', filePath: fileName, fileName, text: `${trigger.replace(/\n$/, '')}\n` },
      ]);
    case 'pdf-document':
      if (!pdf) throw new Error('the pdf-document form needs the minimal PDF');
      // The snippet's request carries the bytes only: no file name or path (which would key the same request apart in
      // the cache, e.g. the reducer's candidate and the minimal PDF read back from disk by `aup-bisect evidence`).
      return withModel([{ kind: 'document', text: pdf.text, bytes: pdf.bytes, mediaType: 'application/pdf' }, { kind: 'prompt', text: DOCUMENT_PROMPT }]);
  }
}

/** The minimal input's PDF part, when it has one with bytes. */
export function pdfPartOf(minimal: ProbeInput): ProbePart | undefined {
  return minimal.parts.find((p) => p.bytes !== undefined && p.bytes.byteLength > 0 && isPdf(p));
}

export interface ReproRequest {
  /** The result's pieces the draft reads the snippets from. */
  result: Pick<BisectResult, 'parts' | 'minimal' | 'shareable' | 'original'>;
  /** The reducer's minimal input (its PDF part is what the document snippet attaches). */
  minimal: ProbeInput;
  /** True when the minimal PDF is written as a file (the draft offers the document snippet only then). */
  writesPdf: boolean;
  /** The metered oracle of the bisect. */
  oracle: Oracle;
  runs: number;
  /** Probes in flight at most: the run's concurrency (default 1). */
  concurrency?: number;
  signal?: AbortSignal;
}

/**
 * Probes each form the draft would offer `runs` times, every probe of every form independent of the others, so they go
 * out `concurrency` at a time (ceil(runs * forms / concurrency) rounds). A form the oracle cannot send is recorded with
 * its reason; a probe that gets no answer (budget, cancel, network) ends the probing: no probe is sent after it, and the
 * first form (in the draft's order) missing an answer and every later form are recorded as not run with that reason.
 * Rates are read in the draft's order of forms and attempts, whatever order the answers came in.
 */
export async function probeReproductions(request: ReproRequest): Promise<ReproductionRate[]> {
  const { result, minimal, oracle, runs, signal } = request;
  const pdf = pdfPartOf(minimal);
  const forms = draftForms(result, request.writesPdf && pdf !== undefined);
  const trigger = snippetTrigger(result);
  const fileName = snippetFileName(result);
  const scheduler = new Scheduler(request.concurrency);
  let failed: OracleError | undefined;
  const one = async (input: ProbeInput, attempt: number): Promise<Verdict> => {
    await scheduler.acquire();
    try {
      // After a probe without an answer nothing more is sent, as when the probes went one at a time.
      if (failed) throw failed;
      // Numbered repeats, so the cache serves each stored answer once and asks the oracle past them.
      return await oracle.probe({ ...input, attempt }, signal);
    } catch (error) {
      if (error instanceof OracleError) failed ??= error;
      throw error;
    } finally {
      scheduler.release();
    }
  };
  const planned = forms.map((form) => {
    const cannot = cannotSend(oracle.name, form) ?? (runs > 0 ? undefined : 'not run (no runs were asked for)');
    if (cannot) return { form, cannot };
    const input = reproInput(form, trigger, fileName, pdf, minimal.model);
    return { form, answers: Promise.allSettled(Array.from({ length: runs }, (_, attempt) => one(input, attempt))) };
  });
  const out: ReproductionRate[] = [];
  let stop: string | undefined;
  for (const p of planned) {
    const answers = p.answers ? await p.answers : [];
    if (stop || p.cannot) {
      out.push({ form: p.form, refused: 0, of: 0, notRun: stop ?? p.cannot });
      continue;
    }
    let refused = 0;
    let of = 0;
    let error: unknown;
    for (const a of answers) {
      if (a.status === 'rejected') error ??= a.reason;
      else {
        of++;
        if (a.value.refused) refused++;
      }
    }
    if (error === undefined) {
      out.push({ form: p.form, refused, of });
      continue;
    }
    if (!(error instanceof OracleError)) throw error;
    stop = `not measured: ${formatUserError(error, 'sentence')}`;
    // Answers already received are not thrown away (they are cached), but a partial rate is not offered as a reproduction.
    out.push({ form: p.form, refused, of, notRun: stop });
  }
  return out;
}

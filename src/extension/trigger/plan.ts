/**
 * Which editor documents a result's kept spans go to, and why a part gets none. Pure (the workspace check is passed
 * in), so the rules are unit-tested apart from VS Code; marks.ts opens the documents and locates the spans.
 * - A bisect started from an editor (a file's buffer, a selection of it, an untitled buffer) marks that document,
 *   found by its URI: an untitled buffer has no path.
 * - A file bisected by path is marked wherever it is: the user chose it.
 * - A file Claude Code read (a refusal's Read) is marked only inside the workspace: a refusal can have read anything
 *   (a dotfile, a system file), and opening that into the Problems panel is noise the user did not ask for.
 */
import type { BisectResult } from '../../core/bisect/result';
import { isPdf, partsFromFile, type SentPart } from './locate';
import { marksTrigger } from './text';

/** Where marks go: an editor document by its URI (string form), or a file by its path. */
export type MarkPlace = { uri: string } | { path: string };

export interface PlannedMarks {
  place: MarkPlace;
  /** For people: the path, or the editor's name for an untitled buffer. */
  name: string;
  parts: SentPart[];
}

export interface MarkPlan {
  planned: PlannedMarks[];
  /** One sentence per file (or part) left unmarked, and why. */
  notMarked: string[];
}

export interface PlanContext {
  /** The editor document the bisected text came from (absent for a refusal, or a file bisected by path). */
  document?: { uri: string; name: string };
  /** Whether a file path is inside a workspace folder. */
  inWorkspace(path: string): boolean;
}

/** What marking a result did: the documents marked, and why anything else was not. */
export interface MarkOutcome {
  marked: string[];
  notMarked: string[];
}

/** The bisect view's line on the marks: where the trigger is marked, and why anything is not. */
export function marksLine(outcome: MarkOutcome): string {
  const why = outcome.notMarked.length > 0 ? `${outcome.notMarked.join('; ')}.` : '';
  if (outcome.marked.length === 0) return `The trigger is not marked in the editor: ${why || 'no file of this result holds it.'}`;
  return `The trigger is marked in the editor in ${outcome.marked.join(', ')}.${why ? ` Not marked: ${why}` : ''}`;
}

/** `sent` are the texts of the parts as sent, by index (as the result's parts). */
export function planMarks(result: BisectResult, sent: readonly (string | undefined)[], context: PlanContext): MarkPlan {
  if (!marksTrigger(result)) return { planned: [], notMarked: ['the result is not a trigger that refused on verification: nothing to mark'] };
  // A selection's offsets are of the text it was cut from; a refusal's parts are never a selection.
  const base = result.refusal ? undefined : result.original.selection?.start;
  const parts: SentPart[] = result.parts.flatMap((summary) => {
    const text = sent[summary.index];
    return text === undefined ? [] : [{ summary, text, ...(base !== undefined ? { base } : {}) }];
  });
  const notMarked: string[] = [];
  const pdfs = parts.filter((p) => p.summary.needed && isPdf(p.summary));
  if (pdfs.length > 0) notMarked.push(`${pdfs.map((p) => p.summary.fileName ?? p.summary.filePath ?? `part ${p.summary.index}`).join(', ')}: a PDF's kept glyphs cannot be marked in the editor (the view lists them by page)`);

  if (!result.refusal && context.document) {
    const fromDocument = parts.filter((p) => p.summary.needed && p.summary.kind === 'file' && !isPdf(p.summary));
    return { planned: fromDocument.length > 0 ? [{ place: { uri: context.document.uri }, name: context.document.name, parts: fromDocument }] : [], notMarked };
  }

  const planned: PlannedMarks[] = [];
  const paths = new Set(parts.map((p) => p.summary.filePath).filter((p): p is string => Boolean(p)));
  for (const path of paths) {
    const fromFile = partsFromFile(parts, path);
    if (fromFile.length === 0) continue;
    if (result.refusal && !context.inWorkspace(path)) {
      notMarked.push(`${path} is outside the workspace: what Claude Code read of it is not marked`);
      continue;
    }
    planned.push({ place: { path }, name: path, parts: fromFile });
  }
  if (!result.refusal && paths.size === 0 && parts.some((p) => p.summary.needed && p.summary.kind === 'file' && !isPdf(p.summary))) {
    notMarked.push(`${result.original.fileName ?? 'the text'} was an untitled buffer that is no longer open with that text`);
  }
  return { planned, notMarked };
}

/**
 * The saved bisect result a command runs on: the one its target names (the bisect view's button, the Refusals view, a
 * hover), else the last result, else one the user picks among those `usable` keeps. Undefined when there is none (the
 * user was told why).
 */
import type { Container } from '../container';
import type { SavedResult } from '../results';
import type { SavedResultRef } from '../store';
import { showInformationMessage, showQuickPick, showWarningMessage } from '../vscodeapi';
import { resultIdOf } from './args';
import type { ResultItem, ResultRef } from './ids';

export interface ResultChoice {
  /** Which stored results the command can run on. */
  usable: (saved: SavedResultRef) => boolean;
  /** The quick pick's title ("Make which bisect result pass?"). */
  title: string;
  /** What to say when no stored result is usable. */
  none: string;
}

export async function savedResultFor(c: Container, target: ResultRef | ResultItem | undefined, choice: ResultChoice): Promise<SavedResult | undefined> {
  const id = resultIdOf(target) ?? c.lastResult?.id ?? (await pickResult(c, choice));
  if (!id) return undefined;
  const saved = await c.loadResult(id);
  if (!saved) void showWarningMessage('That bisect result is no longer in storage.');
  return saved;
}

async function pickResult(c: Container, { usable, title, none }: ResultChoice): Promise<string | undefined> {
  const results = c.store.allResults().filter(usable);
  if (results.length === 0) {
    void showInformationMessage(none);
    return undefined;
  }
  const pick = await showQuickPick(
    results.map((r) => ({ label: r.label, description: new Date(r.date).toLocaleString(), detail: r.result.minimal.slice(0, 160), id: r.id })),
    { title, matchOnDetail: true },
  );
  return pick?.id;
}

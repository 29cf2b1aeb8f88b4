/**
 * Draft GitHub Issue (from a saved result, a refusal, or the last bisect) and File GitHub Issue (what the open
 * draft view shows). The draft and its view are draft/flow.ts and draft/panel.ts, in the heavy chunk.
 */
import type { Container } from '../container';
import type { DraftPanel, FiledIssue } from '../draft/panel';
import type { SavedResult } from '../results';
import { showInformationMessage } from '../vscodeapi';
import { refusalOf, resultIdOf } from './args';
import { Commands, type CommandHandlers, type DraftTarget } from './ids';
import { pickRefusal, requireRecord } from './pick';

type Ids = typeof Commands.draftIssue | typeof Commands.fileIssue;

export function draftCommands(c: Container): CommandHandlers<Ids> {
  const draft = async (target?: DraftTarget): Promise<DraftPanel | undefined> => {
    let refusal = refusalOf(c.store, target);
    let resultId = resultIdOf(target);
    if (!refusal && !resultId) {
      if (c.lastResult) resultId = c.lastResult.id;
      else refusal = await pickRefusal(c.store, 'Draft an issue for which refusal?');
    }
    let saved: SavedResult | undefined;
    if (resultId) saved = await c.loadResult(resultId);
    // A refusal with a saved bisect drafts from its newest result: the minimal trigger is what makes a report useful.
    if (!saved && refusal?.record) {
      const ref = c.store.resultsFor(refusal.record.id)[0];
      if (ref) saved = await c.results.load(ref.id);
    }
    const record = saved?.result.refusal ?? refusal?.record;
    if (!saved && !record) {
      if (refusal) requireRecord(refusal);
      return undefined;
    }
    const { openDraft } = await c.heavy();
    const panel = await openDraft(c, { result: saved?.result, refusal: record, original: saved?.originalText });
    c.lastDraft = panel;
    return panel;
  };

  const file = async (): Promise<FiledIssue | DraftPanel | undefined> => {
    const panel = c.lastDraft;
    if (!panel || panel.disposed) {
      void showInformationMessage('Review the draft first: it opens now; press "File Issue on GitHub" in it (or run this command again).');
      return draft();
    }
    panel.panel.reveal();
    return panel.fileNow();
  };

  return { [Commands.draftIssue]: draft, [Commands.fileIssue]: file };
}

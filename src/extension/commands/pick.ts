/** What a command works on when its caller named nothing: the user picks a refusal. */
import type { RefusalRecord } from '../../core/refusal/record';
import { messageOf, requestIdOf, type RefusalStore, type SeenRefusal } from '../store';
import { showInformationMessage, showQuickPick } from '../vscodeapi';

export async function pickRefusal(store: Pick<RefusalStore, 'all'>, title: string): Promise<SeenRefusal | undefined> {
  const refusals = store.all();
  if (refusals.length === 0) {
    void showInformationMessage('AUP Bisect has not seen a Claude Code refusal yet (it watches transcripts and terminals).');
    return undefined;
  }
  const pick = await showQuickPick(
    refusals.map((refusal) => ({
      label: `${new Date(refusal.at).toLocaleString()} ${refusal.record?.models.at(-1)?.model ?? ''}`.trim(),
      description: requestIdOf(refusal),
      detail: messageOf(refusal).slice(0, 200),
      refusal,
    })),
    { title, matchOnDescription: true, matchOnDetail: true },
  );
  return pick?.refusal;
}

/** The transcript record a bisect or draft needs; a terminal-only sighting has none yet, and the error says why. */
export function requireRecord(refusal: SeenRefusal): RefusalRecord {
  if (!refusal.record) {
    throw new Error('This refusal was seen only in a terminal so far: its transcript entry is not found yet, so the request cannot be rebuilt. Wait for Claude Code to write the transcript, or bisect a file.');
  }
  return refusal.record;
}

/**
 * Make It Pass: of a saved bisect result (the bisect view's button, the Refusals view, an editor hover), or of the
 * last result, or of one the user picks. The run itself is unblock/flow.ts, in the heavy chunk.
 */
import type { Container } from '../container';
import type { MakeItPassRun } from '../unblock/result';
import { showInformationMessage, showQuickPick, showWarningMessage } from '../vscodeapi';
import { resultIdOf } from './args';
import { Commands, type CommandHandlers, type ResultItem, type ResultRef } from './ids';

export function makeItPassCommands(c: Container): CommandHandlers<typeof Commands.makeItPass> {
  return {
    [Commands.makeItPass]: async (target?: ResultRef | ResultItem): Promise<MakeItPassRun | undefined> => {
      const id = resultIdOf(target) ?? c.lastResult?.id ?? (await pickResult(c));
      if (!id) return undefined;
      const saved = await c.loadResult(id);
      if (!saved) {
        void showWarningMessage('That bisect result is no longer in storage.');
        return undefined;
      }
      const { runMakeItPassFlow } = await c.heavy();
      return runMakeItPassFlow(c, saved);
    },
  };
}

async function pickResult(c: Container): Promise<string | undefined> {
  const results = c.store.allResults().filter((r) => r.result.status !== 'not-refused');
  if (results.length === 0) {
    void showInformationMessage('Make It Pass works on a bisect result: bisect a refusal or a file first.');
    return undefined;
  }
  const pick = await showQuickPick(
    results.map((r) => ({ label: r.label, description: new Date(r.date).toLocaleString(), detail: r.result.minimal.slice(0, 160), id: r.id })),
    { title: 'Make which bisect result pass?', matchOnDetail: true },
  );
  return pick?.id;
}

/** Open Bisect Result: a saved result's view in its final state, over its diff. */
import type { BisectPanel } from '../bisect/panel';
import type { Container } from '../container';
import { errorText } from '../errors';
import { marksLine } from '../trigger/plan';
import { showWarningMessage } from '../vscodeapi';
import { resultIdOf } from './args';
import { Commands, type CommandHandlers, type ResultItem, type ResultRef } from './ids';

export function resultCommands(c: Container): CommandHandlers<typeof Commands.openResult> {
  return {
    [Commands.openResult]: async (target?: ResultRef | ResultItem): Promise<BisectPanel | undefined> => {
      const id = resultIdOf(target);
      const saved = id ? await c.results.load(id) : undefined;
      if (!saved) {
        void showWarningMessage('That bisect result is no longer in storage.');
        return undefined;
      }
      c.lastResult = saved;
      const { showSavedResult } = await c.heavy();
      const panel = await showSavedResult(c, saved);
      // The marks of a reopened result come back where the files still hold what was bisected; the view says if not.
      const outcome = await c.triggers.restore(saved).catch((error: unknown) => ({ marked: [], notMarked: [errorText(error)] }));
      panel.marks(marksLine(outcome));
      return panel;
    },
  };
}

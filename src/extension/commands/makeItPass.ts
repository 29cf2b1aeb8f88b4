/**
 * Make It Pass: of a saved bisect result (the bisect view's button, the Refusals view, an editor hover), or of the
 * last result, or of one the user picks. The run itself is unblock/flow.ts, in the heavy chunk.
 */
import type { Container } from '../container';
import type { MakeItPassRun } from '../unblock/result';
import { Commands, type CommandHandlers, type ResultItem, type ResultRef } from './ids';
import { savedResultFor } from './savedResult';

export function makeItPassCommands(c: Container): CommandHandlers<typeof Commands.makeItPass> {
  return {
    [Commands.makeItPass]: async (target?: ResultRef | ResultItem): Promise<MakeItPassRun | undefined> => {
      const saved = await savedResultFor(c, target, {
        usable: (r) => r.result.status !== 'not-refused',
        title: 'Make which bisect result pass?',
        none: 'Make It Pass works on a bisect result: bisect a refusal or a file first.',
      });
      if (!saved) return undefined;
      const { runMakeItPassFlow } = await c.heavy();
      return runMakeItPassFlow(c, saved);
    },
  };
}

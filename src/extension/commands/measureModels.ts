/**
 * Measure Across Models: rates of a saved result's trigger on other models (the bisect view's button, the Refusals
 * view, the command palette), of the last result or one the user picks. The run is bisect/measureFlow.ts, in the
 * heavy chunk.
 */
import type { Container } from '../container';
import type { SavedResult } from '../results';
import { Commands, type CommandHandlers, type MeasureRef, type ResultItem } from './ids';
import { savedResultFor } from './savedResult';

export function measureModelsCommands(c: Container): CommandHandlers<typeof Commands.measureModels> {
  return {
    [Commands.measureModels]: async (target?: MeasureRef | ResultItem): Promise<SavedResult | undefined> => {
      const saved = await savedResultFor(c, target, {
        usable: (r) => r.result.status !== 'not-refused' && r.result.minimal !== '',
        title: 'Measure which bisect result across models?',
        none: 'Measure Across Models works on a bisect result with a trigger: bisect a refusal or a file first.',
      });
      if (!saved) return undefined;
      const { runMeasureModelsFlow } = await c.heavy();
      return runMeasureModelsFlow(c, saved, target && 'models' in target ? target.models : undefined);
    },
  };
}

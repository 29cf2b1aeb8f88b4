/**
 * Measure Across Models: rates of a saved result's trigger on other models (the bisect view's button, the Refusals
 * view, the command palette), of the last result or one the user picks. The run is bisect/measureFlow.ts, in the
 * heavy chunk.
 */
import type { Container } from '../container';
import type { SavedResult } from '../results';
import { showInformationMessage, showQuickPick, showWarningMessage } from '../vscodeapi';
import { resultIdOf } from './args';
import { Commands, type CommandHandlers, type MeasureRef, type ResultItem } from './ids';

export function measureModelsCommands(c: Container): CommandHandlers<typeof Commands.measureModels> {
  return {
    [Commands.measureModels]: async (target?: MeasureRef | ResultItem): Promise<SavedResult | undefined> => {
      const id = resultIdOf(target) ?? c.lastResult?.id ?? (await pickResult(c));
      if (!id) return undefined;
      const saved = await c.loadResult(id);
      if (!saved) {
        void showWarningMessage('That bisect result is no longer in storage.');
        return undefined;
      }
      const { runMeasureModelsFlow } = await c.heavy();
      return runMeasureModelsFlow(c, saved, target && 'models' in target ? target.models : undefined);
    },
  };
}

async function pickResult(c: Container): Promise<string | undefined> {
  const results = c.store.allResults().filter((r) => r.result.status !== 'not-refused' && r.result.minimal !== '');
  if (results.length === 0) {
    void showInformationMessage('Measure Across Models works on a bisect result with a trigger: bisect a refusal or a file first.');
    return undefined;
  }
  const pick = await showQuickPick(
    results.map((r) => ({ label: r.label, description: new Date(r.date).toLocaleString(), detail: r.result.minimal.slice(0, 160), id: r.id })),
    { title: 'Measure which bisect result across models?', matchOnDetail: true },
  );
  return pick?.id;
}

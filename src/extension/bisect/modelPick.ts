/**
 * "Measure Across Models": which models to replay a result's trigger on. The QuickPick offers "auto" (core's own
 * choice, as `--models auto`), every model the oracle serves (its free model list) with the role core would give it,
 * and ids typed by hand; the picks become core's `models` option. Pure, so the choices are unit-tested.
 */
import type { QuickPickItem } from 'vscode';
import { chooseModels, fallbackModel, previousVersion, refusingModel } from '../../core/bisect/evidence';
import type { BisectResult } from '../../core/bisect/result';

/** What "auto" picks, in the words of the aupBisect.models setting and the CLI's --models auto. */
export const AUTO_MODELS = 'the refusing model, the model Claude Code fell back to, and the previous version of the refusing model when the oracle serves it';

export type ModelChoiceItem = QuickPickItem & { choice: { kind: 'auto' } | { kind: 'model'; id: string } | { kind: 'typed' } };

type Source = Pick<BisectResult, 'model' | 'refusal'>;

/** The items: auto, the served models (the refusing one first, each with its role), then "type ids". */
export function modelPickItems(result: Source, served: readonly string[] | undefined): ModelChoiceItem[] {
  const refusing = refusingModel(result);
  const roles = new Map<string, string>();
  if (refusing) roles.set(refusing, 'the refusing model');
  const fallback = fallbackModel(result.refusal);
  if (fallback && !roles.has(fallback)) roles.set(fallback, 'the model Claude Code fell back to');
  const previous = refusing && served ? previousVersion(refusing, served) : undefined;
  if (previous && !roles.has(previous)) roles.set(previous, `the previous version of ${refusing}`);
  const ids = [...new Set([...(refusing ? [refusing] : []), ...(served ?? [])])];
  return [
    { label: 'auto', description: AUTO_MODELS, choice: { kind: 'auto' } },
    ...ids.map((id): ModelChoiceItem => ({
      label: id,
      description: [roles.get(id), served && !served.includes(id) ? 'not in the oracle\'s model list' : undefined].filter(Boolean).join('; ') || undefined,
      choice: { kind: 'model', id },
    })),
    {
      label: 'Other model ids…',
      description: served ? 'type ids the list does not hold' : 'this oracle cannot list its models: type the ids',
      choice: { kind: 'typed' },
    },
  ];
}

/** Model ids typed in the box: separated by commas or spaces, blanks dropped. */
export function typedModels(text: string): string[] {
  return text.split(/[\s,]+/).filter((id) => id !== '');
}

/**
 * Core's `models` option from the picks: [] for "auto" alone (core then chooses, and the table names each model's
 * role); "auto" with models ticked too: auto's models and those, as given. Undefined when nothing was chosen.
 */
export function chosenModels(result: Source, picked: readonly ModelChoiceItem[], typed: readonly string[], served: readonly string[] | undefined): string[] | undefined {
  const named = [...picked.flatMap((p) => (p.choice.kind === 'model' ? [p.choice.id] : [])), ...typed];
  const auto = picked.some((p) => p.choice.kind === 'auto');
  if (auto && named.length === 0) return [];
  const models = [...new Set([...(auto ? chooseModels(result, undefined, served).models.map((m) => m.model) : []), ...named])];
  return models.length > 0 ? models : undefined;
}

import { describe, expect, it } from 'vitest';
import { chosenModels, modelPickItems, typedModels } from '../../../../src/extension/bisect/modelPick';
import { bisectResult } from '../fixtures';

const served = ['claude-opus-5-5', 'claude-opus-4-8', 'claude-sonnet-4-6'];
const result = bisectResult({ model: 'claude-opus-5-5' });

describe('Measure Across Models: which models', () => {
  it('offers auto, the served models with the role core would give them, and typed ids', () => {
    const items = modelPickItems(result, served);
    expect(items.map((i) => [i.label, i.description])).toEqual([
      ['auto', 'the refusing model, the model Claude Code fell back to, and the previous version of the refusing model when the oracle serves it'],
      ['claude-opus-5-5', 'the refusing model'],
      ['claude-opus-4-8', 'the previous version of claude-opus-5-5'],
      ['claude-sonnet-4-6', undefined],
      ['Other model ids…', 'type ids the list does not hold'],
    ]);
  });

  it('without a model list (claude -p), offers the refusing model, auto and typed ids', () => {
    expect(modelPickItems(result, undefined).map((i) => i.label)).toEqual(['auto', 'claude-opus-5-5', 'Other model ids…']);
  });

  it('turns the picks into core\'s models option: [] for auto alone, ids otherwise, auto\'s models added when ticked with others', () => {
    const items = modelPickItems(result, served);
    const [auto, opus55, , sonnet] = items;
    expect(chosenModels(result, [auto!], [], served)).toEqual([]);
    expect(chosenModels(result, [opus55!, sonnet!], ['claude-opus-4-1-20250805'], served)).toEqual(['claude-opus-5-5', 'claude-sonnet-4-6', 'claude-opus-4-1-20250805']);
    expect(chosenModels(result, [auto!, sonnet!], [], served)).toEqual(['claude-opus-5-5', 'claude-opus-4-8', 'claude-sonnet-4-6']);
    expect(chosenModels(result, [items.at(-1)!], [], served)).toBeUndefined();
  });

  it('reads typed ids separated by commas or spaces', () => {
    expect(typedModels(' claude-opus-5-5, claude-opus-4-8  claude-x ,')).toEqual(['claude-opus-5-5', 'claude-opus-4-8', 'claude-x']);
  });
});

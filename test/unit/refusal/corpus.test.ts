import { describe, expect, it } from 'vitest';
import { detectRefusals } from '../../../src/core/refusal/detect';
import { refusalCorpus } from '../../support/refusalCorpus';

const { refusals, lookAlikes } = refusalCorpus();

describe('detect: the refusal corpus (every layout people capture)', () => {
  it.each(refusals.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const found = detectRefusals(c.input);
    expect(found, JSON.stringify(c.input.slice(0, 400))).toHaveLength(1);
    const [refusal] = found;
    if (c.expect?.requestId) expect(refusal.requestId).toBe(c.expect.requestId);
    if (c.expect?.category) expect(refusal.category).toBe(c.expect.category);
    if (c.expect?.model) expect(refusal.model).toBe(c.expect.model);
  });
});

describe('detect: look-alikes are not refusals', () => {
  it.each(lookAlikes.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(detectRefusals(c.input), JSON.stringify(c.input.slice(0, 300))).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { modelDisplayName } from '../../../src/core/report/models';

describe('modelDisplayName', () => {
  it.each([
    ['claude-opus-4-8', 'Opus 4.8'],
    ['claude-opus-5-5', 'Opus 5.5'],
    ['claude-fable-5', 'Fable 5'],
    ['claude-sonnet-4-20250514', 'Sonnet 4'],
    ['claude-haiku-4-5-20251001', 'Haiku 4.5'],
    ['claude-3-5-sonnet-20241022', 'Sonnet 3.5'],
    ['claude-opus-4-1[1m]', 'Opus 4.1'],
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'Sonnet 4.5'],
    ['gpt-4o', 'gpt-4o'],
    ['claude-mystery', 'claude-mystery'],
  ])('%s -> %s', (wire, display) => {
    expect(modelDisplayName(wire)).toBe(display);
  });
});

import { describe, expect, it, vi } from 'vitest';
vi.mock('../../../../src/extension/vscodeapi', () => import('../support/fakeVscodeApi'));
import { costLine, expectedProbes } from '../../../../src/extension/bisect/flow';

describe('the estimate shown before a paid bisect', () => {
  it('estimates probes from the input size and states the budget', () => {
    expect(expectedProbes(18_000)).toEqual({ low: 23, high: 68 });
    expect(costLine(0.05, 9000, 18_000, 2, 200)).toBe(
      'Each probe sends about 9,000 input tokens ($0.05 at most, less as the input shrinks). Expect 23-68 probes, about $0.58-$1.70. The budget stops the run at $2.00 or 200 paid probes; cached answers are free.',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { estimateUnblock } from '../../../src/core/unblock/estimate';
import type { Oracle, ProbeInput } from '../../../src/core/probe/oracle/types';

const input: ProbeInput = { model: 'claude-opus-4-8', parts: [{ kind: 'file', fileName: 'notes.md', text: 'x'.repeat(4096) }] };
const oracle = (name: string, estimate?: Oracle['estimate']): Oracle => ({ name, model: 'claude-opus-4-8', probe: async () => ({ refused: true }) as never, ...(estimate ? { estimate } : {}) });

describe('the Make It Pass estimate', () => {
  it('asks before a paid oracle: the floor is one trigger (confirm, check, k verifications, put back), the range allows one more', () => {
    const e = estimateUnblock(input, oracle('api', () => ({ inputTokens: 1200, outputTokens: 1, costUsd: 0.02 })), { maxProbes: 200 }, 5);
    expect(e.paid).toBe(true);
    expect(e.probes.low).toBe(8);
    expect(e.probes.high).toBeGreaterThan(e.probes.low);
    expect(e.line).toMatch(/^Make It Pass with api \(claude-opus-4-8\): Each probe sends about 1,200 input tokens/);
    expect(e.line).toContain('The budget stops the run at 200 paid probes');
    expect(e.line).toContain('verified with 5 probes of the whole input');
  });

  it('does not ask for the stand-in or a test command, which spend nothing', () => {
    expect(estimateUnblock(input, oracle('sim')).paid).toBe(false);
    expect(estimateUnblock(input, oracle('command')).line).toMatch(/each probe runs the test command and costs nothing/);
  });
});

import { describe, expect, it } from 'vitest';
import { createOracle, type SimOracleOptions } from '../../../../src/core/probe/oracle/index';
import type { Oracle } from '../../../../src/core/probe/oracle/types';

describe('createOracle', () => {
  it('has no stand-in unless the caller injects one: core never imports src/sim', async () => {
    await expect(createOracle({ kind: 'sim' })).rejects.toMatchObject({ kind: 'bad-request', message: expect.stringMatching(/stand-in/) });
    const injected: Oracle = { name: 'sim', probe: () => Promise.reject(new Error('unused')) };
    let asked: SimOracleOptions | undefined;
    const oracle = await createOracle({ kind: 'sim', rules: 'rules.json' }, {
      sim: async (options) => {
        asked = options;
        return injected;
      },
    });
    expect(oracle).toBe(injected);
    expect(asked?.rules).toBe('rules.json');
  });
});

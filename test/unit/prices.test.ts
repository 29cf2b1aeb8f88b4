import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICES, loadPriceTable, priceFor, priceUsage } from '../../src/core/prices';

describe('price table', () => {
  it('prices a model by its longest matching prefix, unknown models at the default', () => {
    expect(priceFor('claude-opus-4-1-20250805')).toEqual({ input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 });
    expect(priceFor('claude-opus-4-8')).toEqual({ input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 });
    expect(priceFor('claude-opus-5-5').input).toBe(4);
    expect(priceFor('claude-sonnet-4-5-20250929').input).toBe(3);
    expect(priceFor('claude-fable-5')).toEqual(DEFAULT_PRICES.default);
    // 1M input + 1M output + 1M cache write + 1M cache read of Sonnet:
    expect(priceUsage({ input: 1e6, output: 1e6, cacheWrite: 1e6, cacheRead: 1e6 }, 'claude-sonnet-4-5')).toBeCloseTo(22.05, 10);
  });

  it('merges an override file over the defaults, and says what is wrong with a bad one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ledger-prices-'));
    try {
      const good = join(dir, 'prices.json');
      await writeFile(good, JSON.stringify({ 'claude-fable-': { input: 10, output: 50, cacheWrite: 12.5, cacheRead: 1 } }));
      const table = await loadPriceTable(good);
      expect(priceFor('claude-fable-5', table).input).toBe(10);
      expect(priceFor('claude-sonnet-4', table).input).toBe(3);

      const bad = join(dir, 'bad.json');
      await writeFile(bad, JSON.stringify({ 'claude-fable-': { input: 10, output: 'fifty' } }));
      await expect(loadPriceTable(bad)).rejects.toThrow(/"claude-fable-" needs non-negative numbers input, output, cacheWrite, cacheRead/);
      await writeFile(bad, '{');
      await expect(loadPriceTable(bad)).rejects.toThrow(/is not valid JSON/);
      await expect(loadPriceTable(join(dir, 'missing.json'))).rejects.toThrow(/cannot read the price file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICES, priceUsage } from '../../../src/core/prices';
import { reprice } from '../../../src/core/ledger/scan';
import { parseCostState } from '../../../src/core/ledger/extract';
import { entry } from './entries';

describe('ledger prices', () => {
  it('prices as Claude Code does in the cost-state it wrote for the real fixtures', () => {
    const dir = join(__dirname, '../../fixtures/claude-code');
    let checked = 0;
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
      for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
        if (!line.includes('"type":"cost-state"')) continue;
        const snapshot = parseCostState(JSON.parse(line) as Record<string, unknown>);
        for (const [model, { usage, costUSD }] of Object.entries(snapshot.models)) {
          expect(priceUsage(usage, model)).toBeCloseTo(costUSD, 9);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('reprices price-table entries with the table in use and leaves cost-state entries alone', () => {
    const e = entry({ timestamp: '2026-11-20T00:00:00Z', costSource: 'price-table', costUSD: 0 });
    const table = { ...DEFAULT_PRICES, 'claude-fable-': { input: 1000, output: 0, cacheWrite: 0, cacheRead: 0 } };
    const priced = reprice(e, table);
    expect(priced.costByModel['claude-fable-5']).toBeCloseTo(0.1, 10); // 100 input tokens at $1000/MTok
    expect(priced.costUSD).toBeCloseTo(0.1 + priceUsage(e.requests[1]!.usage, 'claude-opus-4-8'), 10);
    const measured = entry({ timestamp: '2026-11-20T00:00:00Z', costUSD: 7 });
    expect(reprice(measured, table).costUSD).toBe(7);
  });
});

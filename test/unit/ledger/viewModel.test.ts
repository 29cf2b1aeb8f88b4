import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../src/core/ledger/report';
import { barChart, buildLedgerViewModel } from '../../../src/core/ledger/viewModel';
import { entry } from './entries';

const now = new Date('2026-11-22T12:00:00Z');
const since = new Date('2026-11-16T00:00:00Z');

describe('ledger view model', () => {
  const entries = [
    entry({ timestamp: '2026-11-20T09:00:00.000Z', costUSD: 2 }),
    entry({ timestamp: '2026-11-20T17:30:00.000Z', costSource: 'price-table' }),
    entry({ timestamp: '2026-11-22T08:00:00.000Z', costUSD: 0.5, models: [{ model: 'claude-opus-4-8', category: 'bio' }] }),
    entry({ timestamp: '2026-11-10T08:00:00.000Z', costUSD: 3 }),
  ];
  const vm = buildLedgerViewModel(buildReport(entries, { since, now }), {
    files: 3,
    filesRescanned: 0,
    filesResumed: 1,
    bytesTotal: 5_000_000,
    bytesRead: 1_000_000,
  });

  it('summarises the period and its trend', () => {
    expect(vm.period).toEqual({ from: '2026-11-16', to: '2026-11-22', days: 7 });
    expect(vm.summary).toEqual([
      { label: 'Refused turns', value: '3' },
      { label: 'Requests', value: '6' },
      { label: 'Tokens', value: '5,910' },
      { label: 'Cost', value: '$3.50' },
      { label: 'Time lost', value: '30s' },
    ]);
    expect(vm.trend).toEqual({ direction: 'up', text: 'Refusals +200%, cost +17% against the previous 7 days (1 refusals, $3.00).' });
    expect(vm.footnote).toBe('1 of 3 costs estimated from token usage at list prices. Read 1.0 MB of 5.0 MB in 3 transcripts.');
  });

  it('lays out one bar per day, scaled to a round maximum', () => {
    const [perDay] = vm.charts;
    expect(perDay!.bars).toHaveLength(7);
    expect(perDay!.bars.map((b) => b.title)).toContain('2026-11-20: 2 refusals');
    const tallest = perDay!.bars.find((b) => b.title.startsWith('2026-11-20'))!;
    const half = perDay!.bars.find((b) => b.title.startsWith('2026-11-22'))!;
    expect(tallest.height).toBe(112); // the full plot height: 2 is the axis maximum
    expect(tallest.y + tallest.height).toBe(half.y + half.height); // bars stand on the same baseline
    expect(half.height).toBe(56);
    expect(perDay!.ticks.map((t) => t.label)).toEqual(['0', '1', '2']);
  });

  it('rounds the axis up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect(barChart('t', [{ key: '2026-01-01', value: 7 }], String, '').ticks.at(-1)!.label).toBe('10');
    expect(barChart('t', [{ key: '2026-01-01', value: 0.0021 }], String, '').ticks.at(-1)!.label).toBe('0.0025');
    expect(barChart('t', [], String, '').bars).toEqual([]);
  });

  it('has tables by day (newest first), model, category and project', () => {
    expect(vm.tables.map((t) => t.id)).toEqual(['day', 'model', 'category', 'project']);
    expect(vm.tables[0]!.rows.map((r) => r[0])).toEqual(['2026-11-22', '2026-11-20']);
    expect(vm.tables[2]!.rows).toEqual([
      ['cyber', '2', '4', '3,940', '$3.00', '20s'],
      ['bio', '1', '2', '1,970', '$0.5000', '10s'],
    ]);
  });

  it('lists refusals newest first and carries the credit request and a CSV file name', () => {
    expect(vm.refusals[0]).toMatchObject({ when: '2026-11-22 08:00', category: 'bio', cost: '$0.5000', estimated: false });
    expect(vm.refusals[1]!.estimated).toBe(true);
    expect(vm.refusals[0]!.requestIds).toMatch(/^req_\d+, req_f\d+$/);
    expect(vm.creditRequest).toMatch(/^Subject: Credit request: 3 refused Claude Code turns/);
    expect(vm.csvFileName).toBe('refusal-ledger-2026-11-16-to-2026-11-22.csv');
  });

  it('says so when there is nothing to show', () => {
    const empty = buildLedgerViewModel(buildReport([], { now }));
    expect(empty.empty).toBe(true);
    expect(empty.trend).toEqual({ direction: 'flat', text: 'No refusals in this period or the one before.' });
    expect(empty.charts[0]!.bars.every((b) => b.height === 0)).toBe(true);
  });
});

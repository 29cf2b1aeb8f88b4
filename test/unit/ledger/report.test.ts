import { describe, expect, it } from 'vitest';
import { groupBy, isoWeek, sparkline, trend, reportPeriod, dailySeries } from '../../../src/core/ledger/aggregate';
import { buildReport, creditRequest, entriesToCsv, formatText, rowsToCsv, toJson } from '../../../src/core/ledger/report';
import { entry } from './entries';

const now = new Date('2026-11-22T12:00:00Z');
const entries = [
  entry({ timestamp: '2026-11-20T09:00:00.000Z', costUSD: 2 }),
  entry({ timestamp: '2026-11-20T17:30:00.000Z', models: [{ model: 'claude-opus-4-8', category: null }], project: '/srv/api', claudeCodeVersion: '2.1.300' }),
  entry({ timestamp: '2026-11-22T08:00:00.000Z', costUSD: 0.5 }),
  // Previous period (the week before):
  entry({ timestamp: '2026-11-10T08:00:00.000Z', costUSD: 3 }),
];

describe('aggregates', () => {
  it('groups by day, week, model, category, project and version', () => {
    const recent = entries.slice(0, 3);
    expect(groupBy(recent, 'day').map((r) => [r.key, r.refusals, r.costUSD])).toEqual([
      ['2026-11-20', 2, 3],
      ['2026-11-22', 1, 0.5],
    ]);
    expect(groupBy(recent, 'week').map((r) => [r.key, r.refusals])).toEqual([['2026-W47', 3]]);
    expect(groupBy(recent, 'model').map((r) => [r.key, r.refusals])).toEqual([['claude-fable-5', 2], ['claude-opus-4-8', 1]]);
    expect(groupBy(recent, 'category').map((r) => [r.key, r.refusals])).toEqual([['cyber', 2], ['none', 1]]);
    expect(groupBy(recent, 'project').map((r) => r.key)).toEqual(['/home/dev/shop', '/srv/api']);
    expect(groupBy(recent, 'version').map((r) => r.key)).toEqual(['2.1.328', '2.1.300']);
    const day = groupBy(recent, 'day')[0]!;
    // Requests of a chain all count: 2 per entry here.
    expect(day).toMatchObject({ requests: 4, timeLostMs: 20_000, usage: { input: 300, output: 40, cacheWrite: 0, cacheRead: 3600 } });
  });

  it('numbers ISO weeks across year ends', () => {
    expect(isoWeek('2026-11-22T23:59:00Z')).toBe('2026-W47');
    expect(isoWeek('2026-11-23T00:00:00Z')).toBe('2026-W48');
    expect(isoWeek('2027-01-01T00:00:00Z')).toBe('2026-W53');
    expect(isoWeek('2025-12-29T00:00:00Z')).toBe('2026-W01');
  });

  it('compares the period with the one of equal length before it', () => {
    const t = trend(entries, reportPeriod(now, new Date('2026-11-16T00:00:00Z')));
    expect(t.current).toEqual({ from: '2026-11-16', to: '2026-11-23', refusals: 3, costUSD: 3.5 });
    expect(t.previous).toEqual({ from: '2026-11-09', to: '2026-11-16', refusals: 1, costUSD: 3 });
    expect(t.refusalsChange).toBe(2);
    expect(t.costChange).toBeCloseTo(0.5 / 3, 10);
    expect(trend([], reportPeriod(now)).refusalsChange).toBeNull();
  });

  it('draws a sparkline with a blank for quiet days', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe(' ▁▂▄█');
    const days = dailySeries(entries, '2026-11-19', '2026-11-22');
    expect(days.map((d) => d.refusals)).toEqual([0, 2, 0, 1]);
    expect(sparkline(days.map((d) => d.refusals))).toBe(' █ ▄');
  });
});

describe('report formats', () => {
  const report = buildReport(entries, { since: new Date('2026-11-16T00:00:00Z'), now, by: 'model' });

  it('prints a table with the sparkline, totals and trend', () => {
    const text = formatText(report);
    expect(text).toContain('Refusal ledger 2026-11-16 .. 2026-11-22');
    expect(text).toContain('refusals per day  |    █ ▄|  max 2/day');
    expect(text).toMatch(/claude-fable-5\s+2\s+4\s+300\s+40\s+0\s+3,600\s+\$2\.50\s+20s/);
    expect(text).toMatch(/total\s+3\s+6\s+450\s+60\s+0\s+5,400\s+\$3\.50\s+30s/);
    expect(text).toContain('trend: 3 refusals, $3.50 vs 1, $3.00 in 2026-11-09 .. 2026-11-16 (refusals +200%, cost +17%)');
  });

  it('writes CSV for rows and for entries, quoting what needs it', () => {
    const rows = rowsToCsv(report.rows, report.by).split('\r\n');
    expect(rows[0]).toBe('model,refusals,requests,input_tokens,output_tokens,cache_write_tokens,cache_read_tokens,cost_usd,time_lost_s');
    expect(rows[1]).toBe('claude-fable-5,2,4,300,40,0,3600,2.500000,20.0');
    const odd = entriesToCsv([entry({ timestamp: '2026-11-20T09:00:00.000Z', project: '/home/a "b", c' })]).split('\r\n');
    expect(odd[1]).toContain(',"/home/a ""b"", c",');
    expect(odd[1]).toContain('claude-fable-5 claude-opus-4-8');
  });

  it('writes JSON holding the same figures', () => {
    const parsed = JSON.parse(toJson(report)) as typeof report;
    expect(parsed.totals.refusals).toBe(3);
    expect(parsed.entries).toHaveLength(3);
    expect(parsed.rows.map((r) => r.key)).toEqual(['claude-fable-5', 'claude-opus-4-8']);
  });

  it('drafts a credit request with request ids, dates, models, tokens and cost', () => {
    const text = creditRequest(report);
    expect(text).toMatch(/^Subject: Credit request: 3 refused Claude Code turns, 6 API requests \(2026-11-16 to 2026-11-22\)/);
    expect(text).toContain('- 2026-11-20T09:00:00.000Z  claude-fable-5, claude-opus-4-8  [cyber]  1,970 tokens  $2.00');
    expect(text).toMatch(/refused request ids: req_\d+\n  retry\/fallback request ids: req_f\d+\n/);
    expect(text).toContain('Total: 5,910 tokens (input 450, output 60, cache write 0, cache read 5,400), $3.50.');
    expect(text).not.toContain('/home/dev/shop');
  });
});

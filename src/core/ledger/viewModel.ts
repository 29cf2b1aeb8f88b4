/**
 * The Refusal Ledger webview's view model: everything the page shows, already shaped and formatted, including the
 * chart geometry, so the webview script only turns it into DOM and SVG (and this part is unit-tested).
 */
import { duration, percent, requestIds, usd, creditRequest, type LedgerReport } from './report';
import { groupBy } from './aggregate';
import { totalTokens, type LedgerDimension, type LedgerRow } from './types';
import type { LedgerScanStats } from './scan';

export interface ChartBar {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Tooltip, e.g. "2026-11-20: 3 refusals". */
  title: string;
}

export interface BarChart {
  title: string;
  width: number;
  height: number;
  /** Where the plot starts; value labels end just left of it. */
  axisX: number;
  bars: ChartBar[];
  /** Horizontal guide lines with their labels (value axis). */
  ticks: Array<{ y: number; label: string }>;
  /** A few labels along the time axis. */
  labels: Array<{ x: number; label: string }>;
}

export interface ViewTable {
  id: LedgerDimension;
  title: string;
  columns: string[];
  /** Which columns are numbers (right-aligned). */
  numeric: boolean[];
  rows: string[][];
}

export interface LedgerViewModel {
  period: { from: string; to: string; days: number };
  empty: boolean;
  summary: Array<{ label: string; value: string }>;
  trend: { text: string; direction: 'up' | 'down' | 'flat' | 'new' };
  charts: BarChart[];
  tables: ViewTable[];
  refusals: Array<{ when: string; models: string; category: string; tokens: string; cost: string; requestIds: string; estimated: boolean }>;
  creditRequest: string;
  /** A default name for the CSV export. */
  csvFileName: string;
  footnote: string;
}

const CHART_W = 640;
const CHART_H = 140;
const PAD_LEFT = 56;
const PAD_BOTTOM = 18;
/** Room for the top tick's label. */
const PAD_TOP = 10;

function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

export function barChart(title: string, points: Array<{ key: string; value: number }>, format: (v: number) => string, unit: string): BarChart {
  const plotW = CHART_W - PAD_LEFT;
  const plotH = CHART_H - PAD_BOTTOM - PAD_TOP;
  const top = niceMax(Math.max(0, ...points.map((p) => p.value)));
  const step = points.length ? plotW / points.length : plotW;
  const gap = step > 4 ? 1 : 0;
  const bars: ChartBar[] = points.map((p, i) => {
    const h = (p.value / top) * plotH;
    return {
      x: round(PAD_LEFT + i * step),
      y: round(PAD_TOP + plotH - h),
      width: round(Math.max(1, step - gap)),
      height: round(h),
      title: `${p.key}: ${format(p.value)} ${unit}`.trim(),
    };
  });
  const ticks = [0, 0.5, 1].map((f) => ({ y: round(PAD_TOP + plotH - f * plotH), label: format(top * f) }));
  const every = Math.max(1, Math.ceil(points.length / 6));
  const labels = points
    .map((p, i) => ({ x: round(PAD_LEFT + i * step + step / 2), label: p.key.slice(5) }))
    .filter((_, i) => i % every === 0);
  return { title, width: CHART_W, height: CHART_H, axisX: PAD_LEFT, bars, ticks, labels };
}

const round = (v: number): number => Math.round(v * 10) / 10;
const count = (n: number): string => n.toLocaleString('en-US');

function tableRows(rows: LedgerRow[]): string[][] {
  return rows.map((r) => [
    r.key,
    count(r.refusals),
    count(r.requests),
    count(totalTokens(r.usage)),
    usd(r.costUSD),
    duration(r.timeLostMs),
  ]);
}

const TABLES: Array<{ id: LedgerDimension; title: string }> = [
  { id: 'day', title: 'By day' },
  { id: 'model', title: 'By model' },
  { id: 'category', title: 'By category' },
  { id: 'project', title: 'By project' },
];

export function buildLedgerViewModel(report: LedgerReport, scan?: LedgerScanStats): LedgerViewModel {
  const t = report.totals;
  const days = report.daily.length;
  const tr = report.trend;
  let direction: LedgerViewModel['trend']['direction'] = 'flat';
  if (tr.refusalsChange === null) direction = tr.current.refusals > 0 ? 'new' : 'flat';
  else if (tr.refusalsChange > 0) direction = 'up';
  else if (tr.refusalsChange < 0) direction = 'down';
  const trendText =
    tr.previous.refusals === 0
      ? tr.current.refusals === 0
        ? 'No refusals in this period or the one before.'
        : `No refusals in the previous ${days} days (${tr.previous.from} .. ${tr.previous.to}).`
      : `Refusals ${percent(tr.refusalsChange)}, cost ${percent(tr.costChange)} against the previous ${days} days ` +
        `(${tr.previous.refusals} refusals, ${usd(tr.previous.costUSD)}).`;
  const estimated = report.entries.filter((e) => e.costSource === 'price-table').length;
  return {
    period: { ...report.period, days },
    empty: report.entries.length === 0,
    summary: [
      { label: 'Refused turns', value: count(t.refusals) },
      { label: 'Requests', value: count(t.requests) },
      { label: 'Tokens', value: count(totalTokens(t.usage)) },
      { label: 'Cost', value: usd(t.costUSD) },
      { label: 'Time lost', value: duration(t.timeLostMs) },
    ],
    trend: { text: trendText, direction },
    charts: [
      barChart('Refused turns per day', report.daily.map((d) => ({ key: d.key, value: d.refusals })), (v) => String(Math.round(v * 10) / 10), 'refusals'),
      barChart('Cost per day', report.daily.map((d) => ({ key: d.key, value: d.costUSD })), usd, ''),
    ],
    tables: TABLES.map(({ id, title }) => ({
      id,
      title,
      columns: [id, 'refusals', 'requests', 'tokens', 'cost', 'time lost'],
      numeric: [false, true, true, true, true, true],
      rows: tableRows(id === 'day' ? groupBy(report.entries, 'day').reverse() : groupBy(report.entries, id)),
    })),
    refusals: [...report.entries].reverse().slice(0, 200).map((e) => ({
      when: e.timestamp.replace('T', ' ').slice(0, 16),
      models: [...new Set(e.requests.map((r) => r.model))].join(' → '),
      category: [...new Set(e.models.map((m) => m.category).filter(Boolean))].join(', ') || '—',
      tokens: count(totalTokens(e.usage)),
      cost: usd(e.costUSD),
      requestIds: requestIds(e).join(', '),
      estimated: e.costSource === 'price-table',
    })),
    creditRequest: creditRequest(report),
    csvFileName: `refusal-ledger-${report.period.from}-to-${report.period.to}.csv`,
    footnote:
      (estimated ? `${estimated} of ${report.entries.length} costs estimated from token usage at list prices. ` : '') +
      (scan ? `Read ${(scan.bytesRead / 1e6).toFixed(1)} MB of ${(scan.bytesTotal / 1e6).toFixed(1)} MB in ${scan.files} transcripts.` : ''),
  };
}

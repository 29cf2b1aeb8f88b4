/**
 * What the CLI prints and the webview shows, shaped once here (pure, unit-tested): the period's entries, totals,
 * grouped rows, the per-day series, the trend, CSV, and the credit-request summary for support.
 */
import { dailySeries, groupBy, inPeriod, reportPeriod, sparkline, totals, trend } from './aggregate';
import { totalTokens, type LedgerDimension, type LedgerEntry, type LedgerRow, type Trend } from './types';

export interface LedgerReport {
  period: { from: string; to: string };
  by: LedgerDimension;
  totals: LedgerRow;
  rows: LedgerRow[];
  daily: LedgerRow[];
  trend: Trend;
  entries: LedgerEntry[];
}

export interface ReportOptions {
  by?: LedgerDimension;
  since?: Date;
  now?: Date;
}

export function buildReport(all: readonly LedgerEntry[], options: ReportOptions = {}): LedgerReport {
  const period = reportPeriod(options.now ?? new Date(), options.since);
  const entries = inPeriod(all, period);
  const by = options.by ?? 'day';
  const lastDay = new Date(period.to.getTime() - 86_400_000).toISOString().slice(0, 10);
  const firstDay = period.from.toISOString().slice(0, 10);
  return {
    period: { from: firstDay, to: lastDay },
    by,
    totals: totals(entries),
    rows: groupBy(entries, by),
    daily: dailySeries(entries, firstDay, lastDay),
    trend: trend(all, period),
    entries,
  };
}

/** Dollars; sub-dollar amounts keep four decimals because one refused request often costs a fraction of a cent. */
export const usd = (v: number): string =>
  v === 0 ? '$0.00' : v >= 100 ? `$${v.toFixed(0)}` : v >= 1 ? `$${v.toFixed(2)}` : `$${v.toFixed(4)}`;

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function percent(change: number | null): string {
  if (change === null) return 'new';
  const p = Math.round(change * 100);
  return `${p > 0 ? '+' : ''}${p}%`;
}

const count = (n: number): string => n.toLocaleString('en-US');

function table(header: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => [...r[i]!].length)));
  const fmt = (cells: string[]): string =>
    cells
      .map((c, i) => (rightAligned[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

function rowCells(r: LedgerRow): string[] {
  return [
    r.key,
    count(r.refusals),
    count(r.requests),
    count(r.usage.input),
    count(r.usage.output),
    count(r.usage.cacheWrite),
    count(r.usage.cacheRead),
    usd(r.costUSD),
    duration(r.timeLostMs),
  ];
}

/** The human table: sparkline, rows, totals, trend. */
export function formatText(report: LedgerReport): string {
  const header = [report.by, 'refusals', 'requests', 'input', 'output', 'cache write', 'cache read', 'cost', 'time lost'];
  const right = header.map((_, i) => i > 0);
  const lines: string[] = [];
  lines.push(`Refusal ledger ${report.period.from} .. ${report.period.to}`);
  const series = report.daily.map((d) => d.refusals);
  lines.push(`refusals per day  |${sparkline(series)}|  max ${Math.max(0, ...series)}/day`);
  lines.push('');
  if (report.rows.length === 0) {
    lines.push('No refusals in this period.');
  } else {
    lines.push(table(header, [...report.rows.map(rowCells), rowCells(report.totals)], right));
  }
  const t = report.trend;
  lines.push('');
  const change =
    t.previous.refusals === 0
      ? t.current.refusals === 0 ? 'no change' : 'none before'
      : `refusals ${percent(t.refusalsChange)}, cost ${percent(t.costChange)}`;
  lines.push(
    `trend: ${t.current.refusals} refusals, ${usd(t.current.costUSD)} vs ${t.previous.refusals}, ${usd(t.previous.costUSD)} ` +
      `in ${t.previous.from} .. ${t.previous.to} (${change})`,
  );
  const estimated = report.entries.filter((e) => e.costSource === 'price-table').length;
  if (estimated > 0) {
    lines.push(
      `${estimated} of ${report.entries.length} costs priced from token usage with the price table (no cost-state around the turn); --prices FILE overrides it.`,
    );
  }
  return lines.join('\n');
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csv(header: string[], rows: Array<Array<string | number>>): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** Grouped rows as CSV (RFC 4180). */
export function rowsToCsv(rows: readonly LedgerRow[], by: LedgerDimension): string {
  return csv(
    [by, 'refusals', 'requests', 'input_tokens', 'output_tokens', 'cache_write_tokens', 'cache_read_tokens', 'cost_usd', 'time_lost_s'],
    rows.map((r) => [
      r.key,
      r.refusals,
      r.requests,
      r.usage.input,
      r.usage.output,
      r.usage.cacheWrite,
      r.usage.cacheRead,
      r.costUSD.toFixed(6),
      (r.timeLostMs / 1000).toFixed(1),
    ]),
  );
}

/** One line per refused turn, as CSV. */
export function entriesToCsv(entries: readonly LedgerEntry[]): string {
  return csv(
    [
      'timestamp', 'session_id', 'project', 'claude_code_version', 'kind', 'models', 'categories', 'request_ids',
      'requests', 'input_tokens', 'output_tokens', 'cache_write_tokens', 'cache_read_tokens', 'cost_usd', 'cost_source',
      'time_lost_s', 'session_continued', 'transcript', 'line',
    ],
    entries.map((e) => [
      e.timestamp,
      e.sessionId,
      e.project,
      e.claudeCodeVersion ?? '',
      e.kind,
      [...new Set(e.requests.map((r) => r.model))].join(' '),
      [...new Set(e.models.map((m) => m.category).filter(Boolean))].join(' '),
      requestIds(e).join(' '),
      e.requests.length,
      e.usage.input,
      e.usage.output,
      e.usage.cacheWrite,
      e.usage.cacheRead,
      e.costUSD.toFixed(6),
      e.costSource,
      (e.timeLostMs / 1000).toFixed(1),
      e.sessionContinued ? 'yes' : 'no',
      e.transcript,
      e.line,
    ]),
  );
}

export function requestIds(e: LedgerEntry): string[] {
  const ids = [...e.models.map((m) => m.requestId), ...e.requests.map((r) => r.requestId)].filter((x): x is string => !!x);
  return [...new Set(ids)];
}

/**
 * A plain-text summary for Anthropic support: what was refused, when, on which model, with the request ids support
 * needs to look the requests up, and what it cost. Holds no prompt text or paths (nothing private to redact).
 */
export function creditRequest(report: LedgerReport): string {
  const e = report.entries;
  const lines: string[] = [];
  const turns = `${e.length} refused Claude Code turn${e.length === 1 ? '' : 's'}`;
  lines.push(`Subject: Credit request: ${turns}, ${report.totals.requests} API requests (${report.period.from} to ${report.period.to})`);
  lines.push('');
  lines.push(
    `Between ${report.period.from} and ${report.period.to}, Claude Code's safeguards refused ${e.length} of my turns ` +
      `(${report.totals.requests} API requests including automatic retries and fallbacks). I believe these were legitimate ` +
      `requests and ask for a credit for the tokens billed. Details:`,
  );
  lines.push('');
  for (const x of e) {
    const ids = requestIds(x);
    const models = [...new Set(x.requests.map((r) => r.model))].join(', ');
    const cats = [...new Set(x.models.map((m) => m.category).filter(Boolean))].join(', ');
    lines.push(
      `- ${x.timestamp}  ${models}${cats ? `  [${cats}]` : ''}  ${count(totalTokens(x.usage))} tokens  ${usd(x.costUSD)}` +
        `${x.costSource === 'price-table' ? ' (estimated at list price)' : ''}`,
    );
    const refusedIds = new Set([...x.models.map((m) => m.requestId), ...x.requests.filter((r) => r.role === 'refused').map((r) => r.requestId)]);
    const refused = ids.filter((id) => refusedIds.has(id));
    const after = ids.filter((id) => !refusedIds.has(id));
    const unnamed = x.requests.filter((r) => r.role === 'refused' && !r.requestId).length;
    lines.push(
      `  refused request ids: ${refused.length ? refused.join(', ') : '(none logged)'}` +
        (unnamed ? ` (+${unnamed} refused request${unnamed === 1 ? '' : 's'} Claude Code logged without an id)` : ''),
    );
    if (after.length) lines.push(`  retry/fallback request ids: ${after.join(', ')}`);
    if (x.claudeCodeVersion) lines.push(`  Claude Code ${x.claudeCodeVersion}, session ${x.sessionId}`);
    else lines.push(`  session ${x.sessionId}`);
  }
  lines.push('');
  const t = report.totals;
  lines.push(
    `Total: ${count(totalTokens(t.usage))} tokens (input ${count(t.usage.input)}, output ${count(t.usage.output)}, ` +
      `cache write ${count(t.usage.cacheWrite)}, cache read ${count(t.usage.cacheRead)}), ${usd(t.costUSD)}.`,
  );
  return lines.join('\n');
}

/** The machine-readable report (`ledger --json`). */
export function toJson(report: LedgerReport): string {
  return JSON.stringify(report, null, 2);
}

/** Grouping, totals, the per-day series and the trend: pure functions over ledger entries. */
import { addUsage, emptyUsage, type LedgerDimension, type LedgerEntry, type LedgerRow, type Trend } from './types';

const DAY_MS = 86_400_000;

export const dayOf = (iso: string): string => iso.slice(0, 10);

/** ISO 8601 week, e.g. "2026-W47" (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(iso: string): string {
  const d = new Date(Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)));
  const weekday = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - weekday + 3);
  // d is now the Thursday of the week; its year is the week's year.
  const year = d.getUTCFullYear();
  const week = Math.ceil(((d.getTime() - Date.UTC(year, 0, 1)) / DAY_MS + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The key an entry is grouped under. A chain's model and category are those of its first refusal. */
export function keyOf(entry: LedgerEntry, by: LedgerDimension): string {
  switch (by) {
    case 'day':
      return dayOf(entry.timestamp);
    case 'week':
      return isoWeek(entry.timestamp);
    case 'model':
      return entry.models[0]?.model ?? 'unknown';
    case 'category':
      return entry.models.find((m) => m.category)?.category ?? 'none';
    case 'project':
      return entry.project || 'unknown';
    case 'version':
      return entry.claudeCodeVersion ?? 'unknown';
  }
}

export function emptyRow(key: string): LedgerRow {
  return { key, refusals: 0, requests: 0, usage: emptyUsage(), costUSD: 0, timeLostMs: 0 };
}

export function addToRow(row: LedgerRow, e: LedgerEntry): LedgerRow {
  row.refusals++;
  row.requests += e.requests.length;
  addUsage(row.usage, e.usage);
  row.costUSD += e.costUSD;
  row.timeLostMs += e.timeLostMs;
  return row;
}

export function totals(entries: readonly LedgerEntry[]): LedgerRow {
  const row = emptyRow('total');
  for (const e of entries) addToRow(row, e);
  return row;
}

/** Rows by a dimension; days and weeks in time order, the rest by cost, highest first. */
export function groupBy(entries: readonly LedgerEntry[], by: LedgerDimension): LedgerRow[] {
  const rows = new Map<string, LedgerRow>();
  for (const e of entries) {
    const key = keyOf(e, by);
    addToRow(rows.get(key) ?? rows.set(key, emptyRow(key)).get(key)!, e);
  }
  const list = [...rows.values()];
  if (by === 'day' || by === 'week') return list.sort((a, b) => a.key.localeCompare(b.key));
  return list.sort((a, b) => b.costUSD - a.costUSD || b.refusals - a.refusals || a.key.localeCompare(b.key));
}

/** One row per day from `from` to `to` (ISO days, inclusive), zero rows for days without refusals. */
export function dailySeries(entries: readonly LedgerEntry[], from: string, to: string): LedgerRow[] {
  const byDay = new Map(groupBy(entries, 'day').map((r) => [r.key, r]));
  const out: LedgerRow[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); t <= end; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push(byDay.get(day) ?? emptyRow(day));
  }
  return out;
}

const BLOCKS = '▁▂▃▄▅▆▇█';

/** Unicode block sparkline; zero is a space so quiet days stand out. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map((v) => (v <= 0 || max === 0 ? ' ' : BLOCKS[Math.min(BLOCKS.length - 1, Math.ceil((v / max) * BLOCKS.length) - 1)]))
    .join('');
}

export interface Period {
  /** Inclusive start, UTC. */
  from: Date;
  /** Exclusive end, UTC. */
  to: Date;
}

/**
 * The period a report covers: from `since` (default: 30 days before `now`) to `now`. Day-aligned so the previous
 * period of equal length covers whole days too.
 */
export function reportPeriod(now: Date, since?: Date): Period {
  const to = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS + DAY_MS);
  const from = since ? new Date(Math.floor(since.getTime() / DAY_MS) * DAY_MS) : new Date(to.getTime() - 30 * DAY_MS);
  return { from, to };
}

export function inPeriod(entries: readonly LedgerEntry[], p: Period): LedgerEntry[] {
  const from = p.from.getTime();
  const to = p.to.getTime();
  return entries.filter((e) => {
    const t = Date.parse(e.timestamp);
    return t >= from && t < to;
  });
}

/** The period against the one of equal length right before it. */
export function trend(entries: readonly LedgerEntry[], p: Period): Trend {
  const length = p.to.getTime() - p.from.getTime();
  const prev: Period = { from: new Date(p.from.getTime() - length), to: p.from };
  const cur = totals(inPeriod(entries, p));
  const old = totals(inPeriod(entries, prev));
  const change = (a: number, b: number): number | null => (b === 0 ? null : (a - b) / b);
  const day = (d: Date): string => d.toISOString().slice(0, 10);
  return {
    current: { from: day(p.from), to: day(p.to), refusals: cur.refusals, costUSD: cur.costUSD },
    previous: { from: day(prev.from), to: day(prev.to), refusals: old.refusals, costUSD: old.costUSD },
    refusalsChange: change(cur.refusals, old.refusals),
    costChange: change(cur.costUSD, old.costUSD),
  };
}

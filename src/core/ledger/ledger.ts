/** The ledger in one call, for the CLI and the extension: scan (incrementally), price, shape the report. */
import { loadPriceTable } from '../prices';
import { buildReport, type LedgerReport } from './report';
import { scanLedger, type LedgerScan } from './scan';
import type { LedgerDimension } from './types';

export interface BuildLedgerOptions {
  projectsDir: string;
  since?: Date;
  now?: Date;
  by?: LedgerDimension;
  /** JSON price overrides (see prices.ts). */
  pricesFile?: string;
  cacheDir?: string;
  useIndex?: boolean;
}

export async function buildLedger(options: BuildLedgerOptions): Promise<{ report: LedgerReport; scan: LedgerScan }> {
  const prices = await loadPriceTable(options.pricesFile);
  const scan = await scanLedger({
    projectsDir: options.projectsDir,
    prices,
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    ...(options.useIndex !== undefined ? { useIndex: options.useIndex } : {}),
  });
  const report = buildReport(scan.entries, {
    by: options.by ?? 'day',
    ...(options.since ? { since: options.since } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return { report, scan };
}

/** "2026-11-01", an ISO time, or the last N days / weeks including today: "7d", "4w". */
export function parseSince(value: string, now = new Date()): Date {
  const span = /^(\d+)([dw])$/.exec(value.trim());
  if (span) {
    const days = Number(span[1]) * (span[2] === 'w' ? 7 : 1);
    if (days < 1) throw new Error(`--since "${value}" must cover at least one day`);
    return new Date(now.getTime() - (days - 1) * 86_400_000);
  }
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value.trim()) ? new Date(`${value.trim()}T00:00:00Z`) : new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new Error(`--since "${value}" is not a date: use YYYY-MM-DD, an ISO time, or a span such as 7d or 4w`);
  }
  return date;
}

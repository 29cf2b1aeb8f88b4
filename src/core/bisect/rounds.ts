/**
 * Rounds, not probes: what the user waits for is the probes that had to wait for an earlier answer. The estimate turns
 * its expected probes into rounds with the speed-up the reducer measured at each concurrency, and rounds into minutes
 * with the oracle's typical seconds per probe (probe/oracle/defaults.ts).
 */

/**
 * Rounds at 1 in flight over rounds at c, lowest and highest across `npm run bench:reduce`'s rounds table
 * (rounds c=1 / c=2 / c=4 / c=8): phrase-200k 55/29/18/11, two-fragments 64/40/26/18, count-3 95/57/37/22,
 * prose-no-newlines 65/34/19/12, pdf-flate-tj 49/28/20/14, phrase-1mb 56/30/18/12, raw-pdf-content 51/27/17/12,
 * pdf-unparseable 49/27/16/11. Lowest: two-fragments at 2 (1.60), pdf-flate-tj at 4 and 8 (2.45 / 3.50); highest:
 * prose-no-newlines (1.91 / 3.42 / 5.42). Left out: noisy-10pct and non-monotone, whose probes at 1 in flight differ
 * from those at 2 by 2.6x and 1.8x, so their ratio measures the probe count, not the concurrency. At 1 in flight
 * rounds equal probes.
 */
const SPEEDUP: ReadonlyArray<{ c: number; low: number; high: number }> = [
  { c: 1, low: 1, high: 1 },
  { c: 2, low: 1.6, high: 1.91 },
  { c: 4, low: 2.45, high: 3.42 },
  { c: 8, low: 3.5, high: 5.42 },
];

/** The measured speed-up at `concurrency`: interpolated on log2(c) between the table's rows, held at 8's beyond it. */
export function speedup(concurrency: number): { low: number; high: number } {
  const c = Math.max(1, concurrency);
  const last = SPEEDUP[SPEEDUP.length - 1]!;
  if (c >= last.c) return { low: last.low, high: last.high };
  const i = SPEEDUP.findIndex((row) => row.c >= c);
  const b = SPEEDUP[i]!;
  if (b.c === c || i === 0) return { low: b.low, high: b.high };
  const a = SPEEDUP[i - 1]!;
  const t = (Math.log2(c) - Math.log2(a.c)) / (Math.log2(b.c) - Math.log2(a.c));
  return { low: a.low + t * (b.low - a.low), high: a.high + t * (b.high - a.high) };
}

/**
 * Probes at `concurrency` over probes at 1 in flight, for the top of the range: speculative probes of a round that
 * turn out not to be needed still count. `npm run bench:estimate`, noise-free, probes c=4 / c=1: 1.13 (prose-1k) to
 * 1.32 (two-fragments-100k, 86 / 65); bench:reduce's phrase-200k 77 / 55 = 1.40 at 8. So 1 + 0.15 per doubling (1.30
 * at 4, 1.45 at 8), held at 8's beyond it as the speed-up is.
 */
export function probeGrowth(concurrency: number): number {
  return 1 + 0.15 * Math.log2(Math.min(8, Math.max(1, concurrency)));
}

/** Rounds of a reduction expected to take `probes` (the count at 1 in flight) at `concurrency`. */
export function reductionRounds(probes: { low: number; high: number }, concurrency: number): { low: number; high: number } {
  const s = speedup(concurrency);
  return { low: Math.ceil(probes.low / s.high), high: Math.ceil(probes.high / s.low) };
}

/** Rounds of `probes` independent probes sent `concurrency` at a time (controls, rates across models). */
export function independentRounds(probes: number, concurrency: number): number {
  return Math.ceil(probes / Math.max(1, concurrency));
}

/** Expected minutes (rounds times seconds per probe) and their wording: "about 4-9 minutes", "under a minute". */
export function expectedMinutes(rounds: { low: number; high: number }, secondsPerProbe: number): { low: number; high: number; text: string } {
  const minutes = { low: (rounds.low * secondsPerProbe) / 60, high: (rounds.high * secondsPerProbe) / 60 };
  if (minutes.high < 1) return { ...minutes, text: 'under a minute' };
  const low = Math.max(1, Math.floor(minutes.low));
  const high = Math.ceil(minutes.high);
  return { ...minutes, text: low === high ? `about ${low} minute${low === 1 ? '' : 's'}` : `about ${low}-${high} minutes` };
}

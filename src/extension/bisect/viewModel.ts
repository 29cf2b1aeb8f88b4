/**
 * The bisect view's view model, as the ledger has one (src/core/ledger/viewModel.ts): everything the page shows,
 * already formatted, with the chart's geometry, so media/bisect.js only turns it into DOM and SVG and this part is
 * unit-tested. Pure: imports only types.
 */
import { minimalBytes, type BisectResult } from '../../core/bisect/result';
import { findingsViewModel, type FindingsViewModel } from './findings';

/** The live figures of a run, as the reducer reports them. */
export interface BisectStats {
  phase: string;
  probes: number;
  tokens: number;
  costUsd: number;
  currentSize: number;
  originalSize: number;
}

/** The best candidate's size after a number of probes: one point of the chart. */
export interface SizePoint {
  probes: number;
  size: number;
}

export interface BisectChart {
  width: number;
  height: number;
  axes: Array<{ x1: number; y1: number; x2: number; y2: number }>;
  /** SVG path data of size over probes; empty before the first point. */
  path: string;
  /** The latest point. */
  dot?: { x: number; y: number };
  labels: Array<{ x: number; y: number; text: string }>;
}

export interface BisectViewModel {
  phase: string;
  stats: { probes: string; tokens: string; cost: string; size: string; original: string };
  chart: BisectChart;
  /** Once the run has ended. */
  result?: {
    summary: string;
    minimal: string;
    stopped: boolean;
    /** Attribution, context and rates across models; empty for a result that has none. */
    findings: FindingsViewModel;
    /** Whether "Measure Across Models" applies: there is a trigger to replay. */
    canMeasure: boolean;
  };
}

const CHART_W = 640;
const CHART_H = 200;
const PAD = 36;

export function formatBytes(n: number): string {
  if (n >= 1048576) return `${(n / 1048576).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}

export function formatUsd(n: number): string {
  return `$${n < 0.01 && n > 0 ? n.toFixed(4) : n.toFixed(2)}`;
}

const round = (n: number): number => Math.round(n * 10) / 10;

/** Size over probes on a log scale: the size shrinks by orders of magnitude, a linear axis would flatten the end. */
export function sizeChart(points: readonly SizePoint[]): BisectChart {
  const w = CHART_W;
  const h = CHART_H;
  const bottom = h - PAD / 2;
  const axes = [
    { x1: PAD, y1: bottom, x2: w - 8, y2: bottom },
    { x1: PAD, y1: 8, x2: PAD, y2: bottom },
  ];
  const last = points.at(-1);
  if (!last) return { width: w, height: h, axes, path: '', labels: [] };
  const maxX = Math.max(1, last.probes);
  const maxY = Math.max(1, ...points.map((p) => p.size));
  const log = (v: number): number => Math.log10(Math.max(1, v));
  const x = (v: number): number => round(PAD + (v / maxX) * (w - PAD - 12));
  const y = (v: number): number => round(bottom - (log(v) / Math.max(1, log(maxY))) * (bottom - 12));
  const path = points.map((p, i) => `${i ? 'L' : 'M'} ${x(p.probes)} ${y(p.size)}`).join(' ');
  return {
    width: w,
    height: h,
    axes,
    path,
    dot: { x: x(last.probes), y: y(last.size) },
    labels: [
      { x: 2, y: 16, text: formatBytes(maxY) },
      { x: 2, y: bottom, text: '1 B' },
      { x: w - 60, y: h - 4, text: `${maxX} probes` },
    ],
  };
}

export function bisectViewModel(stats: BisectStats, points: readonly SizePoint[], result?: BisectResult): BisectViewModel {
  return {
    phase: stats.phase,
    stats: {
      probes: String(stats.probes),
      tokens: stats.tokens.toLocaleString('en-US'),
      cost: formatUsd(stats.costUsd),
      size: formatBytes(stats.currentSize),
      original: formatBytes(stats.originalSize),
    },
    chart: sizeChart(points),
    result: result && {
      summary: summarize(result),
      minimal: shownTrigger(result),
      stopped: Boolean(result.stoppedEarly),
      findings: findingsViewModel(result),
      canMeasure: result.status !== 'not-refused' && result.minimal !== '',
    },
  };
}

/**
 * The trigger as the view shows it: the minimal text, or for a PDF (which the editor cannot mark) each kept run of
 * glyphs with the page it is on, as a reader finds it in the file.
 */
export function shownTrigger(result: BisectResult): string {
  const runs = result.parts.flatMap((p) => (p.needed ? (p.fragments ?? []) : [])).filter((f) => f.page !== undefined);
  if (runs.length === 0) return result.minimal;
  return runs.map((f) => `page ${f.page}: ${f.text}`).join('\n');
}

/** One line a person reads at the end: how small, how sure, what it cost. */
export function summarize(result: BisectResult): string {
  const cost = `${result.probes} paid probes${result.cachedProbes ? ` + ${result.cachedProbes} cached` : ''}, $${result.costUsd.toFixed(4)}`;
  // The controls ended it (core/bisect/attribution.ts flaggedBeforeBisect; spelled out here, this module imports only
  // types): there is no trigger to size, only the reason, which names the channel and its rate.
  if (result.status === 'not-attributable' && result.minimal === '' && result.attribution) return `Not bisected: ${result.statusReason ?? 'the content-free control was refused'}; ${cost}.`;
  const keptBytes = minimalBytes(result);
  const ratio = result.original.size > 0 ? ` (${((100 * keptBytes) / result.original.size).toFixed(2)}% of ${result.original.size} B)` : '';
  const verify = `refused ${result.verification.refused}/${result.verification.of} times on verification`;
  const control = result.control ? `, and passed ${result.control.passed}/${result.control.of} without "${result.control.removed.slice(0, 40)}"` : '';
  const stopped = result.stoppedEarly ? ` Stopped early: ${result.stoppedEarly}.` : '';
  return `Minimal trigger: ${keptBytes} B${ratio}, ${verify}${control}; ${cost}.${stopped}`;
}

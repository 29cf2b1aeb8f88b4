/**
 * The reduction algorithm: from a refused request to a minimal content that is still refused, with few probes.
 *
 * Coarse to fine. Request parts first (adaptive group testing over the parts). Then, inside each needed part, level
 * by level (paragraphs -> lines -> sentences -> words -> characters; JSON members; code blocks; PDF pages -> text
 * blocks -> operators -> glyph strings -> glyphs):
 *  1. locate (whole part only): descend through overlapping windows, k per round with k probes in flight; the last
 *     window is assumed rather than probed, so one probe per round halves the span, and windows are cheap in bytes;
 *  2. pin the span: (k+1)-section search for the shortest refused prefix and the shortest refused suffix (both at
 *     once, half the slots each, when k >= 2): for one contiguous trigger this is the trigger;
 *  3. separated fragments (no window holds them, or many units between the ends): group testing, by binary splitting
 *     one probe at a time, or k chunks per round with the round's successful deletions merged and checked alongside
 *     the next round; a short span gets one probe to see whether its whole interior can go;
 *  4. at the finest level, every unit is removed in turn with real probes (no inference): 1-minimal, checked.
 * Answers are memoised by content; a subset of a passing candidate passes and a superset of a refused one is refused
 * (monotone inference) until the oracle shows otherwise.
 *
 * Noise. Single part: a refused window proves the original refused, so the original is sent only if no window is;
 * the confirmRuns - 1 repeats that measure flips are spent on the first located span (bytes, not a file, each) and
 * run beside the search. Multi-part inputs are probed whole confirmRuns times first. Decisions rest on single answers
 * while the oracle looks deterministic (the noise-free path pays nothing for noise). Signs of a flip are followed up
 * by asking again: a located span that its repeats call "passes" re-asks the answers its level leaned on; group
 * testing that lets nothing go for SUSPECT probes re-asks the candidate it stands on. Two answers that differ for one
 * input mean noise, and from then on:
 *  - searches are probabilistic (posterior over the position from every answer count and the estimated flip rate):
 *    the descent becomes windows between the posterior's quantiles, the end searches probabilistic bisection;
 *  - "still refused, so delete" is a sequential test (answers until "refused" leads by 4 or "passes" by 3; "passes" by
 *    2 for a single unit of the 1-minimality pass while none has gone), a removal implied "passes" by a superset
 *    decided so costs nothing, and a 1-minimality pass during which noise first showed is run again;
 *  - the kept candidate is re-tested after each step, and a candidate that fails is rewound to the last one in the
 *    history still refused.
 * A level that cannot shrink a wide span re-asks the answers inference leaned on (one flipped "passes" would otherwise
 * hide everything under it). The result is verified with verifyRuns fresh probes (sent with the last 1-minimality
 * pass); a verification that fails with the same answers as before means the oracle is not monotone: inference stops
 * and the reduction resumes from the last candidate observed refused. A stop (budget, cancel) returns the smallest
 * candidate observed refused (by the sequential margin once noise is seen), never one that is not.
 */
import { OracleError, type Oracle, type ProbeInput } from '../oracle/types';
import { modelFor, type PartModel } from './model';
import type { BisectPartSummary, ReduceOptions, ReduceOutcome } from './result';
import { runsKey, runsSelect, runsSubset, type Runs } from './runs';

/** A candidate: the kept atoms of each part (empty: the part is dropped from the request). */
type Cand = Runs[];

/**
 * A repeated probe of the same input carries its attempt number, so a caching wrapper can tell a deliberate repeat
 * (which must reach the oracle) from a re-run of the same probe (which must not).
 */
export type RepeatedProbeInput = ProbeInput & { attempt?: number };

/**
 * Answer lead needed for a decision once the oracle is known to be noisy. "Refused" lets content go for good, so it
 * needs more (4: odds of 6561:1 at a 10% flip rate) than "passes" (3: 729:1), which only keeps content.
 */
const MARGIN = 3;
const REFUSED_MARGIN = 4;
/**
 * "Passes" lead for removing one unit in the 1-minimality pass while nothing in it has gone: a wrong "passes" there
 * keeps one character (a 1.2% chance per deletable unit at a 10% flip rate), never content the refusal needs, and a
 * span that the end searches pinned holds few units that can go. Each needed unit costs about 2.5 answers, not 3.75.
 */
const UNIT_MARGIN = 2;
/** Posterior mass left outside a boundary that probabilistic bisection settles on (noisy mode). */
const BOUNDARY_ERROR = 0.005;
/** Most answers gathered for one candidate before a majority decides. */
const MAX_ANSWERS = 11;
/** Interior units below which a level's chunk deletion is left to the finer levels (cheaper for one phrase). */
const MIN_INTERIOR = 8;
/** A window (in units) above which a trigger that no single window holds is taken apart by group testing. */
const SCATTERED = 16;
/** Probes of group testing without a single deletion after which its base is asked again (see suspectBase). */
const SUSPECT = 16;
/** Units at the finest level above which chunk deletion runs before the single-unit pass. */
const LONG_SPAN = 64;

class NotRefused extends Error {}

/** The candidate a pass works on turned out not to be refused (a flip led there): rewind the history. */
class Rewind extends Error {}

class Stop extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

interface Entry {
  key: string;
  cand: Cand;
  refused: number;
  passed: number;
  /** Probes issued for this candidate (attempt numbers). */
  issued: number;
  /** The oracle answered a repeat from a cache: more answers will add no evidence. */
  cachedRepeat: boolean;
  input?: ProbeInput;
  bytes?: number;
}

const textEncoder = new TextEncoder();
function inputBytes(input: ProbeInput): number {
  let n = 0;
  for (const p of input.parts) n += p.bytes ? p.bytes.byteLength : textEncoder.encode(p.text).byteLength;
  return n;
}

export async function reduce(input: ProbeInput, oracle: Oracle, options: ReduceOptions = {}): Promise<ReduceOutcome> {
  const models = await Promise.all(input.parts.map((p) => modelFor(p)));
  return new Reduction(input, oracle, options, models).run();
}

class Reduction {
  private readonly c: number;
  private readonly memo = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<boolean>>();
  private readonly observedRefused: Entry[] = [];
  private readonly observedPassed: Entry[] = [];
  private noisy = false;
  private monotone = true;
  private probesIssued = 0;
  private repeats = 0;
  private phase = 'confirm';
  private best: Entry | undefined;
  private history: Cand[] = [];
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];
  private readonly original: Cand;
  private originalBytes = 0;
  /** Single part: the original's refusal is still to be shown (by a refused subset, or by probing it). */
  private originalPending = false;
  /** Repeats still owed to the noise estimate (taken on the first located span). */
  private repeatsDue = 0;
  /** Probes that run beside the search (the noise estimate's repeats); awaited at the next checkpoint. */
  private background: Promise<void>[] = [];
  private backgroundError: unknown;
  /** The verification sent together with the last 1-minimality pass, for the candidate it started from. */
  /** Single "passes" answers that inference has leaned on since the last audit. */
  private passSources = new Set<Entry>();
  /** Inputs first answered since the current level started (the answers its search leaned on). */
  private levelAnswers: Entry[] = [];
  private pendingVerify: { key: string; result: Promise<{ ok: boolean; verification: { refused: number; of: number } }> } | undefined;
  /** Oracle calls on the wire. The run settles them all before it returns or rejects, so none outlives it. */
  private readonly calls = new Set<Promise<unknown>>();
  /** Set when the run is ending on an error or a stop: no new probe is sent after it. */
  private halted: unknown;

  constructor(
    private readonly input: ProbeInput,
    private readonly oracle: Oracle,
    private readonly options: ReduceOptions,
    private readonly models: PartModel[],
  ) {
    this.c = Math.max(1, Math.floor(options.concurrency ?? 1));
    this.original = models.map((m) => (m.atomCount > 0 ? [0, m.atomCount] : []));
  }

  async run(): Promise<ReduceOutcome> {
    const orig = this.entry(this.original);
    try {
      this.phase = 'confirm';
      const runs = Math.max(1, this.options.confirmRuns ?? 3);
      if (this.original.filter((r) => r.length).length === 1) {
        this.originalPending = true;
        this.repeatsDue = runs - 1;
      } else if (!(await this.confirmOriginal())) return this.outcome('not-refused', this.original);

      let cur = this.original;
      this.history = [cur];
      let verified = false;
      let verification = { refused: 0, of: 0 };
      for (let round = 0; round < 4 && !verified; round++) {
        cur = await this.shrink(cur);
        this.phase = 'verify';
        await this.drainBackground();
        const pending = this.pendingVerify;
        this.pendingVerify = undefined;
        const v = pending?.key === this.key(cur) ? await pending.result : await this.verify(cur);
        verification = v.verification;
        verified = v.ok;
        if (!verified) cur = await this.backtrack();
      }
      if (!verified) {
        // Out of rounds: return the latest candidate of the history that a sequential test still finds refused.
        for (let i = this.history.length - 1; i >= 0; i--) {
          if (i === 0 || (await this.decide(this.history[i]!))) {
            cur = this.history[i]!;
            break;
          }
        }
        verification = (await this.verify(cur)).verification;
      }
      const { oneMinimal, control } = await this.finalChecks(cur, verified);
      return { ...this.outcome('reduced', cur), oneMinimal, control, verification };
    } catch (err) {
      this.halted ??= err;
      await this.quiesce();
      if (err instanceof NotRefused) return this.outcome('not-refused', this.original);
      if (err instanceof Stop) {
        const best = this.bestSoFar();
        return { ...this.outcome('stopped', best), stoppedEarly: err.reason };
      }
      throw err;
    }
  }

  /** Probe the original until confirmRuns answers are in: is it refused (by majority, or a sequential test)? */
  private async confirmOriginal(): Promise<boolean> {
    const e = this.entry(this.original);
    const runs = Math.max(1, this.options.confirmRuns ?? 3);
    const missing = Math.max(0, runs - e.refused - e.passed);
    await this.all(Array.from({ length: missing }, () => this.probe(e)));
    this.originalPending = false;
    if (e.refused === 0) return false;
    if (e.passed > 0) return this.decide(this.original);
    return true;
  }

  /** Single part, after the first descent: if no window was refused, the original itself must be. */
  private async settleOriginal(): Promise<void> {
    if (!this.originalPending) return;
    const e = this.entry(this.original);
    if (e.refused + e.passed === 0) await this.probe(e);
    if (!this.originalPending) return;
    this.repeatsDue = 0;
    if (!(await this.confirmOriginal())) throw new NotRefused();
  }

  /** The repeats owed to the noise estimate, on a (small) located candidate. */
  private async payRepeats(cand: Cand): Promise<void> {
    if (this.repeatsDue <= 0) return;
    const e = this.entry(cand);
    const n = this.repeatsDue;
    this.repeatsDue = 0;
    const phase = this.phase;
    this.phase = 'confirm';
    // Beside the search, not before it: these answers only matter if they disagree (noise), seen at the next checkpoint.
    const work = this.all(Array.from({ length: n }, () => this.probe(e))).then(
      () => {
        if (!this.noisy && e.refused === 0) this.monotone = false; // refused only by inference, then never: not monotone
      },
      (err: unknown) => {
        this.backgroundError ??= err;
      },
    );
    this.phase = phase;
    this.background.push(work);
  }

  /** Wait until no oracle call and no background work is left (the run is ending: `halted` keeps new probes out). */
  private async quiesce(): Promise<void> {
    while (this.calls.size > 0 || this.background.length > 0) {
      const waiting = [...this.calls, ...this.background];
      this.background = [];
      await Promise.allSettled(waiting);
    }
  }

  private async drainBackground(): Promise<void> {
    const work = this.background;
    this.background = [];
    await Promise.all(work);
    if (this.backgroundError !== undefined) throw this.backgroundError;
  }

  /**
   * After each step of a level: once noise has been seen, the candidate kept so far must pass a sequential test; if
   * it does not, a flip led the search astray (Rewind: the history goes back to its last candidate still refused).
   */
  /**
   * One flipped "passes" makes every subset of that candidate pass by inference, and a search can then go nowhere.
   * When a level could not shrink a wide span, ask again each answer that inference leaned on: a different answer
   * means noise, the same answers where a trigger should have shown mean the level is as small as it gets.
   * True when the oracle turned out noisy (the level is redone without inference).
   */
  private async audit(): Promise<boolean> {
    const sources = [...this.passSources].filter((e) => e.refused + e.passed === 1 && !e.cachedRepeat);
    this.passSources.clear();
    if (!sources.length || this.noisy) return false;
    const phase = this.phase;
    this.phase = 'audit';
    await this.all(sources.map((e) => this.probe(e)));
    this.phase = phase;
    return this.noisy;
  }

  private async checkpoint(cur: Cand): Promise<void> {
    await this.drainBackground();
    if (this.noisy && !(await this.decide(cur))) throw new Rewind();
    // Refused only by inference, then never when asked (the noise estimate's repeats): either a rule that is not
    // monotone, or a flipped answer among those the level's search leaned on. Ask those again: a different answer
    // means noise (and this candidate, not refused, is left behind); the same answers mean not monotone.
    const e = this.entry(cur);
    if (!this.noisy && e.refused === 0 && e.passed > 0) {
      const sources = this.levelAnswers.filter((o) => o !== e && o.refused + o.passed === 1 && !o.cachedRepeat);
      this.levelAnswers = [];
      await this.all(sources.map((o) => this.probe(o)));
      if (this.noisy) {
        this.monotone = true; // the contradiction was a flip, not the rule
        if (!(await this.decide(cur))) throw new Rewind();
      }
    }
  }

  // ---------------------------------------------------------------- the passes

  private async shrink(start: Cand): Promise<Cand> {
    let cur = start;
    const live = () => cur.map((r, i) => (r.length ? i : -1)).filter((i) => i >= 0);
    if (live().length > 1) {
      this.phase = 'parts';
      const parts = live();
      const base = cur;
      cur = await this.deleteChunks(parts.length, 0, parts.length, (drop) =>
        base.map((r, i) => (parts.includes(i) && drop[parts.indexOf(i)] ? [] : r)),
      false);
      this.accept(cur);
    }
    const needed = live();
    for (const p of needed) cur = await this.reducePart(cur, p, p === needed[needed.length - 1]);
    return cur;
  }

  private async reducePart(start: Cand, p: number, last: boolean): Promise<Cand> {
    let cur = start;
    // A Rewind (a flip led the search to a candidate that is not refused) restarts the levels from the last
    // candidate in the history that still is; a few times at most.
    for (let restarts = 0; ; restarts++) {
      try {
        cur = await this.levels(cur, p);
        const model = this.models[p]!;
        this.phase = model.levels[model.levels.length - 1]!;
        return await this.oneMinimal(cur, p, model.levels.length - 1, last);
      } catch (err) {
        if (!(err instanceof Rewind)) throw err;
        cur = await this.backtrack();
        // Out of restarts: keep what is still refused, unreduced (the report will say it is not 1-minimal).
        if (restarts >= 8) return cur;
      }
    }
  }

  /** Locate, pin and thin the trigger level by level, coarse to fine (all but the 1-minimality pass). */
  private async levels(start: Cand, p: number): Promise<Cand> {
    const model = this.models[p]!;
    let cur = start;
    let prevCuts = '';
    let located = false;
    let redone = -1;
    this.passSources.clear();
    const finest = model.levels.length - 1;
    for (let li = 0; li <= finest; li++) {
      const cuts = model.cuts(li, cur[p]!);
      const n = cuts.length - 1;
      const sig = cuts.join(',');
      // The finest level is searched only when nothing coarser was (a blob without lines or words).
      if (n <= 1 || (sig === prevCuts && redone !== li) || (li === finest && located)) continue;
      // A handful of units once a coarser level pinned the span: the next level finds the same ends for about the
      // same probes, so this level would only add its own.
      if (located && n <= 4 && li < finest) continue;
      this.phase = model.levels[li]!;
      const keep = (ranges: number[], base: Cand = cur, c: number[] = cuts) => {
        const pos: number[] = [];
        for (let k = 0; k < ranges.length; k += 2) {
          if (ranges[k]! < ranges[k + 1]!) pos.push(c[ranges[k]!]!, c[ranges[k + 1]!]!);
        }
        return base.map((r, i) => (i === p ? runsSelect(r, mergeRanges(pos)) : r));
      };
      this.levelAnswers = [];
      const { span: [s, e], scattered } = await this.locate(n, (a, b) => keep([a, b]), !located);
      if (s > 0 || e < n) {
        cur = keep([s, e]);
        this.accept(cur);
        await this.payRepeats(cur);
      }
      await this.checkpoint(cur);
      const inner = model.cuts(li, cur[p]!);
      const m = inner.length - 1;
      const base = cur;
      const without = (drop: Uint8Array) => {
        const ranges: number[] = [];
        for (let u = 0; u < m; u++) if (!drop[u]) ranges.push(u, u + 1);
        return keep(ranges, base, inner);
      };
      if (scattered) {
        // Separated fragments that no window holds: group testing over the whole span.
        cur = await this.deleteChunks(m, 0, m, without, false);
      } else if (m - 2 >= MIN_INTERIOR && li < finest) {
        // Separated fragments between the two proven ends: delete the interior by chunks.
        cur = await this.deleteChunks(m, 1, m - 1, without, true);
      } else if (m - 2 >= 2 && li < finest) {
        // A short span: one probe tells a gap between two fragments from a phrase (finer levels do the rest).
        const drop = new Uint8Array(m);
        drop.fill(1, 1, m - 1);
        const gapless = without(drop);
        if (await this.decide(gapless)) cur = gapless;
      }
      this.accept(cur);
      const stuck = n >= 8 && model.cuts(li, cur[p]!).length - 1 === n;
      if (stuck && redone !== li && (await this.audit())) {
        redone = li;
        li--;
        await this.checkpoint(cur);
        continue;
      }
      await this.checkpoint(cur);
      located = true;
      prevCuts = model.cuts(li, cur[p]!).join(',');
    }
    return cur;
  }

  /**
   * The smallest window [s, e) of units (found by descent, then pinned at both ends) that is still refused.
   * window(a, b) builds the candidate keeping units a..b-1 of the part (everything else unchanged).
   */
  private async locate(
    n: number,
    window: (a: number, b: number) => Cand,
    /** The whole part is searched (no coarser level pinned the span): a failed descent means separated fragments. */
    first: boolean,
  ): Promise<{ span: [number, number]; scattered: boolean }> {
    let w: [number, number] = [0, n];
    let confirmed: [number, number] = [0, n];
    let confirmedByDescent = false;
    let streak = 0;
    const overlap = 1;
    for (let round = 0; ; round++) {
      const len = w[1] - w[0];
      // Small spans go straight to the end searches, which need no more probes than a descent would; so do spans a
      // coarser level already pinned, where the trigger fills too much of the span for small windows to hold it.
      if (len <= 8 || (!first && n <= 64)) break;
      // Answers flip: every window of a descent would cost a sequential test; a probabilistic search for the
      // trigger's position spends about half of that per bit.
      if (this.noisy) {
        w = await this.noisyLocate(window, w[0], w[1], this.c);
        break;
      }
      // First round over a whole part with several slots: windows that cover everything, none assumed, so a trigger
      // that no window holds shows at once.
      const cover = first && round === 0 && this.c >= 2;
      const pieces = Math.min(this.c + (cover ? 0 : 1), Math.max(2, Math.floor(len / 2)));
      const bounds = Array.from({ length: pieces + 1 }, (_, j) => w[0] + Math.floor((j * len) / pieces));
      const wins = bounds.slice(0, pieces).map((b, j): [number, number] =>
        j === pieces - 1 ? [b, w[1]] : [b, Math.min(w[1], bounds[j + 1]! + overlap)],
      );
      if (wins.some(([a, b]) => b - a >= len)) break;
      const probed = cover ? wins : wins.slice(0, pieces - 1);
      const answers = await this.all(probed.map(([a, b]) => this.decide(window(a, b))));
      const hit = answers.indexOf(true);
      if (hit >= 0) {
        w = probed[hit]!;
        confirmed = w;
        confirmedByDescent = true;
        streak = 0;
        continue;
      }
      if (cover) break;
      // None of the probed windows holds the trigger: it is in the last one, or in no single window at all.
      w = wins[pieces - 1]!;
      streak++;
      if (streak >= 2) {
        if (await this.decide(window(w[0], w[1]))) {
          confirmed = w;
          confirmedByDescent = true;
          streak = 0;
        } else {
          w = confirmed;
          break;
        }
      }
    }
    if (w !== confirmed && !(await this.decide(window(w[0], w[1])))) w = confirmed;
    await this.settleOriginal();

    // No single window holds it and the span is still wide: separated fragments, left to group testing.
    if (first && w === confirmed && w[1] - w[0] > SCATTERED && !confirmedByDescent) return { span: w, scattered: true };

    const [a0, b0] = w;
    if (this.c >= 2 && b0 - a0 > 2) {
      // Both ends at once, half the slots each: more bits per round than one end at a time. [s, e) itself is not
      // probed: for a trigger made of parts that are all needed it is refused; the final verification checks.
      const [e, s] = await Promise.all([
        this.searchEnd(window, a0, b0, Math.ceil(this.c / 2)),
        this.searchStart(window, a0, b0, Math.floor(this.c / 2)),
      ]);
      if (s < e) return { span: [s, e], scattered: false };
    }
    // Shortest refused prefix of w, then shortest refused suffix of that.
    const e = await this.searchEnd(window, a0, b0, this.c);
    return { span: [await this.searchStart(window, a0, e, this.c), e], scattered: false };
  }

  /** Smallest e in (a0, b0] with units a0..e-1 refused ([a0, b0) is). */
  private async searchEnd(window: (a: number, b: number) => Cand, a0: number, b0: number, k: number): Promise<number> {
    const asked = new Map<number, Entry>();
    const ask = (x: number) => {
      const cand = window(a0, x);
      asked.set(x, this.entry(cand));
      return this.decide(cand);
    };
    let lo = a0;
    let hi = b0;
    while (hi - lo > 1) {
      // Noise seen: from here on, a probabilistic bisection over every answer gathered (the earlier ones included).
      if (this.noisy) return this.noisyBisect((x) => window(a0, x), asked, a0 + 1, b0, false, k);
      const pts = this.points(lo, hi, k);
      const answers = await this.all(pts.map(ask));
      const refusedAt = pts.filter((_, i) => answers[i]);
      if (refusedAt.length) {
        hi = Math.min(...refusedAt);
        lo = Math.max(lo, ...pts.filter((x, i) => !answers[i] && x < hi));
      } else lo = Math.max(...pts);
    }
    return hi;
  }

  /** Largest s in [a0, e) with units s..e-1 refused ([a0, e) is). */
  private async searchStart(window: (a: number, b: number) => Cand, a0: number, e: number, k: number): Promise<number> {
    const asked = new Map<number, Entry>();
    const ask = (x: number) => {
      const cand = window(x, e);
      asked.set(x, this.entry(cand));
      return this.decide(cand);
    };
    let lo = a0;
    let hi = e;
    while (hi - lo > 1) {
      if (this.noisy) return this.noisyBisect((x) => window(x, e), asked, a0, e - 1, true, k);
      const pts = this.points(lo, hi, k);
      const answers = await this.all(pts.map(ask));
      const refusedAt = pts.filter((_, i) => answers[i]);
      if (refusedAt.length) lo = Math.max(...refusedAt);
      const passedAbove = pts.filter((x, i) => !answers[i] && x > lo);
      hi = passedAbove.length ? Math.min(...passedAbove) : hi;
      if (!refusedAt.length && !passedAbove.length) break;
    }
    return lo;
  }

  /**
   * Probabilistic bisection of one boundary h in [hlo, hhi] once the oracle is known to flip: a posterior over h from
   * every answer count (each answer is wrong with the estimated flip rate), probes at its quantiles (the median with
   * one slot), one fresh answer per probe, until one h holds all but BOUNDARY_ERROR of the mass. A probe at x is
   * cand(x); start (refusedAbove): refused iff h >= x; end: refused iff h <= x, i.e. iff h < x + 1. A boundary is
   * only where the search goes next: the candidate it leads to is confirmed by a sequential test (checkpoint).
   */
  private async noisyBisect(
    cand: (x: number) => Cand,
    asked: Map<number, Entry>,
    hlo: number,
    hhi: number,
    refusedAbove: boolean,
    k: number,
  ): Promise<number> {
    // The cut a probe at x makes: h >= cut on one side, h < cut on the other.
    const cutOf = (x: number) => (refusedAbove ? x : x + 1);
    const xOf = (c: number) => (refusedAbove ? c : c - 1);
    const most = 12 + 6 * Math.ceil(Math.log2(hhi - hlo + 2));
    for (let spent = 0; ; ) {
      const p = this.flipRate();
      const lp = Math.log(p);
      const lq = Math.log(1 - p);
      const probes = [...asked.entries()]
        .map(([x, e]) => ({ c: cutOf(x), e }))
        .filter(({ c, e }) => c > hlo && c <= hhi && e.refused + e.passed > 0)
        .sort((u, v) => u.c - v.c);
      // Segments [L, R] between cuts: the likelihood is flat inside each.
      const segs: { L: number; R: number; ll: number }[] = [];
      for (let j = 0; j <= probes.length; j++) {
        const L = j === 0 ? hlo : probes[j - 1]!.c;
        const R = j === probes.length ? hhi : probes[j]!.c - 1;
        let ll = 0;
        probes.forEach(({ e }, i) => {
          const above = i < j; // h >= this probe's cut
          const refusedPredicted = refusedAbove ? above : !above;
          ll += refusedPredicted ? e.refused * lq + e.passed * lp : e.refused * lp + e.passed * lq;
        });
        segs.push({ L, R, ll });
      }
      const top = Math.max(...segs.map((g) => g.ll));
      const w = segs.map((g) => (g.R - g.L + 1) * Math.exp(g.ll - top));
      const total = w.reduce((a, b) => a + b, 0);
      let map = 0;
      for (let j = 1; j < segs.length; j++) if (segs[j]!.ll > segs[map]!.ll) map = j;
      const best = segs[map]!;
      if ((best.L === best.R && w[map]! / total >= 1 - BOUNDARY_ERROR) || spent >= most) return best.L;
      // P(h < c) for a cut c in [hlo + 1, hhi].
      const below = (c: number) => {
        let m = 0;
        for (let j = 0; j < segs.length; j++) {
          const g = segs[j]!;
          if (c > g.R) m += w[j]!;
          else {
            if (c > g.L) m += (w[j]! * (c - g.L)) / (g.R - g.L + 1);
            break;
          }
        }
        return m / total;
      };
      const xs = new Set<number>();
      for (let q = 1; q <= Math.min(k, hhi - hlo); q++) {
        const t = q / (Math.min(k, hhi - hlo) + 1);
        let bestC = hlo + 1;
        let bestD = Infinity;
        let cum = 0;
        for (let j = 0; j < segs.length; j++) {
          const g = segs[j]!;
          const len = g.R - g.L + 1;
          const at = w[j]! > 0 ? g.L + ((t - cum / total) * total * len) / w[j]! : g.L;
          for (const c of [Math.floor(at), Math.ceil(at), g.L, g.R + 1]) {
            if (c <= hlo || c > hhi) continue;
            const d = Math.abs(below(c) - t);
            if (d < bestD - 1e-12) {
              bestD = d;
              bestC = c;
            }
          }
          cum += w[j]!;
        }
        xs.add(xOf(bestC));
      }
      const entries = [...xs].map((x) => {
        const e = this.entry(cand(x));
        asked.set(x, e);
        return e;
      }).filter((e) => !(e.cachedRepeat && e.refused + e.passed > 0));
      // Every probe wanted is answered from a cache: no new evidence can come, so the best guess it is.
      if (!entries.length) return best.L;
      spent += entries.length;
      await this.all(entries.map((e) => this.probe(e)));
    }
  }

  /**
   * The descent once the oracle is known to flip: a posterior over the unit t where the trigger sits (one unit, or
   * two with the window's one unit of overlap), windows between its quantiles (k at a time, each holding 1/(k+1) of
   * the mass), one fresh answer each, until 99.5% of the mass lies within 8 units. Returns that span (with its
   * overlap unit); locate then confirms it by a sequential test before the end searches run inside it.
   */
  private async noisyLocate(window: (a: number, b: number) => Cand, w0: number, w1: number, k: number): Promise<[number, number]> {
    const probes: { a: number; b: number; e: Entry }[] = [];
    const most = 12 + 6 * Math.ceil(Math.log2(w1 - w0 + 1));
    for (let spent = 0; ; ) {
      const p = this.flipRate();
      const lp = Math.log(p);
      const lq = Math.log(1 - p);
      const cuts = [...new Set(probes.flatMap(({ a, b }) => [a, b]).filter((c) => c > w0 && c < w1))].sort((x, y) => x - y);
      const segs = [w0, ...cuts].map((L, j) => {
        const R = j < cuts.length ? cuts[j]! - 1 : w1 - 1;
        let ll = 0;
        for (const { a, b, e } of probes) {
          const inside = a <= L && L < b;
          ll += inside ? e.refused * lq + e.passed * lp : e.refused * lp + e.passed * lq;
        }
        return { L, R, ll };
      });
      const top = Math.max(...segs.map((g) => g.ll));
      const wt = segs.map((g) => (g.R - g.L + 1) * Math.exp(g.ll - top));
      const total = wt.reduce((x, y) => x + y, 0);
      /** P(t < c). */
      const below = (c: number) => {
        let m = 0;
        for (let j = 0; j < segs.length; j++) {
          const g = segs[j]!;
          if (c > g.R) m += wt[j]!;
          else {
            if (c > g.L) m += (wt[j]! * (c - g.L)) / (g.R - g.L + 1);
            break;
          }
        }
        return m / total;
      };
      /** The cut c in [w0, w1] with P(t < c) nearest u. */
      const quantile = (u: number) => {
        let best = w0;
        let bestD = Infinity;
        let cum = 0;
        for (let j = 0; j < segs.length; j++) {
          const g = segs[j]!;
          const at = wt[j]! > 0 ? g.L + ((u * total - cum) * (g.R - g.L + 1)) / wt[j]! : g.L;
          for (const c of [Math.floor(at), Math.ceil(at), g.L, g.R + 1]) {
            if (!(c >= w0 && c <= w1)) continue;
            const d = Math.abs(below(c) - u);
            if (d < bestD - 1e-12) {
              bestD = d;
              best = c;
            }
          }
          cum += wt[j]!;
        }
        return best;
      };
      const lo = quantile(BOUNDARY_ERROR / 2);
      const hi = Math.max(lo + 1, quantile(1 - BOUNDARY_ERROR / 2));
      if (hi - lo <= 8 || spent >= most) return [lo, Math.min(w1, hi + 1)];
      // k windows of 1/(k+1) of the mass each, centred (both tails left out): each answer moves mass off both tails.
      const edges = Array.from({ length: k + 1 }, (_, j) => quantile((j + 0.5) / (k + 1)));
      const wins = new Map<string, { a: number; b: number }>();
      for (let j = 0; j < k; j++) {
        const a = edges[j]!;
        const b = Math.min(w1, Math.max(edges[j + 1]!, a + 1) + 1);
        if (b - a < w1 - w0) wins.set(`${a},${b}`, { a, b });
      }
      const fresh = [...wins.values()]
        .map(({ a, b }) => ({ a, b, e: this.entry(window(a, b)) }))
        .filter(({ e }) => !(e.cachedRepeat && e.refused + e.passed > 0));
      if (!fresh.length) return [lo, Math.min(w1, hi + 1)];
      for (const f of fresh) if (!probes.some((q) => q.e === f.e)) probes.push(f);
      spent += fresh.length;
      await this.all(fresh.map(({ e }) => this.probe(e)));
    }
  }

  /**
   * The flip rate estimated from inputs answered more than once (minority answers over answers), with a weak prior
   * of 1 in 10 worth ten answers: right after the first disagreement the raw ratio (1 of 3) would make every later
   * answer look nearly worthless. Kept in bounds; the sequential tests that confirm each step do not depend on it.
   */
  private flipRate(): number {
    let minority = 0;
    let answers = 0;
    for (const e of this.memo.values()) {
      if (e.refused + e.passed < 2) continue;
      minority += Math.min(e.refused, e.passed);
      answers += e.refused + e.passed;
    }
    return Math.min(0.3, Math.max(0.02, (minority + 1) / (answers + 10)));
  }

  /** Up to k evenly spaced points strictly inside (lo, hi): one round of a (k+1)-section search. */
  private points(lo: number, hi: number, most: number): number[] {
    const k = Math.min(most, hi - lo - 1);
    const pts = new Set<number>();
    for (let j = 1; j <= k; j++) pts.add(lo + Math.round((j * (hi - lo)) / (k + 1)));
    return [...pts].filter((x) => x > lo && x < hi).sort((x, y) => x - y);
  }

  /**
   * Breadth-first chunk deletion over units from..to-1 of a unit space: try to delete each chunk; chunks that are
   * needed are halved and tried again. build(drop) makes the candidate without the dropped units.
   */
  private async deleteChunks(n: number, from: number, to: number, build: (drop: Uint8Array) => Cand, wholeFirst: boolean): Promise<Cand> {
    if (this.c === 1 && this.monotone && !this.noisy) return this.splitChunks(n, from, to, build, wholeFirst);
    const drop = new Uint8Array(n);
    const queue: [number, number][] = [];
    // Start with the whole range, or (when the whole cannot go) with one chunk per slot, at least two.
    const first = wholeFirst ? 1 : Math.max(2, this.c);
    for (let j = 0; j < first; j++) {
      const a = from + Math.floor((j * (to - from)) / first);
      const b = from + Math.floor(((j + 1) * (to - from)) / first);
      if (b > a) queue.push([a, b]);
    }
    const without = (chunks: [number, number][]) => {
      const d = drop.slice();
      for (const [a, b] of chunks) d.fill(1, a, b);
      return build(d);
    };
    // Deletions that succeeded side by side in one round are kept optimistically; their union is probed in the
    // next round, beside the next chunks (a slot, not a round), and undone if it does not hold.
    let optimistic: [number, number][] | undefined;
    const suspect = { since: this.probesIssued, deleted: 0 };
    while (queue.length || optimistic) {
      await this.suspectBase(() => build(drop), drop, suspect);
      const merged = optimistic;
      const batch = queue.splice(0, this.c - (merged ? 1 : 0));
      const [mergeOk, ...answers] = await this.all([
        merged ? this.decide(build(drop)) : Promise.resolve(true),
        ...batch.map((ch) => this.decide(without([ch]))),
      ]);
      optimistic = undefined;
      // Nothing could go this round while answers are noisy: make sure the base itself is still refused, or a flip
      // would have us split every chunk of a candidate that no longer triggers.
      if (this.noisy && mergeOk && !answers.some(Boolean) && !(await this.reconfirm(build(drop)))) throw new Rewind();
      if (!mergeOk) {
        for (const [a, b] of merged!) drop.fill(0, a, b);
        queue.unshift(...merged!, ...batch);
        continue;
      }
      const deletable = batch.filter((_, i) => answers[i]);
      for (const [a, b] of deletable) drop.fill(1, a, b);
      // The first deletion was proven on the current base; the others only each on their own.
      if (deletable.length > 1) optimistic = deletable.slice(1);
      const needed = batch.filter(([a, b], i) => !answers[i] && b - a > 1);
      // Split needed chunks finer when that keeps every slot busy (never finer than halves with one slot).
      const pieces = Math.max(2, Math.ceil(this.c / Math.max(1, needed.length)));
      for (const [a, b] of needed) {
        const k = Math.min(pieces, b - a);
        for (let j = 0; j < k; j++) queue.push([a + Math.floor((j * (b - a)) / k), a + Math.floor(((j + 1) * (b - a)) / k)]);
      }
    }
    return build(drop);
  }

  /**
   * Group testing that let nothing go for SUSPECT probes, with no noise seen yet: ask the candidate it stands on once
   * more. A flipped "refused" (on the base, or on a deletion that took the trigger away) would otherwise have every
   * later deletion pass and the rest taken apart unit by unit, for hundreds of probes; a different answer switches to
   * noisy mode, where a candidate that is not refused is rewound.
   */
  private async suspectBase(current: () => Cand, drop: Uint8Array, state: { since: number; deleted: number }): Promise<void> {
    if (this.noisy) return;
    let deleted = 0;
    for (const d of drop) deleted += d;
    if (deleted !== state.deleted) {
      state.deleted = deleted;
      state.since = this.probesIssued;
      return;
    }
    if (this.probesIssued - state.since < SUSPECT) return;
    state.since = this.probesIssued;
    const base = current();
    const e = this.entry(base);
    if (e.cachedRepeat || e.refused === 0 || e.passed > 0) return;
    await this.probe(e);
    if (this.noisy && !(await this.decide(base))) throw new Rewind();
  }

  /**
   * Group testing one probe at a time (binary splitting, after Hwang): a needed chunk is split in halves and the left
   * half is tried; if the left half is needed too, the right half is assumed deletable rather than probed, and the
   * assumption is confirmed by the next probe that comes back refused (a subset of the assumed candidate), or by one
   * probe of its own as soon as an answer leaves it in doubt. About 1.25 probes per halving instead of 1.5.
   */
  private async splitChunks(n: number, from: number, to: number, build: (drop: Uint8Array) => Cand, wholeFirst: boolean): Promise<Cand> {
    const drop = new Uint8Array(n);
    /** Pairs of halves of a needed chunk (the second alone when the first went), or a chunk to try whole. */
    const queue: { left: [number, number]; right?: [number, number] }[] = [];
    const half = ([a, b]: [number, number]) => {
      const mid = a + Math.floor((b - a) / 2);
      if (b - a > 1) queue.push({ left: [a, mid], right: [mid, b] });
    };
    if (wholeFirst) queue.push({ left: [from, to] });
    else half([from, to]);
    let unproven: [number, number][] = [];
    const without = ([a, b]: [number, number]) => {
      const d = drop.slice();
      d.fill(1, a, b);
      return build(d);
    };
    /** Settle the assumed deletions: true if they hold; otherwise they are undone and put back to be tried. */
    const settle = async (): Promise<boolean> => {
      if (!unproven.length) return true;
      if (await this.decide(build(drop))) {
        unproven = [];
        return true;
      }
      for (const [a, b] of unproven) {
        drop.fill(0, a, b);
        queue.unshift({ left: [a, b] });
      }
      unproven = [];
      return false;
    };
    const suspect = { since: this.probesIssued, deleted: 0 };
    while (queue.length || unproven.length) {
      if (!unproven.length) await this.suspectBase(() => build(drop), drop, suspect);
      const item = queue.shift();
      if (!item) {
        await settle();
        continue;
      }
      const chunk = item.left;
      if (await this.decide(without(chunk))) {
        drop.fill(1, chunk[0], chunk[1]);
        unproven = []; // a refused subset of the assumed candidate proves it
        // The pair's parent was needed and its left half went: the right half is needed (monotone), no probe.
        if (item.right) half(item.right);
        continue;
      }
      // The chunk looks needed; if assumptions are pending, that answer is only good once they hold.
      if (!(await settle())) {
        queue.unshift(item);
        continue;
      }
      if (item.right) {
        // Both halves of a needed chunk cannot be told apart yet: assume the right one can go.
        drop.fill(1, item.right[0], item.right[1]);
        unproven.push(item.right);
      }
      half(chunk);
    }
    return build(drop);
  }

  /**
   * Remove single units at the finest level until none can go: the candidate is then 1-minimal, checked by real
   * probes (no inference here, so a non-monotone oracle cannot fake it). With no noise seen, every removal is sent at
   * once (the semaphore keeps c in flight) and, for the last part, the verification goes out with them.
   */
  private async oneMinimal(start: Cand, p: number, level: number, last: boolean): Promise<Cand> {
    const model = this.models[p]!;
    let cur = start;
    await this.settleOriginal();
    await this.checkpoint(cur);
    if (last && !this.noisy) {
      const result = this.verify(start);
      result.catch(() => undefined); // awaited in run(); a stop is seen there
      this.pendingVerify = { key: this.key(start), result };
    }
    // A long span here means a coarser level could not pin it (a flip, or a trigger of many scattered characters):
    // chunks first, so the single-unit pass below stays linear.
    let units = model.cuts(level, cur[p]!).length - 1;
    // A long span left for this pass is a warning sign (see audit): check the answers inference used first.
    if (units > LONG_SPAN && (await this.audit())) {
      await this.checkpoint(cur);
      cur = await this.levels(cur, p);
      units = model.cuts(level, cur[p]!).length - 1;
    }
    if (units > LONG_SPAN) {
      const cuts = model.cuts(level, cur[p]!);
      const base = cur;
      cur = await this.deleteChunks(units, 0, units, (drop) => {
        const pos: number[] = [];
        for (let u = 0; u < units; u++) if (!drop[u]) pos.push(cuts[u]!, cuts[u + 1]!);
        return base.map((r, i) => (i === p ? runsSelect(r, mergeRanges(pos)) : r));
      }, false);
      this.accept(cur);
    }
    for (let pass = 0; pass < 50; pass++) {
      let deleted = false;
      const noisyAtStart = this.noisy;
      let u = 0;
      for (;;) {
        const cuts = model.cuts(level, cur[p]!);
        const n = cuts.length - 1;
        if (u >= n) break;
        // Everything at once while nothing has gone (the usual case: a pinned trigger); c at a time after a deletion,
        // since the answers still out were asked about the larger candidate.
        // Noisy and a unit already went: one at a time (the sequential test fills the slots with repeats), since every
        // further candidate of a batch that held a deletion costs a full sequential test for nothing.
        const width = !this.noisy && this.monotone && !deleted ? n - u : this.noisy && deleted ? 1 : Math.min(this.c, n - u);
        const batch = Array.from({ length: width }, (_, j) => u + j);
        const cands = batch.map((k) => cur.map((r, i) => (i === p ? runsSelect(r, mergeRanges([0, cuts[k]!, cuts[k + 1]!, cuts[n]!])) : r)));
        // Once a unit went, the span holds deletable units after all: the full "passes" lead again.
        const answers = await this.all(
          cands.map((c) =>
            // Noisy: a superset decided "passes" settles it (monotone), as the final check would.
            this.noisy && this.monotone && this.impliedPasses(c) ? Promise.resolve(false) : this.decide(c, false, deleted ? MARGIN : UNIT_MARGIN),
          ),
        );
        const hit = answers.indexOf(true);
        if (hit >= 0) {
          cur = cands[hit]!;
          this.accept(cur);
          deleted = true;
          u = batch[hit]!;
        } else u += batch.length;
      }
      // Monotone (noisy or not): units that were needed before a deletion are still needed after it. But when noise
      // showed up during the pass, its first answers were single ones taken at face value: one more pass.
      if ((!deleted || this.monotone) && (noisyAtStart || !this.noisy)) break;
    }
    return cur;
  }

  /** Verification of the result (fresh probes) and a control: the result with one unit removed. */
  private async verify(cand: Cand): Promise<{ ok: boolean; verification: { refused: number; of: number } }> {
    const e = this.entry(cand);
    const runs = Math.max(1, this.options.verifyRuns ?? 5);
    const before = { refused: e.refused, passed: e.passed };
    const answers = await this.all(Array.from({ length: runs }, () => this.probe(e)));
    const refused = answers.filter(Boolean).length;
    const verification = { refused, of: runs };
    if (refused === runs && !this.noisy) return { ok: true, verification };
    if (refused > 0 && refused < runs) this.noisy = true;
    if (refused === 0 && !this.noisy) {
      if (before.refused > 0) this.noisy = true;
      else this.monotone = false; // refused only by inference: the oracle is not monotone
    }
    if (this.noisy) return { ok: refused * 2 > runs && (await this.decide(cand)), verification };
    return { ok: false, verification };
  }

  /** After a failed verification: rewind the history to its last candidate that is still refused. */
  private async backtrack(): Promise<Cand> {
    this.phase = 'backtrack';
    const h = this.history;
    let lo = 0;
    let hi = h.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (await this.decide(h[mid]!)) lo = mid;
      else hi = mid;
    }
    this.history = h.slice(0, lo + 1);
    if (lo === 0 && !(await this.decide(h[0]!))) throw new NotRefused();
    return h[lo]!;
  }

  private async finalChecks(cand: Cand, verified: boolean): Promise<Pick<ReduceOutcome, 'oneMinimal' | 'control'>> {
    // 1-minimal: every single-unit removal at the finest level passes, as decided (probed or implied) above.
    let oneMinimal = verified;
    let control: ReduceOutcome['control'];
    for (const [p, runs] of cand.entries()) {
      if (!runs.length) continue;
      const model = this.models[p]!;
      const cuts = model.cuts(model.levels.length - 1, runs);
      const n = cuts.length - 1;
      for (let k = 0; k < n && oneMinimal; k++) {
        const c = cand.map((r, i) => (i === p ? runsSelect(r, mergeRanges([0, cuts[k]!, cuts[k + 1]!, cuts[n]!])) : r));
        // Noisy: a superset decided "passes" (by the unit margin) implies it, as the 1-minimality pass assumed.
        if (this.noisy && this.monotone && this.impliedPasses(c)) continue;
        if (await this.decide(c, true, UNIT_MARGIN)) oneMinimal = false;
      }
      if (!control && n > 0) {
        // The control is a real probe of the trigger with its middle unit removed (never only an inference).
        const k = n >> 1;
        const c = cand.map((r, i) => (i === p ? runsSelect(r, mergeRanges([0, cuts[k]!, cuts[k + 1]!, cuts[n]!])) : r));
        const e = this.entry(c);
        const want = this.noisy ? 3 : 1;
        while (e.refused + e.passed < want && !e.cachedRepeat) await this.probe(e);
        control = { removed: model.text(runsSelect(runs, [cuts[k]!, cuts[k + 1]!])), passed: e.passed, of: e.passed + e.refused };
      }
    }
    return { oneMinimal, control };
  }

  // ---------------------------------------------------------------- probing

  /**
   * The smallest candidate observed refused, for a stop. Once noise has been seen one refusal is not enough: it must
   * lead by the sequential test's margin (otherwise the original, which was confirmed, is the best so far).
   */
  private bestSoFar(): Cand {
    const lead = this.noisy ? REFUSED_MARGIN : 1;
    let best: Entry | undefined;
    for (const e of this.memo.values()) {
      if (e.refused - e.passed >= lead && e.bytes !== undefined && (!best || e.bytes < best.bytes!)) best = e;
    }
    return best?.cand ?? this.original;
  }

  /** A candidate answered "passes" by at least the unit margin contains this one (monotone: this one passes too). */
  private impliedPasses(cand: Cand): boolean {
    for (const o of this.memo.values()) {
      if (o.passed - o.refused >= UNIT_MARGIN && cand.every((r, i) => runsSubset(r, o.cand[i] ?? []))) return true;
    }
    return false;
  }

  /** Answers that disagreed with the majority for their input: flips seen (a lower bound on the flips that happened). */
  private flips(): number {
    let n = 0;
    for (const e of this.memo.values()) n += Math.min(e.refused, e.passed);
    return n;
  }

  private accept(cand: Cand): void {
    const last = this.history[this.history.length - 1];
    if (!last || this.key(last) !== this.key(cand)) this.history.push(cand);
  }

  private key(cand: Cand): string {
    return cand.map(runsKey).join('|');
  }

  private entry(cand: Cand): Entry {
    const key = this.key(cand);
    let e = this.memo.get(key);
    if (!e) {
      e = { key, cand, refused: 0, passed: 0, issued: 0, cachedRepeat: false };
      this.memo.set(key, e);
    }
    return e;
  }

  /** Is the candidate refused? Memo, then monotone inference, then the oracle (a sequential test once noisy). */
  private decide(cand: Cand, infer = true, passMargin = MARGIN): Promise<boolean> {
    const e = this.entry(cand);
    const running = this.pending.get(e.key);
    if (running) return running;
    const p = this.decideEntry(e, infer, passMargin).finally(() => this.pending.delete(e.key));
    this.pending.set(e.key, p);
    return p;
  }

  private async decideEntry(e: Entry, infer: boolean, passMargin: number): Promise<boolean> {
    if (!this.noisy) {
      if (e.refused + e.passed > 0) {
        if (e.refused > 0 && e.passed > 0) this.noisy = true;
        else return e.refused > 0;
      } else {
        if (this.monotone && infer) {
          const inferred = this.infer(e.cand);
          if (inferred !== undefined) return inferred;
        }
        const answer = await this.probe(e);
        if (!this.noisy) return answer;
      }
    }
    for (;;) {
      const lead = e.refused - e.passed;
      if (lead >= REFUSED_MARGIN) return true;
      if (lead <= -passMargin) return false;
      const answers = e.refused + e.passed;
      // Out of answers, a near tie keeps the content (a wrong "passes" only costs minimality, a wrong "refused" costs
      // correctness): 6 refused of 11 is odds of 9:1 at a 10% flip rate, far short of the margin's 6561:1.
      if (answers >= MAX_ANSWERS) return lead > 1;
      if (e.cachedRepeat) return lead > 0;
      // As many repeats at once as the nearer margin needs: never more than a one-at-a-time test would send.
      const need = Math.min(REFUSED_MARGIN - lead, passMargin + lead, MAX_ANSWERS - answers);
      await this.all(Array.from({ length: Math.max(1, need) }, () => this.probe(e)));
    }
  }

  /** One more answer for a candidate already decided refused, then the sequential test again (noisy mode). */
  private async reconfirm(cand: Cand): Promise<boolean> {
    const e = this.entry(cand);
    if (e.refused + e.passed < MAX_ANSWERS && !e.cachedRepeat) await this.probe(e);
    return this.decide(cand);
  }

  private infer(cand: Cand): boolean | undefined {
    const subset = (a: Cand, b: Cand) => a.every((r, i) => runsSubset(r, b[i] ?? []));
    for (const o of this.observedPassed) {
      if (subset(cand, o.cand)) {
        this.passSources.add(o);
        return false;
      }
    }
    for (const o of this.observedRefused) if (subset(o.cand, cand)) return true;
    return undefined;
  }

  private async acquire(): Promise<void> {
    if (this.inFlight < this.c) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.inFlight--;
  }

  /** One real oracle call for this candidate (a repeat when it was probed before). */
  private async probe(e: Entry): Promise<boolean> {
    // Render before taking a slot, so probes of one round leave together.
    if (!e.input) {
      const parts = await Promise.all(e.cand.map((r, i) => (r.length ? this.models[i]!.render(r) : undefined)));
      e.input = { ...this.input, parts: parts.filter((x) => x !== undefined) };
      e.bytes = inputBytes(e.input);
    }
    await this.acquire();
    try {
      if (this.halted !== undefined) throw this.halted;
      if (this.options.signal?.aborted) throw new Stop('cancelled');
      const attempt = e.issued++;
      this.probesIssued++;
      if (attempt > 0) this.repeats++;
      const req: RepeatedProbeInput = attempt > 0 ? { ...e.input, attempt } : e.input;
      let verdict;
      const call = this.oracle.probe(req, this.options.signal);
      this.calls.add(call);
      try {
        verdict = await call;
      } catch (err) {
        const reason =
          err instanceof OracleError && (err.kind === 'budget' || err.kind === 'cancelled')
            ? new Stop(err.kind === 'budget' ? `budget reached: ${err.message}` : 'cancelled')
            : this.options.signal?.aborted
              ? new Stop('cancelled')
              : err;
        this.halted ??= reason;
        throw reason;
      } finally {
        this.calls.delete(call);
      }
      if (attempt > 0 && verdict.cached) e.cachedRepeat = true;
      if (verdict.refused) this.originalPending = false;
      if ((verdict.refused && e.passed > 0) || (!verdict.refused && e.refused > 0)) this.noisy = true;
      if (verdict.refused) e.refused++;
      else e.passed++;
      if (e.refused + e.passed === 1) {
        (verdict.refused ? this.observedRefused : this.observedPassed).push(e);
        this.levelAnswers.push(e);
      }
      if (e === this.memo.get(this.key(this.original))) this.originalBytes = e.bytes ?? 0;
      if (e.refused > e.passed && (!this.best || (e.bytes ?? 0) < (this.best.bytes ?? 0) || this.best.refused <= this.best.passed)) {
        this.best = e;
      }
      this.emit();
      return verdict.refused;
    } finally {
      this.release();
    }
  }

  /** Await all, but let every probe settle first so a stop never leaves a rejection unobserved. */
  private async all<T>(promises: Promise<T>[]): Promise<T[]> {
    const settled = await Promise.allSettled(promises);
    const stop = settled.find((s) => s.status === 'rejected' && s.reason instanceof Stop);
    const failure = stop ?? settled.find((s) => s.status === 'rejected');
    if (failure && failure.status === 'rejected') throw failure.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
  }

  private emit(): void {
    const best = this.best?.input ?? this.input;
    this.options.onProgress?.({
      phase: this.phase,
      probes: this.probesIssued,
      currentSize: this.best?.bytes ?? this.originalBytes,
      originalSize: this.originalBytes,
      best,
    });
  }

  private outcome(status: ReduceOutcome['status'], cand: Cand): ReduceOutcome {
    const e = this.entry(cand);
    const minimal: ProbeInput = e.input ?? { ...this.input, parts: this.input.parts.filter((_, i) => cand[i]!.length) };
    const parts: BisectPartSummary[] = this.input.parts.map((part, index) => ({
      index,
      kind: part.kind,
      ...(part.toolName ? { toolName: part.toolName } : {}),
      ...(part.filePath ? { filePath: part.filePath } : {}),
      ...(part.fileName ? { fileName: part.fileName } : {}),
      size: part.bytes ? part.bytes.byteLength : textEncoder.encode(part.text).byteLength,
      needed: cand[index]!.length > 0,
      minimal: cand[index]!.length ? this.models[index]!.text(cand[index]!) : '',
      // The kept atoms, so redaction can follow secrets from the original into the minimal text.
      ...(cand[index]!.length ? { kept: [...cand[index]!] } : {}),
    }));
    return {
      status,
      minimal,
      parts,
      oneMinimal: false,
      verification: { refused: e.refused, of: e.refused + e.passed },
      flipsSeen: this.flips(),
      repeats: this.repeats,
      probesIssued: this.probesIssued,
    };
  }
}

/** Sorted position ranges with empty ones dropped and touching ones merged. */
function mergeRanges(r: number[]): number[] {
  const out: number[] = [];
  for (let k = 0; k < r.length; k += 2) {
    const a = r[k]!;
    const b = r[k + 1]!;
    if (b <= a) continue;
    if (out.length && out[out.length - 1] === a) out[out.length - 1] = b;
    else out.push(a, b);
  }
  return out;
}


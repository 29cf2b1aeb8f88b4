/**
 * The tester: how a reduction asks about candidates (picire's "tester" over its outcome cache). decide() answers from
 * the evidence (memo, then monotone inference) before it probes, and once the oracle is noisy runs a sequential test;
 * probe() renders a candidate, takes a slot from the scheduler, calls the oracle, records the answer and reports
 * progress. It also keeps the run's checks on its own answers: the original's refusal (shown by a refused window, or
 * probed), the noise estimate's repeats beside the search, the checkpoint after each step and the audit of the
 * answers inference leaned on, and the history of kept candidates a rewind goes back through.
 */
import { OracleError, type Oracle, type ProbeInput } from '../probe/oracle/types';
import { candKey, type Cand } from './candidate';
import { Evidence, MARGIN, MAX_ANSWERS, type Entry } from './evidence';
import type { PartModel } from './model';
import { Rewind, type PassContext } from './passes/context';
import type { ReduceOptions } from './result';
import { Phases, Scheduler, Stop, settleAll } from './scheduler';

/**
 * A repeated probe of the same input carries its attempt number, so a caching wrapper can tell a deliberate repeat
 * (which must reach the oracle) from a re-run of the same probe (which must not).
 */
export type RepeatedProbeInput = ProbeInput & { attempt?: number };

/** The original input is not refused after all: nothing to reduce. */
export class NotRefused extends Error {}

const textEncoder = new TextEncoder();
function inputBytes(input: ProbeInput): number {
  let n = 0;
  for (const p of input.parts) n += p.bytes ? p.bytes.byteLength : textEncoder.encode(p.text).byteLength;
  return n;
}

/**
 * Probes a round the searches use by default. The k-th probe of a (k+1)-section round buys log2((k+1)/k) bits: 0.22
 * for the 6th, 0.19 for the 7th, under a fifth of what a probe buys one at a time; the slots beyond are left to the
 * probes every run needs (1-minimality, verification). bench:reduce's width table, one phrase in 200 KB at 8 in
 * flight: 71 probes in 11 rounds at width 8, 64 in 11 at width 6, 62 in 12 at width 5.
 */
export const SEARCH_WIDTH = 6;

export class Tester implements PassContext {
  readonly evidence = new Evidence();
  readonly scheduler: Scheduler;
  readonly phases = new Phases('confirm');
  readonly original: Cand;
  /** Candidates kept so far, in order (accept); a rewind goes back to the last one still refused. */
  history: Cand[] = [];
  probesIssued = 0;
  repeats = 0;
  private originalBytes = 0;
  /** Single part: the original's refusal is still to be shown (by a refused subset, or by probing it). */
  private originalPending = false;
  /** Repeats still owed to the noise estimate (taken on the first located span). */
  private repeatsDue = 0;
  /** Sequential tests under way, so two passes asking about one candidate share one test. */
  private readonly pending = new Map<string, Promise<boolean>>();

  constructor(
    private readonly input: ProbeInput,
    private readonly oracle: Oracle,
    private readonly options: ReduceOptions,
    readonly models: readonly PartModel[],
  ) {
    this.scheduler = new Scheduler(options.concurrency);
    this.original = models.map((m) => (m.atomCount > 0 ? [0, m.atomCount] : []));
    this.evidence.entry(this.original);
  }

  get slots(): number {
    return this.scheduler.limit;
  }

  get searchWidth(): number {
    return Math.min(this.slots, Math.max(1, Math.floor(this.options.searchWidth ?? SEARCH_WIDTH)));
  }

  /** Times the original is probed to confirm it (multi-part), or repeated to estimate noise (single part). */
  get confirmRuns(): number {
    return Math.max(1, this.options.confirmRuns ?? 3);
  }

  /**
   * Single part: the original is not probed up front (a refused window proves it refused); the confirmRuns - 1
   * repeats that measure flips go to the first located span instead. Multi-part: the original is probed whole
   * confirmRuns times; false when it is not refused.
   */
  async start(): Promise<boolean> {
    if (this.original.filter((r) => r.length).length === 1) {
      this.originalPending = true;
      this.repeatsDue = this.confirmRuns - 1;
      return true;
    }
    return this.confirmOriginal();
  }

  entry(cand: Cand): Entry {
    return this.evidence.entry(cand);
  }

  all<T>(promises: Promise<T>[]): Promise<T[]> {
    return settleAll(promises);
  }

  accept(cand: Cand): void {
    const last = this.history[this.history.length - 1];
    if (!last || candKey(last) !== candKey(cand)) this.history.push(cand);
  }

  decide(cand: Cand, infer = true, passMargin = MARGIN): Promise<boolean> {
    const e = this.entry(cand);
    const running = this.pending.get(e.key);
    if (running) return running;
    const p = this.decideEntry(e, infer, passMargin).finally(() => this.pending.delete(e.key));
    this.pending.set(e.key, p);
    return p;
  }

  private async decideEntry(e: Entry, infer: boolean, passMargin: number): Promise<boolean> {
    const ev = this.evidence;
    if (!ev.noisy) {
      if (e.refused + e.passed > 0) {
        if (e.refused > 0 && e.passed > 0) ev.noisy = true;
        else return e.refused > 0;
      } else {
        if (ev.monotone && infer) {
          const inferred = ev.infer(e.cand);
          if (inferred !== undefined) return inferred;
        }
        const answer = await this.probe(e);
        if (!ev.noisy) return answer;
      }
    }
    for (;;) {
      const standing = ev.standing(e, passMargin);
      if ('decided' in standing) return standing.decided;
      await this.all(Array.from({ length: standing.more }, () => this.probe(e)));
    }
  }

  async reconfirm(cand: Cand): Promise<boolean> {
    const e = this.entry(cand);
    if (e.refused + e.passed < MAX_ANSWERS && !e.cachedRepeat) await this.probe(e);
    return this.decide(cand);
  }

  async probe(e: Entry): Promise<boolean> {
    // The phase this probe belongs to is the one it was asked in, whatever runs when it answers.
    const phase = this.phases.current;
    // Render before taking a slot, so probes of one round leave together.
    if (!e.input) {
      const parts = await Promise.all(e.cand.map((r, i) => (r.length ? this.models[i]!.render(r) : undefined)));
      e.input = { ...this.input, parts: parts.filter((x) => x !== undefined) };
      e.bytes = inputBytes(e.input);
    }
    const scheduler = this.scheduler;
    await scheduler.acquire();
    try {
      if (scheduler.halted !== undefined) throw scheduler.halted;
      if (this.options.signal?.aborted) throw new Stop('cancelled');
      const attempt = e.issued++;
      this.probesIssued++;
      if (attempt > 0) this.repeats++;
      const req: RepeatedProbeInput = attempt > 0 ? { ...e.input, attempt } : e.input;
      let verdict;
      const call = this.oracle.probe(req, this.options.signal);
      scheduler.onWire(call);
      try {
        verdict = await call;
      } catch (err) {
        const reason =
          err instanceof OracleError && (err.kind === 'budget' || err.kind === 'cancelled')
            ? new Stop(err.kind === 'budget' ? `budget reached: ${err.message}` : 'cancelled')
            : this.options.signal?.aborted
              ? new Stop('cancelled')
              : err;
        scheduler.halted ??= reason;
        throw reason;
      } finally {
        scheduler.offWire(call);
      }
      if (attempt > 0 && verdict.cached) e.cachedRepeat = true;
      if (verdict.refused) this.originalPending = false;
      this.evidence.record(e, verdict.refused);
      if (e === this.evidence.find(this.original)) this.originalBytes = e.bytes ?? 0;
      this.emit(phase);
      return verdict.refused;
    } finally {
      scheduler.release();
    }
  }

  /** Probe the original until confirmRuns answers are in: is it refused (by majority, or a sequential test)? */
  private async confirmOriginal(): Promise<boolean> {
    const e = this.entry(this.original);
    const missing = Math.max(0, this.confirmRuns - e.refused - e.passed);
    await this.all(Array.from({ length: missing }, () => this.probe(e)));
    this.originalPending = false;
    if (e.refused === 0) return false;
    if (e.passed > 0) return this.decide(this.original);
    return true;
  }

  /** Single part, after the first descent: if no window was refused, the original itself must be. */
  async settleOriginal(): Promise<void> {
    if (!this.originalPending) return;
    const e = this.entry(this.original);
    if (e.refused + e.passed === 0) await this.probe(e);
    if (!this.originalPending) return;
    this.repeatsDue = 0;
    if (!(await this.confirmOriginal())) throw new NotRefused();
  }

  /** The repeats owed to the noise estimate, on a (small) located candidate. */
  /** True when they went out (now beside the search). */
  async payRepeats(cand: Cand): Promise<boolean> {
    if (this.repeatsDue <= 0) return false;
    const e = this.entry(cand);
    const n = this.repeatsDue;
    this.repeatsDue = 0;
    // Beside the search, not before it: these answers only matter if they disagree (noise). They go out with the next
    // level's first round rather than in a round of their own: a search checks for noise before each of its rounds,
    // and every answer it took stays in the evidence a noisy search weighs (checkpoint({ leaveRepeats })).
    const work = this.phases.during('confirm', () => this.all(Array.from({ length: n }, () => this.probe(e))));
    this.scheduler.beside(
      work,
      () => {
        if (!this.evidence.noisy && e.refused === 0) this.evidence.monotone = false; // refused only by inference, then never: not monotone
      },
      { lingers: true },
    );
    return true;
  }

  /**
   * One flipped "passes" makes every subset of that candidate pass by inference, and a search can then go nowhere.
   * When a level could not shrink a wide span, ask again each answer that inference leaned on: a different answer
   * means noise, the same answers where a trigger should have shown mean the level is as small as it gets.
   * True when the oracle turned out noisy (the level is redone without inference).
   */
  async audit(): Promise<boolean> {
    const ev = this.evidence;
    const sources = [...ev.passSources].filter((e) => e.refused + e.passed === 1 && !e.cachedRepeat);
    ev.passSources.clear();
    if (!sources.length || ev.noisy) return false;
    await this.phases.during('audit', () => this.all(sources.map((e) => this.probe(e))));
    return ev.noisy;
  }

  /**
   * After each step of a level: once noise has been seen, the candidate kept so far must pass a sequential test; if
   * it does not, a flip led the search astray (Rewind: the history goes back to its last candidate still refused).
   */
  async checkpoint(cur: Cand, { leaveRepeats = false }: { leaveRepeats?: boolean } = {}): Promise<void> {
    const ev = this.evidence;
    await this.scheduler.drain({ leaveLingering: leaveRepeats });
    if (ev.noisy && !(await this.decide(cur))) throw new Rewind();
    // Refused only by inference, then never when asked (the noise estimate's repeats): either a rule that is not
    // monotone, or a flipped answer among those the level's search leaned on. Ask those again: a different answer
    // means noise (and this candidate, not refused, is left behind); the same answers mean not monotone.
    const e = this.entry(cur);
    if (!ev.noisy && e.refused === 0 && e.passed > 0) {
      const sources = ev.levelAnswers.filter((o) => o !== e && o.refused + o.passed === 1 && !o.cachedRepeat);
      ev.levelAnswers = [];
      await this.all(sources.map((o) => this.probe(o)));
      if (ev.noisy) {
        ev.monotone = true; // the contradiction was a flip, not the rule
        if (!(await this.decide(cur))) throw new Rewind();
      }
    }
  }

  private emit(phase: string): void {
    const best = this.evidence.best;
    this.options.onProgress?.({
      phase,
      probes: this.probesIssued,
      currentSize: best?.bytes ?? this.originalBytes,
      originalSize: this.originalBytes,
      best: best?.input ?? this.input,
    });
  }
}

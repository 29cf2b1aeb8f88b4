/**
 * The dual of the trigger: the smallest set of removals from the ORIGINAL input after which the whole input passes.
 *
 * Group testing for a hitting set. One trigger: removing it is enough. A count threshold ("refused when X appears 3
 * times", X 5 times in the file) or several independent triggers: removing one trigger leaves another, so
 *  1. cover: take out the seeds (the bisect's kept spans, aligned onto the original), probe what is left; while it is
 *     still refused, find the next trigger IN WHAT IS LEFT with the same reducer and take it out too;
 *  2. verify: the whole input minus the removals must pass k times out of k (fresh answers, k = 5 by default); a
 *     refusal among them sends the search back to step 1;
 *  3. shrink: put each removal back in turn (c at a time, as the reducer's 1-minimality pass) and keep it out only if
 *     the input is refused without it; then verify again. A shrunk set that fails its verification (a flipped
 *     "passes" let a needed removal go) is dropped for the verified set it came from, so what is reported has always
 *     passed k/k.
 * Answers come through the caller's oracle (normally the metering wrapper: cache, budget, concurrency), and repeats
 * of one input carry their attempt number, so the cache serves them as independent samples.
 */
import { OracleError, type Oracle, type ProbeInput, type ProbePart } from '../probe/oracle/types';
import type { ReduceFn } from '../bisect/run';
import { fragmentsOf, modelFor, type PartModel } from '../reduce/model';
import { reduce as defaultReduce } from '../reduce/reducer';
import { keptRuns, maskedText, normalise, removalKey, removalsFor, shownText, type Removal } from './spans';

export type { Removal } from './spans';

export interface PassSetOptions {
  /** The trigger's spans in the original (from the bisect result); absent: found with the reducer first. */
  seeds?: Removal[];
  /** Per-part minimal texts of a bisect of this input (BisectResult.parts[i].minimal), aligned into seeds. */
  minimal?: Array<{ index: number; minimal: string; minimalExact?: string; needed: boolean }>;
  /** Answers that the final input must pass (default 5). */
  verifyRuns?: number;
  /** Probes in flight (default 1). */
  concurrency?: number;
  signal?: AbortSignal;
  /** The reducer that finds the next trigger in what is left (default src/core/reduce/reducer.ts). */
  reduce?: ReduceFn;
  /**
   * Replace each removed span of a text part with this text instead of deleting it (e.g. "[removed]"); what is
   * probed is what would be written. Parts that are not text (a PDF's glyphs) are still removed.
   */
  mask?: string;
  /** Cover rounds (triggers found beyond the seeds) before giving up (default 12). */
  maxRounds?: number;
  onProgress?: (event: PassSetProgress) => void;
}

export interface PassSetProgress {
  /** "confirm", "cover", "reduce", "verify", "shrink". */
  phase: string;
  removals: number;
  removedAtoms: number;
}

export interface PassSetOutcome {
  /**
   * "passes": the input minus the removals passed verifyRuns of verifyRuns. "not-refused": the original itself is
   * not refused (nothing to do). "still-refused": no removal set that passes was found within the rounds.
   * "stopped": budget or cancellation (the best verified set so far, if any, is returned).
   */
  status: 'passes' | 'not-refused' | 'still-refused' | 'stopped';
  /** The removal set, sorted; atoms of the original's parts. */
  removals: Removal[];
  /** The removed content for people, one entry per removal (text as the part model shows it; line: 1-based, text parts). */
  removed: Array<{ part: number; text: string; line?: number }>;
  /** The last verification of `removals`: answers that passed of those asked. */
  verification: { passed: number; of: number };
  /** Every removal was checked to be needed (putting any one back is refused). */
  oneMinimal: boolean;
  /** Triggers found with the reducer beyond the seeds. */
  triggersFound: number;
  /** Oracle calls issued by the search (its own plus the reducer's). */
  probesIssued: number;
  /** The original input with the removals applied, as it was probed. */
  input: ProbeInput;
  /** Each part of the original after the removals, by the original's index (undefined: all of it removed). */
  partsAfter: Array<ProbePart | undefined>;
  /** Bytes taken out of the original (UTF-8 of text atoms; for a PDF, shown glyph bytes). */
  removedBytes: number;
  stoppedEarly?: string;
}

class Stop extends Error {}

export async function findPassSet(original: ProbeInput, oracle: Oracle, options: PassSetOptions = {}): Promise<PassSetOutcome> {
  const models = await Promise.all(original.parts.map((p) => modelFor(p)));
  return new PassSetSearch(original, oracle, options, models).run();
}

interface Answers {
  refused: number;
  passed: number;
  input?: ProbeInput;
}

class PassSetSearch {
  private readonly memo = new Map<string, Answers>();
  private readonly k: number;
  private readonly c: number;
  private probesIssued = 0;
  private triggersFound = 0;
  private phase = 'confirm';
  private verified: { removals: Removal[]; answers: Answers } | undefined;

  constructor(
    private readonly original: ProbeInput,
    private readonly oracle: Oracle,
    private readonly options: PassSetOptions,
    private readonly models: PartModel[],
  ) {
    this.k = Math.max(1, Math.floor(options.verifyRuns ?? 5));
    this.c = Math.max(1, Math.floor(options.concurrency ?? 1));
  }

  async run(): Promise<PassSetOutcome> {
    let removals: Removal[] = [];
    try {
      if (!(await this.originalRefused())) return this.outcome('not-refused', []);
      removals = normalise(this.options.seeds ?? this.seedsFromMinimal() ?? []);
      const maxRounds = this.options.maxRounds ?? 12;
      let covered = false;
      for (let round = 0; round <= maxRounds && !covered; round++) {
        this.phase = 'cover';
        this.emit(removals);
        // Still refused once (or never asked, with nothing removed yet): the next trigger in what is left goes too.
        if (removals.length === 0 || (await this.ask(removals)).refused > 0) {
          if (round === maxRounds) break;
          const next = await this.nextTrigger(removals);
          if (!next) break;
          removals = normalise([...removals, ...next]);
          continue;
        }
        this.phase = 'verify';
        covered = await this.verify(removals);
      }
      if (!covered) return this.outcome('still-refused', removals);

      this.phase = 'shrink';
      const shrunk = await this.shrink(removals);
      if (removalKey(shrunk.removals) !== removalKey(removals)) {
        this.phase = 'verify';
        if (!(await this.verify(shrunk.removals))) return this.outcome('passes', removals, false);
      }
      return this.outcome('passes', shrunk.removals, shrunk.oneMinimal);
    } catch (error) {
      if (!(error instanceof Stop)) throw error;
      const best = this.verified?.removals ?? removals;
      return { ...(await this.outcome(this.verified ? 'passes' : 'stopped', best)), status: 'stopped', stoppedEarly: error.message };
    }
  }

  /** The original must be refused: a refusal is the reliable answer (noise makes refused inputs pass, seldom the reverse). */
  private async originalRefused(): Promise<boolean> {
    for (let i = 0; i < 3; i++) {
      if ((await this.ask([], i + 1)).refused > 0) return true;
    }
    return false;
  }

  private seedsFromMinimal(): Removal[] | undefined {
    const minimal = this.options.minimal;
    if (!minimal) return undefined;
    const out: Removal[] = [];
    for (const m of minimal) {
      const model = this.models[m.index];
      if (!m.needed || !model || !m.minimal) continue;
      // The exact kept content, glued as sent: `minimal` is for reading (a visible gap between fragments).
      const found = removalsFor(m.index, model, [0, model.atomCount], m.minimalExact ?? m.minimal);
      // The result does not fit this input (it changed, or the result is of another one): found by the reducer instead.
      if (!found) return undefined;
      out.push(...found);
    }
    return out;
  }

  /** The reducer on what is left; its minimal trigger aligned back onto the original's atoms. */
  private async nextTrigger(removals: Removal[]): Promise<Removal[] | undefined> {
    this.phase = 'reduce';
    this.emit(removals);
    const kept = this.models.map((m, p) => keptRuns(m.atomCount, p, removals));
    const input = await this.render(removals);
    const rendered = await this.renderParts(removals);
    const live = rendered.map((r, p) => (r ? p : -1)).filter((p) => p >= 0);
    const reduce = this.options.reduce ?? defaultReduce;
    // The final verification is ours (on the whole input): one confirming and one verifying answer are enough here.
    const out = await reduce(input, this.oracle, { concurrency: this.c, signal: this.options.signal, confirmRuns: 1, verifyRuns: 1 })
      .catch((error: unknown) => {
        throw stopFor(error, this.options.signal);
      });
    this.probesIssued += out.probesIssued;
    if (out.status === 'stopped') throw new Stop(out.stoppedEarly ?? 'stopped');
    if (out.status === 'not-refused') return undefined;
    const next: Removal[] = [];
    // The reducer's minimal holds its needed parts in order: their rendered fragments are the exact kept content.
    const exact = out.minimal.parts.map((part) => fragmentsOf(part)?.map((f) => f.text).join(''));
    let neededIndex = 0;
    for (const summary of out.parts) {
      const p = live[summary.index];
      const exactText = summary.needed ? exact[neededIndex++] : undefined;
      if (p === undefined || !summary.needed) continue;
      const shown = this.masks(p) ? maskedText(this.original.parts[p]!.text, p, removals, this.options.mask!) : shownText(this.models[p]!, kept[p]!);
      const found = removalsFor(p, this.models[p]!, kept[p]!, exactText ?? summary.minimal, shown);
      if (!found) return undefined;
      next.push(...found);
    }
    // Nothing new (the trigger lies in a mask's own text): no removal set of this kind can clear it.
    if (next.length === 0 || removalKey([...removals, ...next]) === removalKey(removals)) return undefined;
    this.triggersFound++;
    return next;
  }

  /** Answers until `k` are in for this removal set; true when every one of them passed. */
  private async verify(removals: Removal[]): Promise<boolean> {
    const answers = await this.ask(removals, this.k);
    const ok = answers.refused === 0 && answers.passed >= this.k;
    if (ok) this.verified = { removals, answers };
    return ok;
  }

  /** Put each removal back in turn; keep it out only when the input is refused without it. */
  private async shrink(start: Removal[]): Promise<{ removals: Removal[]; oneMinimal: boolean }> {
    let cur = start;
    let u = 0;
    let dropped = false;
    while (u < cur.length) {
      this.emit(cur);
      // All at once while nothing has gone back (one round for a set that is already minimal); c at a time after.
      const width = dropped ? Math.min(this.c, cur.length - u) : cur.length - u;
      const batch = Array.from({ length: width }, (_, j) => u + j);
      const cands = batch.map((i) => cur.filter((_, j) => j !== i));
      const answers = await this.all(cands.map((c) => this.ask(c)));
      const hit = answers.findIndex((a) => a.refused === 0);
      if (hit >= 0) {
        cur = cands[hit]!;
        dropped = true;
        u = batch[hit]!;
      } else u += batch.length;
    }
    return { removals: cur, oneMinimal: true };
  }

  /** At least `want` answers for the original minus these removals (each repeat a fresh sample). */
  private async ask(removals: Removal[], want = 1): Promise<Answers> {
    const key = removalKey(removals);
    let a = this.memo.get(key);
    if (!a) {
      a = { refused: 0, passed: 0 };
      this.memo.set(key, a);
    }
    const entry = a;
    entry.input ??= await this.render(removals);
    const missing = want - entry.refused - entry.passed;
    if (missing <= 0) return entry;
    const first = entry.refused + entry.passed;
    await this.all(
      Array.from({ length: missing }, async (_, i) => {
        if (this.options.signal?.aborted) throw new Stop('cancelled');
        const attempt = first + i;
        this.probesIssued++;
        const input: ProbeInput = attempt > 0 ? { ...entry.input!, attempt } : entry.input!;
        const verdict = await this.oracle.probe(input, this.options.signal).catch((error: unknown) => {
          throw stopFor(error, this.options.signal);
        });
        if (verdict.refused) entry.refused++;
        else entry.passed++;
      }),
    );
    return entry;
  }

  private async render(removals: Removal[]): Promise<ProbeInput> {
    // Nothing removed: the original as given (a re-rendered PDF would differ in bytes, and miss the bisect's cached answers).
    if (removals.length === 0) return this.original;
    const { attempt: _attempt, ...rest } = this.original;
    return { ...rest, parts: (await this.renderParts(removals)).filter((p): p is ProbePart => p !== undefined) };
  }

  /** Whether removals from this part are masked (a text part, and a mask was asked for). */
  private masks(p: number): boolean {
    const part = this.original.parts[p]!;
    return this.options.mask !== undefined && !part.bytes && this.models[p]!.atomCount === part.text.length;
  }

  private async renderParts(removals: Removal[]): Promise<Array<ProbePart | undefined>> {
    return Promise.all(
      this.models.map(async (model, p) => {
        if (!removals.some((r) => r.part === p)) return this.original.parts[p];
        const part = this.original.parts[p]!;
        if (this.masks(p)) return { ...part, text: maskedText(part.text, p, removals, this.options.mask!).text };
        const kept = keptRuns(model.atomCount, p, removals);
        return kept.length ? model.render(kept) : undefined;
      }),
    );
  }

  /** Await all, letting every probe settle first so a stop never leaves a rejection unobserved. */
  private async all<T>(promises: Promise<T>[]): Promise<T[]> {
    const settled = await Promise.allSettled(promises);
    const failed = settled.find((s) => s.status === 'rejected' && s.reason instanceof Stop) ?? settled.find((s) => s.status === 'rejected');
    if (failed && failed.status === 'rejected') throw failed.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
  }

  private emit(removals: Removal[]): void {
    this.options.onProgress?.({ phase: this.phase, removals: removals.length, removedAtoms: removals.reduce((n, r) => n + r.end - r.start, 0) });
  }

  private async outcome(status: PassSetOutcome['status'], removals: Removal[], oneMinimal = false): Promise<PassSetOutcome> {
    const key = removalKey(removals);
    const answers = this.memo.get(key) ?? { refused: 0, passed: 0 };
    const input = answers.input ?? (await this.render(removals));
    const removed = removals.map((r) => {
      const part = this.original.parts[r.part]!;
      const text = this.models[r.part]!.text([r.start, r.end]);
      if (part.bytes) return { part: r.part, text };
      let line = 1;
      for (let i = part.text.indexOf('\n'); i >= 0 && i < r.start; i = part.text.indexOf('\n', i + 1)) line++;
      return { part: r.part, text, line };
    });
    return {
      status,
      removals,
      removed,
      verification: { passed: answers.passed, of: answers.passed + answers.refused },
      oneMinimal: status === 'passes' && oneMinimal,
      triggersFound: this.triggersFound,
      probesIssued: this.probesIssued,
      input,
      partsAfter: await this.renderParts(removals),
      removedBytes: removed.reduce((n, r) => n + Buffer.byteLength(r.text, 'utf8'), 0),
    };
  }
}

/** Budget and cancellation end the search with what it has; every other failure is the caller's to report. */
function stopFor(error: unknown, signal?: AbortSignal): unknown {
  if (error instanceof OracleError && error.kind === 'budget') return new Stop(`budget reached: ${error.message}`);
  if ((error instanceof OracleError && error.kind === 'cancelled') || signal?.aborted) return new Stop('cancelled');
  return error;
}

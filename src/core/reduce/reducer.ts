/**
 * The reduction algorithm: from a refused request to a minimal content that is still refused, with few probes.
 *
 * Coarse to fine. Request parts first (adaptive group testing over the parts). Then, inside each needed part, level
 * by level (paragraphs -> lines -> sentences -> words -> characters; JSON members; code blocks; PDF pages -> text
 * blocks -> operators -> words -> glyphs):
 *  1. locate (whole part only): descend through overlapping windows, k per round with k probes in flight; the last
 *     window is assumed rather than probed, so one probe per round halves the span, and windows are cheap in bytes;
 *     once the window is a small share of the part, coded windows instead (k probes, each keeping the blocks whose
 *     Gray code has one bit set: k bits a round instead of log2(k+1));
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
 *
 * Where each job lives: evidence.ts (answers, inference, flip rate), posterior.ts (the probabilistic search math),
 * scheduler.ts (the concurrency limit, probes on the wire, phase labels), tester.ts (asking: decide, probe, the
 * checks on the answers), passes/ (one file per pass); this file orders the passes.
 */
import type { Oracle, ProbeInput } from '../probe/oracle/types';
import { candKey, liveParts, partUnits, type Cand } from './candidate';
import { UNIT_MARGIN } from './evidence';
import { modelFor, type PartModel } from './model';
import { deleteChunks } from './passes/chunks';
import { Rewind } from './passes/context';
import { locate } from './passes/locate';
import { oneMinimal } from './passes/oneMinimal';
import type { PartSummary, ReduceOptions, ReduceOutcome } from './result';
import { runsSelect } from './runs';
import { Stop } from './scheduler';
import { NotRefused, Tester } from './tester';

export type { RepeatedProbeInput } from './tester';

/** Interior units below which a level's chunk deletion is left to the finer levels (cheaper for one phrase). */
const MIN_INTERIOR = 8;
/** Units at the finest level above which chunk deletion runs before the single-unit pass. */
const LONG_SPAN = 64;

const textEncoder = new TextEncoder();

export async function reduce(input: ProbeInput, oracle: Oracle, options: ReduceOptions = {}): Promise<ReduceOutcome> {
  const models = await Promise.all(input.parts.map((p) => modelFor(p)));
  return new Reduction(input, models, new Tester(input, oracle, options, models), options).run();
}

type Verification = { ok: boolean; verification: { refused: number; of: number } };

class Reduction {
  /** The verification sent together with the last 1-minimality pass, for the candidate it started from. */
  private pendingVerify: { key: string; result: Promise<Verification> } | undefined;

  constructor(
    private readonly input: ProbeInput,
    private readonly models: PartModel[],
    private readonly t: Tester,
    private readonly options: ReduceOptions,
  ) {}

  async run(): Promise<ReduceOutcome> {
    const t = this.t;
    const original = t.original;
    try {
      if (!(await t.start())) return this.outcome('not-refused', original);
      let cur = original;
      t.history = [cur];
      let verified = false;
      let verification = { refused: 0, of: 0 };
      for (let round = 0; round < 4 && !verified; round++) {
        cur = await this.shrink(cur);
        t.phases.enter('verify');
        await t.scheduler.drain();
        const pending = this.pendingVerify;
        this.pendingVerify = undefined;
        const v = pending?.key === candKey(cur) ? await pending.result : await this.verify(cur);
        verification = v.verification;
        verified = v.ok;
        if (!verified) cur = await this.backtrack();
      }
      if (!verified) {
        // Out of rounds: return the latest candidate of the history that a sequential test still finds refused.
        for (let i = t.history.length - 1; i >= 0; i--) {
          if (i === 0 || (await t.decide(t.history[i]!))) {
            cur = t.history[i]!;
            break;
          }
        }
        verification = (await this.verify(cur)).verification;
      }
      const { oneMinimal, control } = await this.finalChecks(cur, verified);
      return { ...this.outcome('reduced', cur), oneMinimal, control, verification };
    } catch (err) {
      t.scheduler.halted ??= err;
      await t.scheduler.quiesce();
      if (err instanceof NotRefused) return this.outcome('not-refused', original);
      if (err instanceof Stop) return { ...this.outcome('stopped', t.evidence.bestSoFar(original)), stoppedEarly: err.reason };
      throw err;
    }
  }

  /** The parts a refusal needs (group testing over whole parts), then each needed part on its own. */
  private async shrink(start: Cand): Promise<Cand> {
    let cur = start;
    const live = () => cur.map((r, i) => (r.length ? i : -1)).filter((i) => i >= 0);
    if (live().length > 1) {
      this.t.phases.enter('parts');
      const parts = liveParts(cur);
      cur = await deleteChunks(this.t, parts, { from: 0, to: parts.n, wholeFirst: false });
      this.t.accept(cur);
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
        cur = await this.levels(cur, p, last);
        const model = this.models[p]!;
        this.t.phases.enter(model.levels[model.levels.length - 1]!);
        return await this.finest(cur, p, last);
      } catch (err) {
        if (!(err instanceof Rewind)) throw err;
        cur = await this.backtrack();
        // Out of restarts: keep what is still refused, unreduced (the report will say it is not 1-minimal).
        if (restarts >= 8) return cur;
      }
    }
  }

  /** Locate, pin and thin the trigger level by level, coarse to fine (all but the 1-minimality pass). */
  private async levels(start: Cand, p: number, last = false): Promise<Cand> {
    const t = this.t;
    const model = this.models[p]!;
    let cur = start;
    let prevCuts = '';
    let located = false;
    let redone = -1;
    t.evidence.passSources.clear();
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
      t.phases.enter(model.levels[li]!);
      t.evidence.levelAnswers = [];
      const units = partUnits(cur, p, cuts);
      const { span: [s, e], scattered } = await locate(t, units, { first: !located });
      // The noise estimate's repeats, when they go out here, run beside the rest of this level and the next one's
      // first round (with one slot they would only queue, and the next search would start without their answers).
      let leaveRepeats = false;
      if (s > 0 || e < n) {
        cur = units.window(s, e);
        t.accept(cur);
        leaveRepeats = (await t.payRepeats(cur)) && t.slots > 1;
      }
      await t.checkpoint(cur, { leaveRepeats });
      const inner = partUnits(cur, p, model.cuts(li, cur[p]!));
      const m = inner.n;
      if (scattered) {
        // Separated fragments that no window holds: group testing over the whole span.
        cur = await deleteChunks(t, inner, { from: 0, to: m, wholeFirst: false });
      } else if (m - 2 >= MIN_INTERIOR && li < finest) {
        // Separated fragments between the two proven ends: delete the interior by chunks.
        cur = await deleteChunks(t, inner, { from: 1, to: m - 1, wholeFirst: true });
      } else if (m - 2 >= 2 && li < finest) {
        // A short span: one probe tells a gap between two fragments from a phrase (finer levels do the rest).
        const drop = new Uint8Array(m);
        drop.fill(1, 1, m - 1);
        const gapless = inner.without(drop);
        // The finest level comes next and this probe would have a round to itself: with slots to spare, the
        // verification of the span as it stands goes out with it rather than with the 1-minimality pass. Only while
        // the span is one piece of the original (nothing between its ends was shown deletable, so a phrase is the
        // likely case): if the probe finds a gap, those probes were spent on a candidate that is not the result.
        // Nor when the span holds spacing the finest level drops first (dropSpacers: a PDF's space glyphs), since
        // the result will then be another candidate.
        const onePiece = cur[p]!.length === 2 && !model.spacers?.(cur[p]!).length;
        if (last && located && onePiece && li === finest - 1 && t.slots > 1 && !t.evidence.noisy) this.verifyBeside(cur);
        if (await t.decide(gapless)) cur = gapless;
      }
      t.accept(cur);
      const stuck = n >= 8 && model.cuts(li, cur[p]!).length - 1 === n;
      if (stuck && redone !== li && (await t.audit())) {
        redone = li;
        li--;
        await t.checkpoint(cur);
        continue;
      }
      await t.checkpoint(cur, { leaveRepeats });
      located = true;
      prevCuts = model.cuts(li, cur[p]!).join(',');
    }
    return cur;
  }

  /**
   * The finest level: the 1-minimality pass (passes/oneMinimal.ts), checked by real probes (no inference there, so a
   * non-monotone oracle cannot fake it). For the last part with no noise seen, the verification goes out with it.
   */
  private async finest(start: Cand, p: number, last: boolean): Promise<Cand> {
    const t = this.t;
    const model = this.models[p]!;
    const level = model.levels.length - 1;
    const unitsOf = (cand: Cand) => partUnits(cand, p, model.cuts(level, cand[p]!));
    let cur = start;
    await t.settleOriginal();
    await t.checkpoint(cur);
    cur = await this.dropSpacers(cur, p);
    if (last && !t.evidence.noisy && this.pendingVerify?.key !== candKey(cur)) this.verifyBeside(cur);
    // A long span here means a coarser level could not pin it (a flip, or a trigger of many scattered characters):
    // chunks first, so the single-unit pass below stays linear.
    let units = unitsOf(cur).n;
    // A long span left for this pass is a warning sign (see audit): check the answers inference used first.
    if (units > LONG_SPAN && (await t.audit())) {
      await t.checkpoint(cur);
      cur = await this.levels(cur, p);
      units = unitsOf(cur).n;
    }
    if (units > LONG_SPAN) {
      cur = await deleteChunks(t, unitsOf(cur), { from: 0, to: units, wholeFirst: false });
      t.accept(cur);
    }
    return oneMinimal(t, unitsOf(cur), { unitsOf });
  }

  /** The verification of a candidate expected to be the result, sent now; run() uses it if the result is that. */
  private verifyBeside(cand: Cand): void {
    const result = this.verify(cand);
    result.catch(() => undefined); // awaited in run(); a stop is seen there
    this.pendingVerify = { key: candKey(cand), result };
  }

  /**
   * Spacing a reader does not need (a PDF's whitespace glyphs, whose advance stays when they go), dropped in one probe
   * before the single-unit pass. Found one by one, the first to go would restart that pass over a span it had already
   * swept, and "pipe bomb" would cost two sweeps where the phrase is one span of text. When the rule needs the spaces
   * inside (a reader that glues the words without them), a second probe drops only those at the span's ends (a PDF
   * word carries the space after it, so a span found by words ends with one). Whatever stays, the single-unit pass
   * decides as it does any unit.
   */
  private async dropSpacers(start: Cand, p: number): Promise<Cand> {
    const model = this.models[p]!;
    const spacers = new Set(model.spacers?.(start[p]!) ?? []);
    if (!spacers.size) return start;
    const cuts = model.cuts(model.levels.length - 1, start[p]!);
    const units = partUnits(start, p, cuts);
    const blank = Array.from({ length: units.n }, (_, u) => {
      for (let a = cuts[u]!; a < cuts[u + 1]!; a++) if (!spacers.has(a)) return false;
      return true;
    });
    const edges = blank.map((b, u) => b && (blank.slice(0, u).every(Boolean) || blank.slice(u + 1).every(Boolean)));
    // Nothing to drop, or nothing would be left: no probe. Edges only when they differ from all the spacers.
    const worth = (drop: boolean[]) => drop.some(Boolean) && !drop.every(Boolean);
    const tries = [blank, edges].filter((d, i) => worth(d) && (i === 0 || !worth(blank) || d.some((x, u) => x !== blank[u])));
    // In turn, even with slots to spare: a reader that keeps words apart by position (pdftotext) refuses the first,
    // and the second would be a probe spent for nothing.
    for (const drop of tries) {
      const cand = units.without(Uint8Array.from(drop, Number));
      if (!(await this.t.decide(cand))) continue;
      this.t.accept(cand);
      await this.t.checkpoint(cand);
      return cand;
    }
    return start;
  }

  /** Verification of the result (fresh probes). */
  private async verify(cand: Cand): Promise<Verification> {
    const t = this.t;
    const ev = t.evidence;
    const e = t.entry(cand);
    const runs = Math.max(1, this.options.verifyRuns ?? 5);
    const before = { refused: e.refused, passed: e.passed };
    const answers = await t.all(Array.from({ length: runs }, () => t.probe(e)));
    const refused = answers.filter(Boolean).length;
    const verification = { refused, of: runs };
    if (refused === runs && !ev.noisy) return { ok: true, verification };
    if (refused > 0 && refused < runs) ev.noisy = true;
    if (refused === 0 && !ev.noisy) {
      if (before.refused > 0) ev.noisy = true;
      else ev.monotone = false; // refused only by inference: the oracle is not monotone
    }
    if (ev.noisy) return { ok: refused * 2 > runs && (await t.decide(cand)), verification };
    return { ok: false, verification };
  }

  /** After a failed verification: rewind the history to its last candidate that is still refused. */
  private async backtrack(): Promise<Cand> {
    const t = this.t;
    t.phases.enter('backtrack');
    const h = t.history;
    let lo = 0;
    let hi = h.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (await t.decide(h[mid]!)) lo = mid;
      else hi = mid;
    }
    t.history = h.slice(0, lo + 1);
    if (lo === 0 && !(await t.decide(h[0]!))) throw new NotRefused();
    return h[lo]!;
  }

  /**
   * Is the result 1-minimal: every single-unit removal at the finest level answered "passes" by real probes (the
   * 1-minimality pass asked them all; a removal it did not ask, e.g. of a part reduced before another one shrank, is
   * probed here, all at once). Never by inference: a non-monotone oracle would fake it. And a control: the result
   * with one unit removed.
   */
  private async finalChecks(cand: Cand, verified: boolean): Promise<Pick<ReduceOutcome, 'oneMinimal' | 'control'>> {
    const t = this.t;
    const ev = t.evidence;
    let oneMinimal = verified;
    let control: ReduceOutcome['control'];
    for (const [p, runs] of cand.entries()) {
      if (!runs.length) continue;
      const model = this.models[p]!;
      const cuts = model.cuts(model.levels.length - 1, runs);
      const units = partUnits(cand, p, cuts);
      const n = units.n;
      if (oneMinimal) {
        const removals = Array.from({ length: n }, (_, k) => t.decide(units.withoutUnit(k), false, UNIT_MARGIN));
        if ((await t.all(removals)).some(Boolean)) oneMinimal = false;
      }
      if (!control && n > 0) {
        // The control is a real probe of the trigger with its middle unit removed (never only an inference).
        const k = n >> 1;
        const e = t.entry(units.withoutUnit(k));
        const want = ev.noisy ? 3 : 1;
        while (e.refused + e.passed < want && !e.cachedRepeat) await t.probe(e);
        control = { removed: model.text(runsSelect(runs, [cuts[k]!, cuts[k + 1]!])), passed: e.passed, of: e.passed + e.refused };
      }
    }
    return { oneMinimal, control };
  }

  private outcome(status: ReduceOutcome['status'], cand: Cand): ReduceOutcome {
    const t = this.t;
    const e = t.entry(cand);
    const minimal: ProbeInput = e.input ?? { ...this.input, parts: this.input.parts.filter((_, i) => cand[i]!.length) };
    const parts: PartSummary[] = this.input.parts.map((part, index) => ({
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
      flipsSeen: t.evidence.flips(),
      repeats: t.repeats,
      probesIssued: t.probesIssued,
    };
  }
}

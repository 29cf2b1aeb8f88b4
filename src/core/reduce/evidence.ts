/**
 * Evidence: every answer the oracle gave, per candidate, and what follows from them (picire's outcome cache, with
 * answer counts instead of one boolean so a noisy oracle can be outvoted).
 *  - counts per candidate, and whether the oracle has shown noise (two answers differ for one input) or is not monotone;
 *  - monotone inference: a subset of a passing candidate passes, a superset of a refused one is refused;
 *  - the flip rate estimated from repeated answers; the best candidate so far (for progress, and for a stop);
 *  - the sequential test's rule: from the counts alone, decided refused, decided passes, or how many answers more.
 * Nothing here probes: the tester (tester.ts) asks the oracle and records the answers here.
 */
import type { ProbeInput } from '../probe/oracle/types';
import { candKey, candSubset, type Cand } from './candidate';

/**
 * Answer lead needed for a decision once the oracle is known to be noisy. "Refused" lets content go for good, so it
 * needs more (4: odds of 6561:1 at a 10% flip rate) than "passes" (3: 729:1), which only keeps content.
 */
export const MARGIN = 3;
export const REFUSED_MARGIN = 4;
/**
 * "Passes" lead for removing one unit in the 1-minimality pass while nothing in it has gone: a wrong "passes" there
 * keeps one character (a 1.2% chance per deletable unit at a 10% flip rate), never content the refusal needs, and a
 * span that the end searches pinned holds few units that can go. Each needed unit costs about 2.5 answers, not 3.75.
 */
export const UNIT_MARGIN = 2;
/** Most answers gathered for one candidate before a majority decides. */
export const MAX_ANSWERS = 11;

export interface Entry {
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

/** Where the sequential test stands for one candidate: decided, or the answers to ask for at once. */
export type Standing = { decided: boolean } | { more: number };

export class Evidence {
  /** Two answers differed for one input: decisions take sequential tests from now on. */
  noisy = false;
  /** False once a candidate refused only by inference was never refused when asked: inference stops. */
  monotone = true;
  /** Single "passes" answers that inference has leaned on since the last audit. */
  readonly passSources = new Set<Entry>();
  /** Inputs first answered since the current level started (the answers its search leaned on). */
  levelAnswers: Entry[] = [];
  private readonly memo = new Map<string, Entry>();
  private readonly observedRefused: Entry[] = [];
  private readonly observedPassed: Entry[] = [];
  /** The smallest candidate a majority calls refused, for progress. */
  private bestEntry: Entry | undefined;

  entry(cand: Cand): Entry {
    const key = candKey(cand);
    let e = this.memo.get(key);
    if (!e) {
      e = { key, cand, refused: 0, passed: 0, issued: 0, cachedRepeat: false };
      this.memo.set(key, e);
    }
    return e;
  }

  /** The entry for a candidate if it was ever looked at. */
  find(cand: Cand): Entry | undefined {
    return this.memo.get(candKey(cand));
  }

  /** One answer of the oracle for this candidate. */
  record(e: Entry, refused: boolean): void {
    if ((refused && e.passed > 0) || (!refused && e.refused > 0)) this.noisy = true;
    if (refused) e.refused++;
    else e.passed++;
    if (e.refused + e.passed === 1) {
      (refused ? this.observedRefused : this.observedPassed).push(e);
      this.levelAnswers.push(e);
    }
    const best = this.bestEntry;
    if (e.refused > e.passed && (!best || (e.bytes ?? 0) < (best.bytes ?? 0) || best.refused <= best.passed)) this.bestEntry = e;
  }

  /** The smallest candidate a majority of its answers calls refused (progress shows it). */
  get best(): Entry | undefined {
    return this.bestEntry;
  }

  /**
   * Monotone inference from single answers: false under a candidate observed passing (noted as a source the search
   * leans on, see passSources), true over one observed refused, undefined when neither holds.
   */
  infer(cand: Cand): boolean | undefined {
    for (const o of this.observedPassed) {
      if (candSubset(cand, o.cand)) {
        this.passSources.add(o);
        return false;
      }
    }
    for (const o of this.observedRefused) if (candSubset(o.cand, cand)) return true;
    return undefined;
  }

  /**
   * The sequential test on the counts of one candidate (noisy mode): refused once "refused" leads by REFUSED_MARGIN,
   * passes once "passes" leads by passMargin; otherwise as many answers at once as the nearer margin needs (never more
   * than a one-at-a-time test would ask for). Out of answers, a near tie keeps the content: a wrong "passes" only
   * costs minimality, a wrong "refused" costs correctness (6 refused of 11 is odds of 9:1 at a 10% flip rate, far
   * short of the margin's 6561:1). A cache that answers repeats adds nothing, so the lead decides.
   */
  standing(e: Entry, passMargin: number): Standing {
    const lead = e.refused - e.passed;
    if (lead >= REFUSED_MARGIN) return { decided: true };
    if (lead <= -passMargin) return { decided: false };
    const answers = e.refused + e.passed;
    if (answers >= MAX_ANSWERS) return { decided: lead > 1 };
    if (e.cachedRepeat) return { decided: lead > 0 };
    return { more: Math.max(1, Math.min(REFUSED_MARGIN - lead, passMargin + lead, MAX_ANSWERS - answers)) };
  }

  /**
   * The flip rate estimated from inputs answered more than once (minority answers over answers), with a weak prior
   * of 1 in 10 worth ten answers: right after the first disagreement the raw ratio (1 of 3) would make every later
   * answer look nearly worthless. Kept in bounds; the sequential tests that confirm each step do not depend on it.
   */
  flipRate(): number {
    let minority = 0;
    let answers = 0;
    for (const e of this.memo.values()) {
      if (e.refused + e.passed < 2) continue;
      minority += Math.min(e.refused, e.passed);
      answers += e.refused + e.passed;
    }
    return Math.min(0.3, Math.max(0.02, (minority + 1) / (answers + 10)));
  }

  /** Answers that disagreed with the majority for their input: flips seen (a lower bound on the flips that happened). */
  flips(): number {
    let n = 0;
    for (const e of this.memo.values()) n += Math.min(e.refused, e.passed);
    return n;
  }

  /**
   * The smallest candidate observed refused, for a stop. Once noise has been seen one refusal is not enough: it must
   * lead by the sequential test's margin (otherwise the fallback, the original that was confirmed, is the best so far).
   */
  bestSoFar(fallback: Cand): Cand {
    const lead = this.noisy ? REFUSED_MARGIN : 1;
    let best: Entry | undefined;
    for (const e of this.memo.values()) {
      if (e.refused - e.passed >= lead && e.bytes !== undefined && (!best || e.bytes < best.bytes!)) best = e;
    }
    return best?.cand ?? fallback;
  }
}

/**
 * What every pass gets: a way to ask about candidates (memo, monotone inference, the oracle, sequential tests once
 * noisy), the evidence so far, and the number of probes it may keep in flight. Every pass is a plain function
 * `(ctx: PassContext, space: UnitSpace, options) => Promise<result>` over a unit space (candidate.ts): locate and the
 * end searches return where the trigger is, chunk deletion, binary splitting and the 1-minimality pass the smaller
 * candidate. The reducer orders them.
 */
import type { Cand } from '../candidate';
import type { Entry, Evidence } from '../evidence';

export interface PassContext {
  /** Probes in flight at once: rounds of this many informative probes. */
  readonly slots: number;
  /** Probes a round of the searches may use (locate and the end searches under it); slots when not set. */
  readonly searchWidth?: number;
  readonly evidence: Evidence;
  /** Oracle calls issued so far (repeats included). */
  readonly probesIssued: number;
  entry(cand: Cand): Entry;
  /** Is the candidate refused? Memo, then monotone inference (infer), then the oracle (a sequential test once noisy). */
  decide(cand: Cand, infer?: boolean, passMargin?: number): Promise<boolean>;
  /** One real oracle call for this entry (a repeat when it was probed before). */
  probe(e: Entry): Promise<boolean>;
  /** One more answer for a candidate already decided refused, then the sequential test again (noisy mode). */
  reconfirm(cand: Cand): Promise<boolean>;
  /** Await all, letting every probe settle first. */
  all<T>(promises: Promise<T>[]): Promise<T[]>;
  /** The candidate kept so far moved on (the history a rewind goes back through). */
  accept(cand: Cand): void;
  /** Single part: make sure the original's refusal is shown before a pass leans on it. */
  settleOriginal(): Promise<void>;
}

/** The candidate a pass works on turned out not to be refused (a flip led there): rewind the history. */
export class Rewind extends Error {}

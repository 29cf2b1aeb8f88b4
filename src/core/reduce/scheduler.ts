/**
 * Probe scheduling for one reduction: the concurrency limit (the only one between the reducer and the oracle: the
 * metering wrapper keeps none of its own), the calls on the wire, background work, and the halt that keeps new probes
 * out once the run is ending. Also the phase labels progress reports carry.
 */

/** The run stops early (budget reached, cancelled): it returns the best candidate so far instead of failing. */
export class Stop extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Await all, but let every probe settle first so a stop never leaves a rejection unobserved (a Stop wins). */
export async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const stop = settled.find((s) => s.status === 'rejected' && s.reason instanceof Stop);
  const failure = stop ?? settled.find((s) => s.status === 'rejected');
  if (failure && failure.status === 'rejected') throw failure.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

export class Scheduler {
  /** Probes in flight at most (`--concurrency`). */
  readonly limit: number;
  /** Set when the run is ending on an error or a stop: no new probe is sent after it. */
  halted: unknown;
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];
  /** Oracle calls on the wire. The run settles them all before it returns or rejects, so none outlives it. */
  private readonly calls = new Set<Promise<unknown>>();
  /** Work that runs beside the search (the noise estimate's repeats); awaited at the next checkpoint. */
  private background: Promise<void>[] = [];
  private lingering: Promise<void>[] = [];
  private backgroundError: unknown;

  constructor(concurrency: number | undefined) {
    this.limit = Math.max(1, Math.floor(concurrency ?? 1));
  }

  /** A slot for one probe (FIFO once all are taken); give it back with release(). */
  async acquire(): Promise<void> {
    if (this.inFlight < this.limit) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.inFlight--;
  }

  /** An oracle call is on the wire until it settles (quiesce waits for it). */
  onWire(call: Promise<unknown>): void {
    this.calls.add(call);
  }

  offWire(call: Promise<unknown>): void {
    this.calls.delete(call);
  }

  /**
   * Work beside the search, then done() with its result; a failure is kept and thrown at the next drain. Work that may
   * outlive a checkpoint (`lingers`: the noise estimate's repeats) is awaited only by a drain that asks for it.
   */
  beside<T>(work: Promise<T>, done: (value: T) => void, { lingers = false }: { lingers?: boolean } = {}): void {
    const settled = work.then(done, (err: unknown) => {
      this.backgroundError ??= err;
    });
    (lingers ? this.lingering : this.background).push(settled);
  }

  /** Wait for the work beside the search (but not lingering work, when `leaveLingering`); throw what it failed with. */
  async drain({ leaveLingering = false }: { leaveLingering?: boolean } = {}): Promise<void> {
    const work = leaveLingering ? this.background : [...this.background, ...this.lingering];
    this.background = [];
    if (!leaveLingering) this.lingering = [];
    await Promise.all(work);
    if (this.backgroundError !== undefined) throw this.backgroundError;
  }

  /** Wait until no oracle call and no background work is left (the run is ending: `halted` keeps new probes out). */
  async quiesce(): Promise<void> {
    while (this.calls.size > 0 || this.background.length > 0 || this.lingering.length > 0) {
      const waiting = [...this.calls, ...this.background, ...this.lingering];
      this.background = [];
      this.lingering = [];
      await Promise.allSettled(waiting);
    }
  }
}

/**
 * Phase labels for progress. A probe takes the label current when it is issued and reports it when it answers, so a
 * label that covers only the issuing (`during`) still shows while those probes are out, e.g. the noise estimate's
 * repeats that run beside the search are reported as 'confirm'.
 */
export class Phases {
  private label: string;

  constructor(first: string) {
    this.label = first;
  }

  get current(): string {
    return this.label;
  }

  /** The run moves on to this phase. */
  enter(label: string): void {
    this.label = label;
  }

  /** Probes issued (synchronously) by issue() carry this label; the phase before it is back when issue() returns. */
  during<T>(label: string, issue: () => T): T {
    const before = this.label;
    this.label = label;
    try {
      return issue();
    } finally {
      this.label = before;
    }
  }
}

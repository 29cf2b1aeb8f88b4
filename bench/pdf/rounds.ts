/**
 * Rounds over a real oracle: the bench's virtual clock (bench/reduce/oracle.ts) made to wait for answers that take
 * real time. Every probe takes one unit of virtual time from the moment it is sent; the clock moves to the next
 * completion only when every probe in flight has its real answer and either every slot is busy or the reducer has
 * sent nothing for QUIET_MS (it is waiting for an answer). A round is then a probe that had to wait for an earlier
 * answer (the critical path), as in bench:reduce, however long pdftotext took on a busy machine.
 */
import type { Oracle, ProbeInput, Verdict } from '../../src/core/probe/oracle/types';

/** Real time without a new probe after which the reducer is taken to wait for an answer (it renders in between). */
const QUIET_MS = 60;

interface InFlight {
  due: number;
  ready: boolean;
  deliver?: () => void;
}

export class RoundClock implements Oracle {
  readonly name: string;
  readonly identity?: string;
  /** Virtual time, in rounds. */
  now = 0;
  probes = 0;
  private flying: InFlight[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sent = 0;

  constructor(
    private readonly inner: Oracle,
    private readonly slots: number,
  ) {
    this.name = inner.name;
    this.identity = inner.identity;
  }

  async probe(input: ProbeInput, signal?: AbortSignal): Promise<Verdict> {
    const me: InFlight = { due: this.now + 1, ready: false };
    this.flying.push(me);
    this.probes++;
    this.sent++;
    let verdict: Verdict;
    try {
      verdict = await this.inner.probe(input, signal);
    } catch (error) {
      this.flying = this.flying.filter((f) => f !== me);
      this.poke();
      throw error;
    }
    await new Promise<void>((resolve) => {
      me.ready = true;
      me.deliver = resolve;
      this.poke();
    });
    return verdict;
  }

  private poke(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.flying.length || this.flying.some((f) => !f.ready)) return;
    if (this.flying.length >= this.slots) return this.advance();
    const sent = this.sent;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (sent === this.sent) this.advance();
      else this.poke();
    }, QUIET_MS);
  }

  private advance(): void {
    const t = Math.min(...this.flying.map((f) => f.due));
    this.now = t;
    const done = this.flying.filter((f) => f.due <= t);
    this.flying = this.flying.filter((f) => f.due > t);
    for (const f of done) f.deliver!();
    // The reducer may wait on the probes still in flight without sending more.
    this.poke();
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }
}

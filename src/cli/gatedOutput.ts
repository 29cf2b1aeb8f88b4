/**
 * Lines for stdout through the exit gate (src/core/report/gate.ts): what a terminal shows ends up in logs, CI output
 * and screenshots, so a trigger or a removed span holding a key is masked there as in the draft.
 */
import { gatedLine } from '../core/report/exits';
import type { GateContext } from '../core/report/gate';

export interface GatedWriter {
  /** Queues a line; lines reach `write` in the order given, each after the gate. */
  write: (line: string) => void;
  /** Waits until every queued line is written (and rethrows a failure of the gate or of `write`). */
  flush: () => Promise<void>;
}

/** For code that writes line by line without awaiting (the demo's steps): the gate runs behind it, in order. */
export function gatedWriter(write: (line: string) => void, ctx: GateContext = {}): GatedWriter {
  let queue: Promise<void> = Promise.resolve();
  return {
    write: (line) => {
      queue = queue.then(async () => write(await gatedLine(line, ctx)));
    },
    flush: () => queue,
  };
}

/**
 * Group testing one probe at a time (binary splitting, after Hwang): a needed chunk is split in halves and the left
 * half is tried; if the left half is needed too, the right half is assumed deletable rather than probed, and the
 * assumption is confirmed by the next probe that comes back refused (a subset of the assumed candidate), or by one
 * probe of its own as soon as an answer leaves it in doubt. About 1.25 probes per halving instead of 1.5. Relies on a
 * monotone, noise-free oracle (chunks.ts only calls it then).
 */
import type { Cand, UnitSpace } from '../candidate';
import type { PassContext } from './context';
import { suspectBase, suspectState } from './suspect';

/** Units from..to-1 of a space to take apart. */
export interface ChunkRange {
  from: number;
  to: number;
  /** Try the whole range first (it may all go), rather than one chunk per slot. */
  wholeFirst: boolean;
}

export async function splitChunks(ctx: PassContext, space: UnitSpace, { from, to, wholeFirst }: ChunkRange): Promise<Cand> {
  const build = (d: Uint8Array) => space.without(d);
  const drop = new Uint8Array(space.n);
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
    if (await ctx.decide(build(drop))) {
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
  const suspect = suspectState(ctx);
  while (queue.length || unproven.length) {
    if (!unproven.length) await suspectBase(ctx, () => build(drop), drop, suspect);
    const item = queue.shift();
    if (!item) {
      await settle();
      continue;
    }
    const chunk = item.left;
    if (await ctx.decide(without(chunk))) {
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

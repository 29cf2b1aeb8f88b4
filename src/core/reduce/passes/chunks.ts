/**
 * Chunk deletion (group testing) over units from..to-1 of a space, breadth first: try to delete each chunk; chunks
 * that are needed are split and tried again. With k slots, k chunks per round, and the round's successful deletions
 * merged and checked alongside the next round. With one slot, a monotone and noise-free oracle, binary splitting
 * (split.ts) instead.
 */
import type { Cand, UnitSpace } from '../candidate';
import { Rewind, type PassContext } from './context';
import { splitChunks, type ChunkRange } from './split';
import { suspectBase, suspectState } from './suspect';

export async function deleteChunks(ctx: PassContext, space: UnitSpace, range: ChunkRange): Promise<Cand> {
  const ev = ctx.evidence;
  if (ctx.slots === 1 && ev.monotone && !ev.noisy) return splitChunks(ctx, space, range);
  const { from, to, wholeFirst } = range;
  const c = ctx.slots;
  const build = (d: Uint8Array) => space.without(d);
  const drop = new Uint8Array(space.n);
  const queue: [number, number][] = [];
  // Start with the whole range, or (when the whole cannot go) with one chunk per slot, at least two.
  const first = wholeFirst ? 1 : Math.max(2, c);
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
  const suspect = suspectState(ctx);
  while (queue.length || optimistic) {
    await suspectBase(ctx, () => build(drop), drop, suspect);
    const merged = optimistic;
    const batch = queue.splice(0, c - (merged ? 1 : 0));
    const [mergeOk, ...answers] = await ctx.all([
      merged ? ctx.decide(build(drop)) : Promise.resolve(true),
      ...batch.map((ch) => ctx.decide(without([ch]))),
    ]);
    optimistic = undefined;
    // Nothing could go this round while answers are noisy: make sure the base itself is still refused, or a flip
    // would have us split every chunk of a candidate that no longer triggers.
    if (ev.noisy && mergeOk && !answers.some(Boolean) && !(await ctx.reconfirm(build(drop)))) throw new Rewind();
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
    const pieces = Math.max(2, Math.ceil(c / Math.max(1, needed.length)));
    for (const [a, b] of needed) {
      const k = Math.min(pieces, b - a);
      for (let j = 0; j < k; j++) queue.push([a + Math.floor((j * (b - a)) / k), a + Math.floor(((j + 1) * (b - a)) / k)]);
    }
  }
  return build(drop);
}

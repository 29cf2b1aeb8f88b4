/**
 * Locate: the smallest window of units that is still refused. A descent through overlapping windows, k per round
 * with k probes in flight (the last window is assumed rather than probed, so one probe per round halves the span, and
 * windows are cheap in bytes), and once the window is a small share of the part coded windows (a bit per probe);
 * once noise has been seen, windows between the quantiles of the posterior over the
 * trigger's position instead. Then both ends are pinned by the end searches (ends.ts). When no single window holds
 * the trigger and the span is still wide, it is made of separated fragments: left to group testing (chunks.ts).
 */
import type { UnitSpace } from '../candidate';
import type { Entry } from '../evidence';
import { Posterior } from '../posterior';
import type { PassContext } from './context';
import { BOUNDARY_ERROR, searchEnd, searchStart } from './ends';

/** A window (in units) above which a trigger that no single window holds is taken apart by group testing. */
const SCATTERED = 16;

export interface Located {
  /** Units [s, e) of the space. */
  span: [number, number];
  /** No window holds the trigger: separated fragments over the whole span. */
  scattered: boolean;
}

export async function locate(
  ctx: PassContext,
  space: UnitSpace,
  /** The whole part is searched (no coarser level pinned the span): a failed descent means separated fragments. */
  { first }: { first: boolean },
): Promise<Located> {
  const n = space.n;
  const window = (a: number, b: number) => space.window(a, b);
  // Each search probe of a round buys less than the one before it (log2(k+1) bits for k probes): a narrower search
  // pays fewer probes for more rounds (ReduceOptions.searchWidth).
  const c = Math.min(ctx.slots, ctx.searchWidth ?? ctx.slots);
  let w: [number, number] = [0, n];
  let confirmed: [number, number] = [0, n];
  let confirmedByDescent = false;
  let streak = 0;
  const overlap = 1;
  // The coded round's probes, until its window is checked. A window they spell that is not refused is a trigger
  // wider than a block, or a flipped answer: asked again, a flip shows as noise and the descent goes on as a noisy
  // one from the last refused window (one flip would otherwise send the end searches over all of it, single answers).
  let codedAsked: Entry[] = [];
  const fallBack = async (): Promise<[number, number]> => {
    const asked = codedAsked;
    codedAsked = [];
    if (asked.length && !ctx.evidence.noisy) await ctx.all(asked.map((e) => ctx.probe(e)));
    return ctx.evidence.noisy && asked.length ? noisyLocate(ctx, space, confirmed[0], confirmed[1], c) : confirmed;
  };
  for (let round = 0; ; round++) {
    const len = w[1] - w[0];
    // Small spans go straight to the end searches, which need no more probes than a descent would; so do spans a
    // coarser level already pinned, where the trigger fills too much of the span for small windows to hold it.
    if (len <= 8 || (!first && n <= 64)) break;
    // Answers flip: every window of a descent would cost a sequential test; a probabilistic search for the
    // trigger's position spends about half of that per bit.
    if (ctx.evidence.noisy) {
      w = await noisyLocate(ctx, space, w[0], w[1], c);
      break;
    }
    // First round over a whole part with several slots: windows that cover everything, none assumed, so a trigger
    // that no window holds shows at once.
    const cover = first && round === 0 && c >= 2;
    // Once the window is a small share of the part, coded windows: a bit per probe instead of log2(k+1)/k (coded()).
    // Their c probes send half the window each, so only once that is at most a quarter of the part (with the cover
    // round's windows they would cost about a third more bytes on the bench's one-phrase cases for one round less).
    // Two slots gain too little over a descent (2 bits against 1.6) for what one flipped answer costs here.
    if (!cover && c >= 3 && len * c * 2 <= n) {
      ({ window: w, asked: codedAsked } = await coded(ctx, space, w, c));
      streak++;
      continue;
    }
    const pieces = Math.min(c + (cover ? 0 : 1), Math.max(2, Math.floor(len / 2)));
    const bounds = Array.from({ length: pieces + 1 }, (_, j) => w[0] + Math.floor((j * len) / pieces));
    const wins = bounds.slice(0, pieces).map((b, j): [number, number] =>
      j === pieces - 1 ? [b, w[1]] : [b, Math.min(w[1], bounds[j + 1]! + overlap)],
    );
    if (wins.some(([a, b]) => b - a >= len)) break;
    const probed = cover ? wins : wins.slice(0, pieces - 1);
    const answers = await ctx.all(probed.map(([a, b]) => ctx.decide(window(a, b))));
    const hit = answers.indexOf(true);
    if (hit >= 0) {
      w = probed[hit]!;
      confirmed = w;
      confirmedByDescent = true;
      streak = 0;
      continue;
    }
    if (cover) break;
    // None of the probed windows holds the trigger: it is in the last one, or in no single window at all.
    w = wins[pieces - 1]!;
    streak++;
    // Two rounds in a row on assumed windows: check the last one, in a round of its own unless the descent ends here
    // and the check can go out with the end searches (below).
    const last = w[1] - w[0] <= 8 && c >= 3 && confirmedByDescent;
    if (streak >= 2 && !last) {
      if (await ctx.decide(window(w[0], w[1]))) {
        confirmed = w;
        confirmedByDescent = true;
        streak = 0;
      } else {
        w = await fallBack();
        break;
      }
    }
  }
  // By value: w and confirmed start as two arrays for the same span, and a first round of covering windows that all
  // pass leaves them so.
  const sameSpan = (x: [number, number], y: [number, number]) => x[0] === y[0] && x[1] === y[1];
  if (!sameSpan(w, confirmed)) {
    // The descent ended on its last window, assumed (none of the others held the trigger). With a refused window
    // behind it (the original is shown refused) and the end searches about to run at once, its check goes out with
    // their first round (taking one of its slots) instead of in a round of its own. If it fails, their answers
    // stay in the memo and the searches run again in the last window that was refused.
    const [a0, b0] = w;
    if (c >= 3 && b0 - a0 >= 2 && (confirmedByDescent || !first) && !ctx.evidence.noisy) {
      const [ok, e, s] = await Promise.all([
        ctx.decide(window(a0, b0)),
        searchEnd(ctx, space, { from: a0, to: b0, slots: Math.ceil(c / 2), first: Math.ceil(c / 2) - 1 }),
        searchStart(ctx, space, { from: a0, to: b0, slots: Math.floor(c / 2) }),
      ]);
      if (ok && s < e) return { span: [s, e], scattered: false };
      if (!ok) w = await fallBack();
    } else if (!(await ctx.decide(window(a0, b0)))) w = await fallBack();
  }
  await ctx.settleOriginal();

  // No single window holds it and the span is still wide: separated fragments, left to group testing.
  if (first && sameSpan(w, confirmed) && w[1] - w[0] > SCATTERED && !confirmedByDescent) return { span: w, scattered: true };

  const [a0, b0] = w;
  if (c >= 2 && b0 - a0 >= 2) {
    // Both ends at once, half the slots each: more bits per round than one end at a time. [s, e) itself is not
    // probed: for a trigger made of parts that are all needed it is refused; the final verification checks.
    const [e, s] = await Promise.all([
      searchEnd(ctx, space, { from: a0, to: b0, slots: Math.ceil(c / 2) }),
      searchStart(ctx, space, { from: a0, to: b0, slots: Math.floor(c / 2) }),
    ]);
    if (s < e) return { span: [s, e], scattered: false };
  }
  // Shortest refused prefix of w, then shortest refused suffix of that.
  const e = await searchEnd(ctx, space, { from: a0, to: b0, slots: c });
  return { span: [await searchStart(ctx, space, { from: a0, to: e, slots: c }), e], scattered: false };
}

/**
 * A round of coded windows: the window is cut into 2^k blocks and probe i keeps the blocks whose Gray code has bit i
 * set, so the k answers spell the block that holds the trigger (a contiguous descent would get log2(k+1) bits from k
 * probes). A trigger across two neighbouring blocks is kept only where both are, and their codes differ in one bit:
 * the answers spell one of the two, so the block is widened by one unit each side (the descent's overlap). Each probe
 * keeps half the window, so locate runs this only once the window is a small share of the part. The block is assumed,
 * not probed: like the descent's last window, it is checked before the end searches lean on it.
 */
async function coded(
  ctx: PassContext,
  space: UnitSpace,
  [w0, w1]: [number, number],
  c: number,
): Promise<{ window: [number, number]; asked: Entry[] }> {
  const len = w1 - w0;
  const bits = Math.min(c, Math.ceil(Math.log2(len)));
  const blocks = 1 << bits;
  const edge = (b: number) => w0 + Math.floor((b * len) / blocks);
  const gray = (b: number) => b ^ (b >> 1);
  const sets = Array.from({ length: bits }, (_, i) => {
    const drop = new Uint8Array(space.n).fill(1);
    for (let b = 0; b < blocks; b++) if ((gray(b) >> i) & 1) drop.fill(0, edge(b), edge(b + 1));
    return space.without(drop);
  });
  const answers = await ctx.all(sets.map((cand) => ctx.decide(cand)));
  const asked = sets.map((cand) => ctx.entry(cand));
  const code = answers.reduce((v, refused, i) => v | (refused ? 1 << i : 0), 0);
  let b = code;
  for (let shift = code >> 1; shift; shift >>= 1) b ^= shift;
  return { window: [Math.max(w0, edge(b) - 1), Math.min(w1, Math.max(edge(b + 1), edge(b) + 1) + 1)], asked };
}

/**
 * The descent once the oracle is known to flip: a posterior over the unit t where the trigger sits (one unit, or
 * two with the window's one unit of overlap), windows between its quantiles (k at a time, each holding 1/(k+1) of
 * the mass), one fresh answer each, until 99.5% of the mass lies within 8 units. Returns that span (with its
 * overlap unit); locate then confirms it by a sequential test before the end searches run inside it.
 */
async function noisyLocate(ctx: PassContext, space: UnitSpace, w0: number, w1: number, k: number): Promise<[number, number]> {
  const probes: { a: number; b: number; e: Entry }[] = [];
  const most = 12 + 6 * Math.ceil(Math.log2(w1 - w0 + 1));
  for (let spent = 0; ; ) {
    const posterior = new Posterior(
      w0,
      w1 - 1,
      probes.map(({ a, b, e }) => ({ cuts: [a, b], refusedIf: (t: number) => a <= t && t < b, refused: e.refused, passed: e.passed })),
      ctx.evidence.flipRate(),
    );
    const quantile = (u: number) => posterior.quantile(u, w0, w1);
    const lo = quantile(BOUNDARY_ERROR / 2);
    const hi = Math.max(lo + 1, quantile(1 - BOUNDARY_ERROR / 2));
    if (hi - lo <= 8 || spent >= most) return [lo, Math.min(w1, hi + 1)];
    // k windows of 1/(k+1) of the mass each, centred (both tails left out): each answer moves mass off both tails.
    const edges = Array.from({ length: k + 1 }, (_, j) => quantile((j + 0.5) / (k + 1)));
    const wins = new Map<string, { a: number; b: number }>();
    for (let j = 0; j < k; j++) {
      const a = edges[j]!;
      const b = Math.min(w1, Math.max(edges[j + 1]!, a + 1) + 1);
      if (b - a < w1 - w0) wins.set(`${a},${b}`, { a, b });
    }
    const fresh = [...wins.values()]
      .map(({ a, b }) => ({ a, b, e: ctx.entry(space.window(a, b)) }))
      .filter(({ e }) => !(e.cachedRepeat && e.refused + e.passed > 0));
    if (!fresh.length) return [lo, Math.min(w1, hi + 1)];
    for (const f of fresh) if (!probes.some((q) => q.e === f.e)) probes.push(f);
    spent += fresh.length;
    await ctx.all(fresh.map(({ e }) => ctx.probe(e)));
  }
}

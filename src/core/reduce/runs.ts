/**
 * A candidate keeps a subset of a part's atoms (UTF-16 units of a text, glyphs and operators of a PDF). The subset is
 * stored as sorted, disjoint, non-empty runs [start0, end0, start1, end1, ...] of atom indices: windows and deletions
 * stay a handful of runs however big the part is, and subset tests (monotone inference) are linear in runs.
 * "Positions" count kept atoms in order (0 .. length): units are position ranges.
 */
export type Runs = readonly number[];

export function runsLength(r: Runs): number {
  let n = 0;
  for (let i = 0; i < r.length; i += 2) n += r[i + 1]! - r[i]!;
  return n;
}

function push(out: number[], s: number, e: number): void {
  if (e <= s) return;
  if (out.length > 0 && out[out.length - 1] === s) out[out.length - 1] = e;
  else out.push(s, e);
}

/** Keep the kept atoms whose positions fall in the sorted, disjoint position ranges [from0, to0, from1, to1, ...]. */
export function runsSelect(r: Runs, ranges: readonly number[]): number[] {
  const out: number[] = [];
  let ri = 0;
  let pos = 0; // position of r[ri]
  for (let k = 0; k < ranges.length; k += 2) {
    let from = ranges[k]!;
    const to = ranges[k + 1]!;
    while (ri < r.length && from < to) {
      const len = r[ri + 1]! - r[ri]!;
      if (pos + len <= from) {
        pos += len;
        ri += 2;
        continue;
      }
      const s = r[ri]! + (from - pos);
      const e = r[ri]! + Math.min(len, to - pos);
      push(out, s, e);
      from = pos + (e - r[ri]!);
      if (e === r[ri + 1]) {
        pos += len;
        ri += 2;
      }
    }
  }
  return out;
}

/** True when every atom kept by a is kept by b. */
export function runsSubset(a: Runs, b: Runs): boolean {
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    const s = a[i]!;
    const e = a[i + 1]!;
    while (j < b.length && b[j + 1]! <= s) j += 2;
    if (j >= b.length || b[j]! > s || b[j + 1]! < e) return false;
  }
  return true;
}

export function runsKey(r: Runs): string {
  return r.join(',');
}

/** Atom index at a position. */
export function runsAtom(r: Runs, position: number): number {
  let pos = position;
  for (let i = 0; i < r.length; i += 2) {
    const len = r[i + 1]! - r[i]!;
    if (pos < len) return r[i]! + pos;
    pos -= len;
  }
  throw new RangeError(`position ${position} is past the end of the candidate`);
}

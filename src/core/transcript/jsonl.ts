/**
 * Byte-level helpers over an open transcript: find a line around an offset, search backwards for a needle, count
 * newlines in a range. All positional reads, so a 100 MB transcript is never read whole to fetch one line.
 */
import type { FileHandle } from 'node:fs/promises';

const NL = 0x0a;
// Small blocks: a line read back for a refusal's chain is usually a few KB, and every block read is an allocation.
const BLOCK = 64 * 1024;

export interface Line {
  /** Byte offset of the line's first byte. */
  start: number;
  /** Byte offset of the terminating newline (or of the end of file for an unterminated last line). */
  end: number;
  bytes: Buffer;
  /** False when the line has no terminating newline yet (a writer may still be appending to it). */
  complete: boolean;
}

/**
 * `length` bytes at `position`. Loops that walk a file block by block pass one `into` buffer for all their reads:
 * a block allocated per read over a 50 MB line is 50 MB of garbage the collector frees only later.
 */
async function readAt(fh: FileHandle, position: number, length: number, into?: Buffer): Promise<Buffer> {
  const buffer = into && into.length >= length ? into.subarray(0, length) : Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await fh.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

/**
 * The line that starts at `start` (a line start: offset 0 or just after a newline). A line longer than one block is
 * measured first and then read into one buffer of its size: a 50 MB line costs 50 MB, not its blocks plus a copy.
 */
export async function readLineFrom(fh: FileHandle, start: number): Promise<Line> {
  const first = await readAt(fh, start, BLOCK);
  const nl = first.indexOf(NL);
  if (nl >= 0) return { start, end: start + nl, bytes: first.subarray(0, nl), complete: true };
  if (first.length < BLOCK) return { start, end: start + first.length, bytes: first, complete: false };
  let position = start + first.length;
  let end = -1;
  const probe = Buffer.allocUnsafe(4 * BLOCK);
  for (;;) {
    const { bytesRead } = await fh.read(probe, 0, probe.length, position);
    if (bytesRead === 0) break;
    const at = probe.subarray(0, bytesRead).indexOf(NL);
    if (at >= 0) {
      end = position + at;
      break;
    }
    position += bytesRead;
  }
  const complete = end >= 0;
  const stop = complete ? end : position;
  return { start, end: stop, bytes: await readAt(fh, start, stop - start), complete };
}

/** Offset of the start of the line containing `position`. */
export async function lineStartOf(fh: FileHandle, position: number): Promise<number> {
  let end = position;
  const scratch = Buffer.allocUnsafe(BLOCK);
  while (end > 0) {
    const from = Math.max(0, end - BLOCK);
    const block = await readAt(fh, from, end - from, scratch);
    const nl = block.lastIndexOf(NL);
    if (nl >= 0) return from + nl + 1;
    end = from;
  }
  return 0;
}

/** The last occurrence of `needle` that ends at or before `before`, or -1. Reads backwards block by block. */
export async function findBackward(fh: FileHandle, needle: Buffer, before: number, notBefore = 0): Promise<number> {
  let end = before;
  const scratch = Buffer.allocUnsafe(BLOCK);
  while (end - notBefore >= needle.length) {
    const from = Math.max(notBefore, end - BLOCK);
    const block = await readAt(fh, from, end - from, scratch);
    const hit = block.lastIndexOf(needle);
    if (hit >= 0) return from + hit;
    if (from === notBefore) return -1;
    // Overlap so a needle straddling two blocks is still found.
    end = from + needle.length - 1;
  }
  return -1;
}

/** Newlines in [from, to). */
export async function countNewlines(fh: FileHandle, from: number, to: number): Promise<number> {
  let count = 0;
  const scratch = Buffer.allocUnsafe(Math.min(4 * BLOCK, Math.max(1, to - from)));
  for (let position = from; position < to; ) {
    const block = await readAt(fh, position, Math.min(4 * BLOCK, to - position), scratch);
    if (block.length === 0) break;
    count += countIn(block, 0, block.length);
    position += block.length;
  }
  return count;
}

/**
 * Newlines in buffer[from, to). indexOf is native and far faster than a byte loop in JS; it searches a view that
 * ends at `to`, so a large reused buffer is never searched past the bytes that count.
 */
export function countIn(buffer: Buffer, from: number, to: number): number {
  if (to <= from) return 0;
  const view = buffer.subarray(from, to);
  let count = 0;
  for (let i = view.indexOf(NL); i >= 0; i = view.indexOf(NL, i + 1)) count++;
  return count;
}

/**
 * Why a transcript cannot be read as UTF-8 JSON lines, or undefined. Claude Code writes UTF-8; a UTF-16 file (a
 * copy saved by an editor or PowerShell's `>`) would parse as nothing at all, so it is reported instead.
 */
export async function encodingProblem(fh: FileHandle, path: string): Promise<string | undefined> {
  const head = Buffer.alloc(4);
  const { bytesRead } = await fh.read(head, 0, 4, 0);
  return encodingProblemOf(head.subarray(0, bytesRead), path);
}

export function encodingProblemOf(head: Buffer, path: string): string | undefined {
  const bom16 = head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff));
  // No BOM but a NUL in the first bytes of a line starting with "{": UTF-16 without a byte order mark.
  const nul16 = head.length >= 2 && ((head[0] === 0x7b && head[1] === 0) || (head[0] === 0 && head[1] === 0x7b));
  if (!bom16 && !nul16) return undefined;
  return `${path} is UTF-16, not the UTF-8 Claude Code writes, so it is not read: convert it (iconv -f UTF-16 -t UTF-8 "${path}" > fixed.jsonl) or remove it`;
}

/** Parse one transcript line; undefined when it is not a JSON object. A UTF-8 byte order mark is skipped. */
export function parseLine(bytes: Buffer | string): Record<string, unknown> | undefined {
  try {
    let text = typeof bytes === 'string' ? bytes : bytes.toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

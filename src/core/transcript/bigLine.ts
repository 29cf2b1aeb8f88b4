/**
 * Parse a very long transcript line (a 50 MB tool result) without holding it three times over. JSON.parse needs
 * the whole line as a string and makes another string of the value inside, so bytes, text and value would all be
 * in memory at once. Here every string value longer than BIG is cut out of the bytes before parsing and replaced
 * by a placeholder; its size, sha256 and a preview are taken from the bytes a slice at a time. A refused turn's
 * records need no more of it than that (parts.ts reads the full text back only when a bisect asks for it).
 */
import { createHash } from 'node:crypto';

/** String values longer than this (in bytes, as written) are summarised rather than parsed. */
export const BIG = 1 << 20;
/** Lines longer than this go through parseBigLine. */
export const BIG_LINE = 8 << 20;

export interface BigValue {
  /** UTF-8 byte length of the decoded text. */
  size: number;
  sha256: string;
  /** The first characters of the decoded text. */
  head: string;
  /** When the text is base64 (an image or PDF): size and sha256 of the bytes it decodes to. */
  base64?: { size: number; sha256: string };
}

const PLACEHOLDER = '\u0000aup-big-value:';
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SLICE = 1 << 20;

/** Summaries of cut-out values, by placeholder; small, and only the newest MAX_VALUES are kept. */
const values = new Map<string, BigValue>();
const MAX_VALUES = 1000;
let counter = 0;

/** The summary of a value that parseBigLine cut out, or undefined for an ordinary value. */
export function bigValue(value: unknown): BigValue | undefined {
  return typeof value === 'string' && value.startsWith(PLACEHOLDER) ? values.get(value) : undefined;
}

function escapedQuote(bytes: Buffer, at: number): boolean {
  let n = 0;
  for (let k = at - 1; k >= 0 && bytes[k] === BACKSLASH; k--) n++;
  return n % 2 === 1;
}

/** Where a slice of a JSON string's raw bytes may end: not inside an escape, a surrogate pair or a UTF-8 sequence. */
function safeCut(bytes: Buffer, start: number, end: number): number {
  let cut = end;
  while (cut > start && (bytes[cut] & 0xc0) === 0x80) cut--;
  // Step back over an escape that the cut would split, and over a high surrogate whose low half follows.
  for (let k = cut - 1; k >= Math.max(start, cut - 12); k--) {
    if (bytes[k] !== BACKSLASH || escapedQuote(bytes, k)) continue;
    const length = bytes[k + 1] === 0x75 /* u */ ? 6 : 2;
    if (k + length > cut) return k;
    if (length === 6 && k + 6 === cut) {
      const code = parseInt(bytes.toString('latin1', k + 2, k + 6), 16);
      if (code >= 0xd800 && code <= 0xdbff) return k;
    }
    break;
  }
  return cut;
}

function summarise(bytes: Buffer, start: number, end: number): BigValue {
  const hash = createHash('sha256');
  let size = 0;
  let head = '';
  // Base64 has no escapes and no multi-byte characters, and SLICE is a multiple of 4: each slice decodes alone.
  const isBase64 = /^[A-Za-z0-9+/]+={0,2}$/.test(bytes.toString('latin1', start, Math.min(end, start + 4096)).replace(/=+$/, (m) => (end - start <= 4096 ? m : '')));
  const decoded = isBase64 ? createHash('sha256') : undefined;
  let decodedSize = 0;
  for (let at = start; at < end; ) {
    let cut = Math.min(end, at + SLICE);
    if (cut < end) cut = safeCut(bytes, at, cut);
    const piece = JSON.parse(`"${bytes.toString('utf8', at, cut)}"`) as string;
    hash.update(piece, 'utf8');
    size += Buffer.byteLength(piece, 'utf8');
    if (decoded) {
      const raw = Buffer.from(piece, 'base64');
      decoded.update(raw);
      decodedSize += raw.length;
    }
    if (head.length < 400) head += piece.slice(0, 400 - head.length);
    at = cut;
  }
  const value: BigValue = { size, sha256: hash.digest('hex'), head };
  if (decoded) value.base64 = { size: decodedSize, sha256: decoded.digest('hex') };
  return value;
}

/** Parse a line, cutting every string value longer than BIG out first. Undefined when it is not a JSON object. */
export function parseBigLine(bytes: Buffer): Record<string, unknown> | undefined {
  const pieces: Buffer[] = [];
  let copied = 0;
  let open = -1;
  for (let at = bytes.indexOf(QUOTE); at >= 0; at = bytes.indexOf(QUOTE, at + 1)) {
    if (open < 0) {
      open = at;
      continue;
    }
    if (escapedQuote(bytes, at)) continue;
    if (at - open - 1 > BIG) {
      const key = `${PLACEHOLDER}${++counter}`;
      values.set(key, summarise(bytes, open + 1, at));
      if (values.size > MAX_VALUES) values.delete(values.keys().next().value!);
      pieces.push(bytes.subarray(copied, open + 1), Buffer.from(JSON.stringify(key).slice(1, -1)));
      copied = at;
    }
    open = -1;
  }
  pieces.push(bytes.subarray(copied));
  try {
    const value: unknown = JSON.parse(Buffer.concat(pieces).toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

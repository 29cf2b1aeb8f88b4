/**
 * PDF syntax the reducer needs: a tokenizer for content streams and CMaps (strings literal and hex, numbers, names,
 * operators, inline images kept opaque), operators grouped with their operands, string encoding, stream decoding.
 */
import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { PDFArray, PDFName, PDFRawStream, decodePDFRawStream, type PDFStream } from '@cantoo/pdf-lib';

export type Tok =
  | { t: 'str'; raw: string; hex: boolean; bytes: number[] }
  | { t: 'num'; raw: string }
  | { t: 'op'; raw: string }
  | { t: 'other'; raw: string }; // names, brackets, dict delimiters, booleans

export interface Op {
  name: string;
  operands: Tok[];
  raw: string;
}

const WS = new Set([0, 9, 10, 12, 13, 32]);
const DELIM = new Set('()<>[]{}/%'.split('').map((c) => c.charCodeAt(0)));

export function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (WS.has(c)) {
      i++;
      continue;
    }
    const ch = src[i]!;
    if (ch === '%') {
      while (i < n && src[i] !== '\n' && src[i] !== '\r') i++;
      continue;
    }
    if (ch === '(') {
      const start = i;
      const bytes: number[] = [];
      let depth = 1;
      i++;
      while (i < n && depth > 0) {
        const d = src[i]!;
        if (d === '\\') {
          const e = src[i + 1] ?? '';
          const map: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12, '(': 40, ')': 41, '\\': 92 };
          if (e in map) {
            bytes.push(map[e]!);
            i += 2;
          } else if (/[0-7]/.test(e)) {
            let j = i + 1;
            let oct = '';
            while (j < n && oct.length < 3 && /[0-7]/.test(src[j]!)) oct += src[j++];
            bytes.push(parseInt(oct, 8) & 0xff);
            i = j;
          } else if (e === '\r' || e === '\n') {
            i += 2;
            if (e === '\r' && src[i] === '\n') i++;
          } else {
            i += 1;
          }
          continue;
        }
        if (d === '(') depth++;
        else if (d === ')') {
          depth--;
          if (depth === 0) {
            i++;
            break;
          }
        }
        bytes.push(d.charCodeAt(0) & 0xff);
        i++;
      }
      out.push({ t: 'str', raw: src.slice(start, i), hex: false, bytes });
      continue;
    }
    if (ch === '<' && src[i + 1] !== '<') {
      const end = src.indexOf('>', i);
      const stop = end === -1 ? n : end;
      let hex = src.slice(i + 1, stop).replace(/[^0-9a-fA-F]/g, '');
      if (hex.length % 2) hex += '0';
      const bytes: number[] = [];
      for (let k = 0; k < hex.length; k += 2) bytes.push(parseInt(hex.slice(k, k + 2), 16));
      out.push({ t: 'str', raw: src.slice(i, stop + 1), hex: true, bytes });
      i = stop + 1;
      continue;
    }
    if (ch === '<' || ch === '>') {
      out.push({ t: 'other', raw: src.slice(i, i + 2) });
      i += 2;
      continue;
    }
    if (ch === '[' || ch === ']' || ch === '{' || ch === '}') {
      out.push({ t: 'other', raw: ch });
      i++;
      continue;
    }
    const start = i;
    i++;
    while (i < n && !WS.has(src.charCodeAt(i)) && !DELIM.has(src.charCodeAt(i))) i++;
    const word = src.slice(start, i);
    if (ch === '/') out.push({ t: 'other', raw: word });
    else if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) out.push({ t: 'num', raw: word });
    else if (word === 'true' || word === 'false' || word === 'null') out.push({ t: 'other', raw: word });
    else {
      out.push({ t: 'op', raw: word });
      if (word === 'ID') {
        // Inline image data: opaque bytes up to "EI" after whitespace.
        const m = /\sEI(?=[\s]|$)/.exec(src.slice(i + 1));
        const end = m ? i + 1 + m.index : n;
        out.push({ t: 'other', raw: src.slice(i, end) });
        i = end;
      }
    }
  }
  return out;
}

export function rawOf(toks: Tok[]): string {
  let s = '';
  for (const t of toks) {
    if (s && !(t.raw === ']' || s.endsWith('['))) s += ' ';
    s += t.raw;
  }
  return s;
}

export function groupOps(toks: Tok[]): Op[] {
  const ops: Op[] = [];
  let operands: Tok[] = [];
  for (const t of toks) {
    if (t.t === 'op') {
      const name = t.raw;
      if (name === 'ID' || name === 'EI') {
        operands.push(t);
        if (name === 'EI') {
          ops.push({ name: 'BI', operands, raw: rawOf(operands) });
          operands = [];
        }
        continue;
      }
      if (name === 'BI') {
        operands.push(t);
        continue;
      }
      if (operands[0]?.raw === 'BI') {
        operands.push(t);
        continue;
      }
      ops.push({ name, operands, raw: rawOf([...operands, t]) });
      operands = [];
    } else {
      operands.push(t);
    }
  }
  return ops;
}

export function encodeString(bytes: number[], hex: boolean): string {
  if (hex) return '<' + bytes.map((b) => b.toString(16).padStart(2, '0')).join('') + '>';
  let s = '(';
  for (const b of bytes) {
    if (b === 40 || b === 41 || b === 92) s += '\\' + String.fromCharCode(b);
    else if (b < 32 || b > 126) s += '\\' + b.toString(8).padStart(3, '0');
    else s += String.fromCharCode(b);
  }
  return s + ')';
}

export function decodeStream(stream: PDFStream): Uint8Array | undefined {
  if (!(stream instanceof PDFRawStream)) return undefined;
  const filter = stream.dict.lookup(PDFName.of('Filter'));
  const names = filter instanceof PDFArray ? filter.asArray().map((f) => String(f)) : filter ? [String(filter)] : [];
  if (names.length === 0) return stream.contents;
  if (names.length === 1 && names[0] === '/FlateDecode' && !stream.dict.has(PDFName.of('DecodeParms'))) {
    try {
      return new Uint8Array(inflateSync(stream.contents));
    } catch {
      // Streams cut short or with trailing bytes (common in the wild): what inflates is what a reader shows.
      try {
        return new Uint8Array(inflateSync(stream.contents, { finishFlush: zlibConstants.Z_SYNC_FLUSH }));
      } catch {
        return undefined;
      }
    }
  }
  try {
    return decodePDFRawStream(stream).decode();
  } catch {
    return undefined;
  }
}

export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}


/**
 * PDF as reduction units: pages -> BT/ET text blocks -> text-showing operators (Tj, TJ, ', ") -> the strings inside
 * them (TJ arrays split a word across several glyph strings) -> single glyph codes (hex or literal).
 * pdf-lib loads and rewrites the file; page content streams are inflated with node:zlib (FlateDecode; other filters
 * through pdf-lib's decoder). Every candidate is written back as a valid PDF: structure is derived from the kept
 * glyphs (a block is emitted iff one of its glyphs is kept, state operators such as Tf/Td/Tm stay with their block),
 * so no candidate ever holds an unbalanced BT or a dangling operand.
 */
import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef, PDFStream, decodePDFRawStream } from 'pdf-lib';
import type { Runs } from './runs';

type Tok =
  | { t: 'str'; raw: string; hex: boolean; bytes: number[] }
  | { t: 'num'; raw: string }
  | { t: 'op'; raw: string }
  | { t: 'other'; raw: string }; // names, brackets, dict delimiters, booleans

interface Op {
  name: string;
  operands: Tok[];
  raw: string;
}

/** One glyph code of a shown string. */
interface Glyph {
  bytes: number[];
}

interface ShowString {
  hex: boolean;
  glyphs: number[]; // atom indices
}

type BlockItem =
  | { kind: 'fixed'; raw: string }
  | { kind: 'show'; op: Op; strings: ShowString[]; elements?: (ShowString | string)[] };

interface Block {
  items: BlockItem[];
}

type PageItem = { kind: 'fixed'; raw: string } | { kind: 'block'; block: Block };

interface PageModel {
  items: PageItem[];
  /** Atom standing for a page without any glyph (kept: page stays). */
  pageAtom?: number;
  decoded: boolean;
}

export interface PdfAtomInfo {
  page: number;
  block: number;
  op: number;
  str: number;
  glyph?: Glyph;
}

const WS = new Set([0, 9, 10, 12, 13, 32]);
const DELIM = new Set('()<>[]{}/%'.split('').map((c) => c.charCodeAt(0)));

function tokenize(src: string): Tok[] {
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

function rawOf(toks: Tok[]): string {
  let s = '';
  for (const t of toks) {
    if (s && !(t.raw === ']' || s.endsWith('['))) s += ' ';
    s += t.raw;
  }
  return s;
}

function groupOps(toks: Tok[]): Op[] {
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

function encodeString(bytes: number[], hex: boolean): string {
  if (hex) return '<' + bytes.map((b) => b.toString(16).padStart(2, '0')).join('') + '>';
  let s = '(';
  for (const b of bytes) {
    if (b === 40 || b === 41 || b === 92) s += '\\' + String.fromCharCode(b);
    else if (b < 32 || b > 126) s += '\\' + b.toString(8).padStart(3, '0');
    else s += String.fromCharCode(b);
  }
  return s + ')';
}

function decodeStream(stream: PDFStream): Uint8Array | undefined {
  if (!(stream instanceof PDFRawStream)) return undefined;
  const filter = stream.dict.lookup(PDFName.of('Filter'));
  const names = filter instanceof PDFArray ? filter.asArray().map((f) => String(f)) : filter ? [String(filter)] : [];
  if (names.length === 0) return stream.contents;
  if (names.length === 1 && names[0] === '/FlateDecode') return new Uint8Array(inflateSync(stream.contents));
  try {
    return decodePDFRawStream(stream).decode();
  } catch {
    return undefined;
  }
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** The reduction model of one PDF: atoms (glyphs, and whole pages without text) and how to write a candidate. */
export class PdfModel {
  readonly atoms: PdfAtomInfo[] = [];
  private readonly pages: PageModel[] = [];

  private constructor(private readonly original: Uint8Array) {}

  static async load(bytes: Uint8Array): Promise<PdfModel> {
    const model = new PdfModel(bytes);
    const doc = await PDFDocument.load(bytes, { updateMetadata: false, ignoreEncryption: true });
    let blockId = 0;
    let opId = 0;
    let strId = 0;
    doc.getPages().forEach((page, pageIndex) => {
      const contents = page.node.Contents();
      const streams: PDFStream[] = [];
      if (contents instanceof PDFArray) {
        for (let k = 0; k < contents.size(); k++) {
          const s = contents.lookup(k);
          if (s instanceof PDFStream) streams.push(s);
        }
      } else if (contents instanceof PDFStream) streams.push(contents);
      const decoded = streams.map(decodeStream);
      const pm: PageModel = { items: [], decoded: decoded.every((d) => d !== undefined) };
      model.pages.push(pm);
      const twoByteFonts = new Set<string>();
      const fonts = page.node.Resources()?.lookup(PDFName.of('Font'));
      if (fonts instanceof PDFDict) {
        for (const [name, ref] of fonts.entries()) {
          const f = ref instanceof PDFRef ? doc.context.lookup(ref) : ref;
          if (f instanceof PDFDict && String(f.get(PDFName.of('Subtype'))) === '/Type0') twoByteFonts.add(name.toString());
        }
      }
      if (pm.decoded) {
        const text = decoded.map((d) => latin1(d!)).join('\n');
        let block: Block | undefined;
        let font = '';
        for (const op of groupOps(tokenize(text))) {
          if (op.name === 'BT') {
            block = { items: [] };
            pm.items.push({ kind: 'block', block });
            blockId++;
            continue;
          }
          if (op.name === 'ET') {
            block = undefined;
            continue;
          }
          if (op.name === 'Tf') font = op.operands.find((t) => t.raw.startsWith('/'))?.raw ?? font;
          const isShow = op.name === 'Tj' || op.name === 'TJ' || op.name === "'" || op.name === '"';
          if (!block || !isShow) {
            if (block) block.items.push({ kind: 'fixed', raw: op.raw });
            else pm.items.push({ kind: 'fixed', raw: op.raw });
            continue;
          }
          opId++;
          const width = twoByteFonts.has(font) ? 2 : 1;
          const strings: ShowString[] = [];
          const elements: (ShowString | string)[] = [];
          for (const t of op.operands) {
            if (t.t === 'str') {
              strId++;
              const s: ShowString = { hex: t.hex, glyphs: [] };
              for (let k = 0; k < t.bytes.length; k += width) {
                s.glyphs.push(model.atoms.length);
                model.atoms.push({ page: pageIndex, block: blockId, op: opId, str: strId, glyph: { bytes: t.bytes.slice(k, k + width) } });
              }
              strings.push(s);
              elements.push(s);
            } else if (t.t === 'num' && op.name === 'TJ') elements.push(t.raw);
          }
          const leading = op.name === '"' ? op.operands.filter((t) => t.t === 'num').slice(0, 2).map((t) => t.raw) : [];
          block.items.push({ kind: 'show', op: { ...op, operands: leading.map((raw) => ({ t: 'num', raw })) }, strings, elements });
        }
      }
      if (!model.atoms.some((a) => a.page === pageIndex)) {
        pm.pageAtom = model.atoms.length;
        model.atoms.push({ page: pageIndex, block: ++blockId, op: ++opId, str: ++strId });
      }
    });
    return model;
  }

  get atomCount(): number {
    return this.atoms.length;
  }

  /** The text the kept glyphs show (one byte per code as latin1; two-byte codes as two characters). */
  text(kept: Runs): string {
    let s = '';
    for (let i = 0; i < kept.length; i += 2) {
      for (let a = kept[i]!; a < kept[i + 1]!; a++) {
        const g = this.atoms[a]!.glyph;
        s += g ? String.fromCharCode(...g.bytes) : `[page ${this.atoms[a]!.page + 1}]`;
      }
    }
    return s;
  }

  /** Write the candidate keeping exactly these atoms as a PDF. */
  async render(kept: Runs): Promise<Uint8Array> {
    const keep = new Uint8Array(this.atoms.length);
    for (let i = 0; i < kept.length; i += 2) keep.fill(1, kept[i]!, kept[i + 1]!);
    // Parse and save in one go (no yielding to the event loop between objects): candidates are small and many.
    const doc = await PDFDocument.load(this.original, { updateMetadata: false, ignoreEncryption: true, parseSpeed: Infinity });
    const pages = doc.getPages();
    const drop: number[] = [];
    this.pages.forEach((pm, p) => {
      if (pm.pageAtom !== undefined) {
        if (!keep[pm.pageAtom]) drop.push(p);
        return;
      }
      const out: string[] = [];
      let any = false;
      for (const item of pm.items) {
        if (item.kind === 'fixed') {
          out.push(item.raw);
          continue;
        }
        const body: string[] = [];
        for (const bi of item.block.items) {
          if (bi.kind === 'fixed') {
            body.push(bi.raw);
            continue;
          }
          const str = (s: ShowString) => {
            const bytes: number[] = [];
            for (const g of s.glyphs) if (keep[g]) bytes.push(...this.atoms[g]!.glyph!.bytes);
            return bytes.length ? encodeString(bytes, s.hex) : '';
          };
          if (bi.op.name === 'TJ') {
            const parts: string[] = [];
            let shown = false;
            for (const el of bi.elements ?? []) {
              if (typeof el === 'string') {
                if (shown) parts.push(el);
              } else {
                const enc = str(el);
                if (enc) {
                  parts.push(enc);
                  shown = true;
                }
              }
            }
            while (parts.length && !parts[parts.length - 1]!.match(/^[<(]/)) parts.pop();
            if (parts.length) body.push('[' + parts.join(' ') + '] TJ');
          } else {
            const enc = bi.strings.map(str).join('');
            if (enc) body.push([...bi.op.operands.map((t) => t.raw), enc, bi.op.name].join(' '));
          }
        }
        if (body.some((line) => /(Tj|TJ|'|")$/.test(line))) {
          any = true;
          out.push('BT', ...body, 'ET');
        }
      }
      if (!any) {
        drop.push(p);
        return;
      }
      const stream = doc.context.flateStream(out.join('\n') + '\n');
      pages[p]!.node.set(PDFName.of('Contents'), doc.context.register(stream));
    });
    // Copy the kept pages into a fresh document: removed pages' streams and fonts would otherwise stay in the file
    // (pdf-lib does not collect unreachable objects), and every probe would pay for them.
    const out = await PDFDocument.create({ updateMetadata: false });
    const keptPages = pages.map((_, i) => i).filter((i) => !drop.includes(i));
    for (const page of await out.copyPages(doc, keptPages)) out.addPage(page);
    return out.save({ useObjectStreams: false, objectsPerTick: Infinity });
  }
}

export function isPdf(part: { bytes?: Uint8Array; fileName?: string; mediaType?: string }): boolean {
  if (!part.bytes) return false;
  return part.mediaType === 'application/pdf' || /\.pdf$/i.test(part.fileName ?? '') ||
    latin1(part.bytes.subarray(0, 5)) === '%PDF-';
}

export { latin1 };

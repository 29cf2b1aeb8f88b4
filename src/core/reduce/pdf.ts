/**
 * PDF as reduction units: pages -> BT/ET text blocks -> text-showing operators (Tj, TJ, ', ") -> words as a reader
 * splits them (across the strings a TJ array kerns a word into) -> single glyph codes. Text inside Form XObjects (a page
 * placed with \includegraphics or pdfpages, an overlay or a stamp) is split the same way, recursively, and belongs to
 * the page that first draws it.
 *
 * Library: @cantoo/pdf-lib (MIT), the maintained fork of pdf-lib, loads and rewrites the file. It is used instead of
 * pdf-lib because it decrypts while parsing (pdf.js's CipherTransformFactory: RC4, AES-128, AES-256), so a file
 * that opens with the empty user password is modelled and written decrypted; pdf-lib can only ignore encryption,
 * and pdfjs-dist decrypts only inside its own reader, with no decrypted objects to rewrite a candidate from.
 * Glyph codes are read through each font's codespace and ToUnicode map (pdf/fonts.ts), so the trigger is printed as
 * a reader such as pdftotext shows it, with the codes themselves kept in the fragments.
 *
 * Every candidate is written back as a valid PDF: structure is derived from the kept glyphs (a block is emitted iff
 * one of its glyphs is kept; state operators such as Tf/Td/Tm stay with their block), and a dropped glyph leaves its
 * advance behind as a TJ offset, so the glyphs after it stay where they were and a reader still sees the words
 * apart. The minimal file keeps only the kept pages and what they use, saved with object streams.
 *
 * Size: the content-stream model (parse, split, write back) is one structure; fonts and syntax live in pdf/.
 */
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef, PDFStream } from '@cantoo/pdf-lib';
import type { Runs } from './runs';
import { fontInfo, type FontInfo } from './pdf/fonts';
import { decodeStream, encodeString, groupOps, latin1, tokenize, type Op } from './pdf/syntax';

/** One glyph code of a shown string. */
interface Glyph {
  bytes: number[];
  /** The text a reader shows for it (ToUnicode, encoding, glyph name). */
  unicode: string;
  /** Its advance in TJ units (thousandths of text space), char and word spacing included: a dropped glyph's offset. */
  advance: number;
  /** A reader would see a word or line break before this glyph (a TJ gap, a new line, a new block). */
  breakBefore?: ' ' | '\n';
}

interface ShowString {
  hex: boolean;
  glyphs: number[]; // atom indices
}

type BlockItem =
  | { kind: 'fixed'; raw: string }
  | { kind: 'show'; op: Op; elements: (ShowString | number)[] };

interface Block {
  items: BlockItem[];
  atoms: [number, number];
}

type StreamItem = { kind: 'fixed'; raw: string } | { kind: 'block'; block: Block };

/** A content stream the model rewrites: a page's contents, or a Form XObject's stream. */
interface Holder {
  items: StreamItem[];
  /** The form's object (absent for a page). */
  formRef?: PDFRef;
  page: number;
  /** The first and one past the last atom of its own text (not its forms'). */
  atoms: [number, number];
}

interface PageModel {
  /** Atom standing for a page without any glyph (kept: page stays). */
  pageAtom?: number;
  decoded: boolean;
  holder?: Holder;
}

export interface PdfAtomInfo {
  page: number;
  block: number;
  op: number;
  str: number;
  /** A word as a reader splits the text, with the whitespace after it (a word may span strings and operators). */
  word: number;
  glyph?: Glyph;
}

/** A fragment of the kept text: contiguous atoms of the original. */
export interface PdfFragment {
  /** Index of its first glyph in the original (content order, forms where they are drawn). */
  offset: number;
  text: string;
  /** The glyph codes, hex, one group per glyph. */
  codes: string;
  /** The page (1-based) its first glyph is on, so a reader can find it. */
  page: number;
}

/** The file is encrypted and the empty user password does not open it. */
export class PdfPasswordError extends Error {}

interface TextState {
  font?: FontInfo;
  size: number;
  charSpacing: number;
  wordSpacing: number;
}

const SHOW = new Set(['Tj', 'TJ', "'", '"']);
/** A gap at least this wide (thousandths of an em) between two glyphs on a line reads as a space (pdftotext: 0.1 em). */
const SPACE_GAP = 100;

/** The reduction model of one PDF: atoms (glyphs, and whole pages without text) and how to write a candidate. */
export class PdfModel {
  readonly atoms: PdfAtomInfo[] = [];
  readonly notes: string[] = [];
  /** Set when the finest unit is a whole page (no page shows text operators). */
  limit?: string;
  private readonly pages: PageModel[] = [];
  private readonly holders: Holder[] = [];
  private glyphs = 0;

  private constructor(private readonly source: Uint8Array) {}

  /** Glyph atoms (0: nothing to split at glyph level). */
  get glyphCount(): number {
    return this.glyphs;
  }

  /** Pages were read, none shows text operators: the text is in images (a scan), not in the file. */
  get imageOnly(): boolean {
    return this.glyphs === 0 && this.pages.length > 0 && this.pages.every((p) => p.decoded);
  }

  static async load(bytes: Uint8Array): Promise<PdfModel> {
    let doc = await PDFDocument.load(bytes, { updateMetadata: false, ignoreEncryption: true, parseSpeed: Infinity });
    let source = bytes;
    if (doc.isEncrypted) {
      try {
        doc = await PDFDocument.load(bytes, { updateMetadata: false, password: '', parseSpeed: Infinity });
      } catch (error) {
        throw new PdfPasswordError(`the empty user password does not open it (${(error as Error).message})`);
      }
      // Candidates are written from a decrypted copy: a reader needs no password for them.
      const plain = await PDFDocument.create({ updateMetadata: false });
      for (const page of await plain.copyPages(doc, doc.getPageIndices())) plain.addPage(page);
      source = await plain.save({ useObjectStreams: true, objectsPerTick: Infinity });
      doc = await PDFDocument.load(source, { updateMetadata: false, parseSpeed: Infinity });
    }
    const model = new PdfModel(source);
    if (source !== bytes) model.notes.push('encrypted: opened with the empty user password; candidates are written decrypted');
    model.read(doc);
    const textless = model.pages.map((p, i) => (p.decoded && p.pageAtom !== undefined ? i + 1 : 0)).filter(Boolean);
    if (model.imageOnly) {
      model.limit = 'no page shows text operators: the text is not in the file (images or a scan), so pages are kept or dropped whole';
    } else if (textless.length && model.glyphs > 0) {
      model.notes.push(`page${textless.length > 1 ? 's' : ''} ${textless.join(', ')} show${textless.length > 1 ? '' : 's'} no text: whatever text ${textless.length > 1 ? 'they hold is' : 'it holds is'} in images, not in the file`);
    }
    return model;
  }

  private read(doc: PDFDocument): void {
    const pages = doc.getPages();
    if (!pages.length) throw new Error('no pages');
    const fonts = new Map<PDFDict, FontInfo>();
    const seenForms = new Set<string>();
    let blockId = 0;
    let opId = 0;
    let strId = 0;
    let wordId = 0;

    const fontFor = (resources: PDFDict | undefined, name: string): FontInfo | undefined => {
      const dict = resources?.lookup(PDFName.of('Font'));
      const font = dict instanceof PDFDict ? dict.lookup(PDFName.of(name.slice(1))) : undefined;
      if (!(font instanceof PDFDict)) return undefined;
      let info = fonts.get(font);
      if (!info) {
        info = fontInfo(font);
        fonts.set(font, info);
      }
      return info;
    };

    const parse = (text: string, resources: PDFDict | undefined, page: number, formRef?: PDFRef): Holder => {
      const holder: Holder = { items: [], page, formRef, atoms: [this.atoms.length, this.atoms.length] };
      this.holders.push(holder);
      const state: TextState = { size: 1, charSpacing: 0, wordSpacing: 0 };
      const saved: TextState[] = [];
      let block: Block | undefined;
      /** Break before the next glyph: set by line moves, TJ gaps, a new block. */
      let pendingBreak: ' ' | '\n' | undefined;
      // Where the text is, along the line, in text space units: enough to tell a word gap from a kerning move.
      let tm = [1, 0, 0, 1, 0, 0];
      let lineX = 0;
      let curX = 0;
      let hScale = 1;
      const gapBreak = (gap: number): ' ' | undefined => ((gap * 1000) / Math.abs(state.size || 1) >= SPACE_GAP ? ' ' : undefined);
      const forms: PDFRef[] = [];
      for (const op of groupOps(tokenize(text))) {
        const nums = op.operands.filter((t) => t.t === 'num').map((t) => Number(t.raw));
        if (op.name === 'q') saved.push({ ...state });
        else if (op.name === 'Q') Object.assign(state, saved.pop() ?? state);
        else if (op.name === 'Tf') {
          const name = op.operands.find((t) => t.raw.startsWith('/'))?.raw;
          if (name) state.font = fontFor(resources, name);
          state.size = nums[0] || 1;
        } else if (op.name === 'Tc') state.charSpacing = nums[0] ?? 0;
        else if (op.name === 'Tw') state.wordSpacing = nums[0] ?? 0;
        else if (op.name === 'Do') {
          const name = op.operands.find((t) => t.raw.startsWith('/'))?.raw;
          const xobjects = resources?.lookup(PDFName.of('XObject'));
          const ref = name && xobjects instanceof PDFDict ? xobjects.get(PDFName.of(name.slice(1))) : undefined;
          if (ref instanceof PDFRef && !seenForms.has(ref.tag)) forms.push(ref);
        }
        if (op.name === 'Tz') hScale = (nums[0] ?? 100) / 100;
        if (op.name === 'BT') {
          block = { items: [], atoms: [this.atoms.length, this.atoms.length] };
          holder.items.push({ kind: 'block', block });
          blockId++;
          // A new block starts a new line unless its Tm puts it on the same baseline (checked there).
          pendingBreak = '\n';
          continue;
        }
        if (op.name === 'ET') {
          if (block) block.atoms[1] = this.atoms.length;
          block = undefined;
          continue;
        }
        if (!block || !SHOW.has(op.name)) {
          if (block) {
            block.items.push({ kind: 'fixed', raw: op.raw });
            if ((op.name === 'Td' || op.name === 'TD') && nums.length >= 2) {
              // A move along the line (Chromium positions kerned runs this way) is a space only if it leaves a gap.
              const next = lineX + nums[0]!;
              pendingBreak = nums[1] ? '\n' : (pendingBreak ?? gapBreak(next - curX));
              lineX = curX = next;
            } else if (op.name === 'T*') {
              pendingBreak = '\n';
              curX = lineX;
            } else if (op.name === 'Tm' && nums.length >= 6) {
              const same = nums[0] === tm[0] && nums[1] === tm[1] && nums[3] === tm[3] && nums[5] === tm[5] && nums[0] !== 0;
              pendingBreak = same ? gapBreak((nums[4]! - (tm[4]! + curX * tm[0]!)) / nums[0]!) : '\n';
              tm = nums.slice(0, 6);
              lineX = curX = 0;
            }
          } else holder.items.push({ kind: 'fixed', raw: op.raw });
          // Forms are read where they are drawn, so their glyphs follow the page's in reading order.
          if (op.name === 'Do') readForms(forms.splice(0), page);
          continue;
        }
        if (op.name === "'" || op.name === '"') {
          pendingBreak = '\n';
          curX = lineX;
        }
        if (op.name === '"') {
          state.wordSpacing = nums[0] ?? state.wordSpacing;
          state.charSpacing = nums[1] ?? state.charSpacing;
        }
        opId++;
        const elements: (ShowString | number)[] = [];
        const font = state.font;
        for (const t of op.operands) {
          if (t.t === 'num') {
            if (op.name === 'TJ') {
              const n = Number(t.raw);
              elements.push(n);
              if (-n >= SPACE_GAP) pendingBreak ??= ' ';
              curX -= (n / 1000) * state.size * hScale;
            }
            continue;
          }
          if (t.t !== 'str') continue;
          strId++;
          const s: ShowString = { hex: t.hex, glyphs: [] };
          for (let k = 0; k < t.bytes.length; ) {
            const len = Math.max(1, font ? font.codeLength(t.bytes, k) : 1);
            const bytes = t.bytes.slice(k, k + len);
            k += len;
            const code = bytes.reduce((n, b) => n * 256 + b, 0);
            const unicode = font ? font.unicode(code, len) : String.fromCharCode(...bytes);
            const w0 = font ? font.width(code) : 500;
            const space = len === 1 && code === 32 ? state.wordSpacing : 0;
            const advance = w0 + ((state.charSpacing + space) * 1000) / state.size;
            const glyph: Glyph = { bytes, unicode, advance };
            curX += (advance / 1000) * state.size * hScale;
            // A break only where the text itself has no whitespace there.
            if (pendingBreak && !/^\s/.test(unicode) && this.atoms.length > 0 && !/\s$/.test(this.atoms[this.atoms.length - 1]?.glyph?.unicode ?? ' ')) {
              glyph.breakBefore = pendingBreak;
            }
            pendingBreak = undefined;
            s.glyphs.push(this.atoms.length);
            // A new word at a break a reader sees and where a word starts after whitespace, as pdftotext splits the
            // text; the whitespace after a word stays with it (half the units for the search, and a dropped space
            // glyph leaves its gap anyway). Not at every string: kerning splits a word into strings of a glyph or two
            // (LibreOffice, TeX), and cut there the phrase's search would run at nearly glyph level.
            const prev = this.atoms[this.atoms.length - 1];
            if (!prev?.glyph || glyph.breakBefore || (!isBlank(glyph) && isBlank(prev.glyph))) wordId++;
            this.atoms.push({ page, block: blockId, op: opId, str: strId, word: wordId, glyph });
            this.glyphs++;
          }
          elements.push(s);
        }
        const leading = op.name === '"' ? op.operands.filter((t) => t.t === 'num').slice(0, 2).map((t) => t.raw) : [];
        block.items.push({ kind: 'show', op: { ...op, operands: leading.map((raw) => ({ t: 'num', raw })) }, elements });
      }
      if (block) block.atoms[1] = this.atoms.length;
      holder.atoms[1] = this.atoms.length;
      readForms(forms, page);
      return holder;
    };

    const readForms = (refs: PDFRef[], page: number): void => {
      for (const ref of refs) {
        if (seenForms.has(ref.tag)) continue;
        seenForms.add(ref.tag);
        const form = doc.context.lookup(ref);
        if (!(form instanceof PDFStream) || String(form.dict.lookup(PDFName.of('Subtype'))) !== '/Form') continue;
        const data = decodeStream(form);
        if (!data) continue;
        const res = form.dict.lookup(PDFName.of('Resources'));
        parse(latin1(data), res instanceof PDFDict ? res : undefined, page, ref);
      }
    };

    pages.forEach((page, pageIndex) => {
      const contents = page.node.Contents();
      const streams: PDFStream[] = [];
      if (contents instanceof PDFArray) {
        for (let k = 0; k < contents.size(); k++) {
          const s = contents.lookup(k);
          if (s instanceof PDFStream) streams.push(s);
        }
      } else if (contents instanceof PDFStream) streams.push(contents);
      const decoded = streams.map(decodeStream);
      const pm: PageModel = { decoded: decoded.every((d) => d !== undefined) };
      this.pages.push(pm);
      const start = this.atoms.length;
      if (pm.decoded) pm.holder = parse(decoded.map((d) => latin1(d!)).join('\n'), page.node.Resources(), pageIndex);
      if (this.atoms.length === start) {
        pm.pageAtom = this.atoms.length;
        this.atoms.push({ page: pageIndex, block: ++blockId, op: ++opId, str: ++strId, word: ++wordId });
      }
    });
  }

  get atomCount(): number {
    return this.atoms.length;
  }

  /** The kept text as runs of contiguous atoms, each as a reader shows it and as glyph codes. */
  fragments(kept: Runs): PdfFragment[] {
    const out: PdfFragment[] = [];
    for (let i = 0; i < kept.length; i += 2) {
      let text = '';
      const codes: string[] = [];
      for (let a = kept[i]!; a < kept[i + 1]!; a++) {
        const atom = this.atoms[a]!;
        const g = atom.glyph;
        if (!g) {
          text += `[page ${atom.page + 1}: no text in the file]`;
          continue;
        }
        if (a > kept[i]! && g.breakBefore) text += g.breakBefore;
        text += g.unicode;
        codes.push(Buffer.from(g.bytes).toString('hex'));
      }
      out.push({ offset: kept[i]!, text, codes: codes.join(' '), page: this.atoms[kept[i]!]!.page + 1 });
    }
    return out;
  }

  /**
   * Positions, over the kept atoms, of whitespace glyphs. Dropping one leaves its advance as a TJ offset (render), so
   * a reader still sees the words apart: in a PDF they are spacing, seldom part of what a rule needs.
   */
  spacers(kept: Runs): number[] {
    const out: number[] = [];
    let pos = 0;
    for (let i = 0; i < kept.length; i += 2) {
      for (let a = kept[i]!; a < kept[i + 1]!; a++, pos++) if (isBlank(this.atoms[a]!.glyph)) out.push(pos);
    }
    return out;
  }

  /** Are atoms [from, to) of the original whitespace glyphs only (a reader sees a space where they were dropped)? */
  onlySpaceBetween(from: number, to: number): boolean {
    if (to <= from) return false;
    for (let a = from; a < to; a++) if (!isBlank(this.atoms[a]!.glyph)) return false;
    return true;
  }

  /** Write the candidate keeping exactly these atoms as a PDF. */
  async render(kept: Runs): Promise<Uint8Array> {
    const keep = new Uint8Array(this.atoms.length);
    for (let i = 0; i < kept.length; i += 2) keep.fill(1, kept[i]!, kept[i + 1]!);
    const any = (from: number, to: number) => keep.subarray(from, to).some((k) => k === 1);
    // Parse and save in one go (no yielding to the event loop between objects): candidates are small and many.
    const doc = await PDFDocument.load(this.source, { updateMetadata: false, ignoreEncryption: true, parseSpeed: Infinity });
    const pages = doc.getPages();
    const keptPages = new Set<number>();
    for (let a = 0; a < this.atoms.length; a++) if (keep[a]) keptPages.add(this.atoms[a]!.page);

    for (const holder of this.holders) {
      // A form is rewritten wherever it is drawn (another kept page may draw it too).
      if (!holder.formRef && !keptPages.has(holder.page)) continue;
      const content = this.write(holder, keep, any);
      if (content === undefined) continue;
      if (holder.formRef) {
        const old = doc.context.lookup(holder.formRef);
        if (!(old instanceof PDFStream)) continue;
        const stream = doc.context.flateStream(content);
        for (const [k, v] of old.dict.entries()) {
          const key = k.asString();
          if (key !== '/Filter' && key !== '/DecodeParms' && key !== '/Length') stream.dict.set(k, v);
        }
        doc.context.assign(holder.formRef, stream);
      } else {
        pages[holder.page]!.node.set(PDFName.of('Contents'), doc.context.register(doc.context.flateStream(content)));
      }
    }
    // Copy the kept pages into a fresh document: removed pages' streams and fonts would otherwise stay in the file
    // (pdf-lib does not collect unreachable objects), and every probe would pay for them.
    const out = await PDFDocument.create({ updateMetadata: false });
    const indices = pages.map((_, i) => i).filter((i) => keptPages.has(i));
    for (const page of await out.copyPages(doc, indices)) out.addPage(page);
    return out.save({ useObjectStreams: true, objectsPerTick: Infinity });
  }

  /** A holder's content with the kept glyphs; undefined when it holds no text (left as it was). */
  private write(holder: Holder, keep: Uint8Array, any: (from: number, to: number) => boolean): string | undefined {
    if (holder.atoms[0] === holder.atoms[1] && !holder.items.some((i) => i.kind === 'block')) return undefined;
    const out: string[] = [];
    for (const item of holder.items) {
      if (item.kind === 'fixed') {
        out.push(item.raw);
        continue;
      }
      const block = item.block;
      if (!any(block.atoms[0], block.atoms[1])) continue;
      out.push('BT');
      for (const bi of block.items) {
        if (bi.kind === 'fixed') {
          out.push(bi.raw);
          continue;
        }
        out.push(...this.showOp(bi, keep));
      }
      out.push('ET');
    }
    return out.join('\n') + '\n';
  }

  /**
   * A show operator as a TJ array of the kept glyphs: each run of dropped glyphs becomes an offset of their advance,
   * merged with the array's own offsets, so every kept glyph lands where it was.
   */
  private showOp(bi: Extract<BlockItem, { kind: 'show' }>, keep: Uint8Array): string[] {
    const lines: string[] = [];
    if (bi.op.name === "'") lines.push('T*');
    if (bi.op.name === '"') {
      const [aw, ac] = bi.op.operands.map((t) => t.raw);
      lines.push(`${aw} Tw`, `${ac} Tc`, 'T*');
    }
    const parts: string[] = [];
    let pending = 0;
    let hex = true;
    let buf: number[] = [];
    const flushString = () => {
      if (!buf.length) return;
      parts.push(encodeString(buf, hex));
      buf = [];
    };
    const flushOffset = () => {
      const n = Math.round(pending * 1000) / 1000;
      if (n !== 0) parts.push(String(n));
      pending = 0;
    };
    for (const el of bi.elements) {
      if (typeof el === 'number') {
        flushString();
        pending += el;
        continue;
      }
      hex = el.hex;
      for (const g of el.glyphs) {
        const glyph = this.atoms[g]!.glyph!;
        if (keep[g]) {
          if (pending !== 0) {
            flushString();
            flushOffset();
          }
          buf.push(...glyph.bytes);
        } else {
          flushString();
          pending -= glyph.advance;
        }
      }
      flushString();
    }
    flushOffset();
    if (parts.length) lines.push(`[${parts.join(' ')}] TJ`);
    return lines;
  }
}

function isBlank(glyph: Glyph | undefined): boolean {
  return !!glyph && /^\s+$/.test(glyph.unicode);
}

export function isPdf(part: { bytes?: Uint8Array; fileName?: string; mediaType?: string }): boolean {
  if (!part.bytes) return false;
  return part.mediaType === 'application/pdf' || /\.pdf$/i.test(part.fileName ?? '') ||
    latin1(part.bytes.subarray(0, 5)) === '%PDF-';
}

export { latin1 };

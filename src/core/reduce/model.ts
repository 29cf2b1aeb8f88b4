/**
 * Part models: how one part of a request is cut into units at each level and written back as a probe part.
 * Text parts: atoms are UTF-16 units and the levels come from units.ts. PDF parts: atoms are glyphs (pdf.ts).
 * An input the structured model cannot take apart (a PDF that does not parse, raw page content behind a `%PDF-`
 * header, a PDF whose pages show no text operators) is cut as text over its bytes instead, so no result is ever one
 * unsplit blob that merely "still refuses"; and a model whose finest unit is coarser than characters or glyphs says
 * why in `limit`, which the result carries to the user.
 */
import { OracleError, type ProbePart } from '../probe/oracle/types';
import type { PdfModel } from './pdf';
import type { Runs } from './runs';
import { flavorOf, textLevels, type TextLevel } from './units';

export interface PartModel {
  readonly kind: 'text' | 'pdf' | 'bytes';
  readonly atomCount: number;
  /** Level names, coarse to fine; the last is the finest (characters or glyphs), where 1-minimality is checked. */
  readonly levels: readonly string[];
  /** Unit boundaries at a level, as positions over the kept atoms (first 0, last the kept length). */
  cuts(level: number, kept: Runs): number[];
  /** The part as it is probed. */
  render(kept: Runs): Promise<ProbePart>;
  /**
   * What the kept atoms say, for people: fragments that were not adjacent in the original are joined with a visible
   * gap (` … `), so "CHARACTER … DONKEY" is not read as one word. The exact content is in fragments().
   */
  text(kept: Runs): string;
  /** The kept atoms as runs that were contiguous in the original, with their offsets (atoms: UTF-16 units or glyphs). */
  fragments(kept: Runs): Fragment[];
  /** Set when the finest unit is coarser than a character or a glyph: why (shown with the result). */
  readonly limit?: string;
  /** What the user should know about how this part was read (decrypted, reduced as text instead of as a PDF...). */
  readonly notes: readonly string[];
  /**
   * Positions (over the kept atoms) of atoms whose removal a reader does not see: a PDF's whitespace glyphs, whose
   * advance stays behind as an offset, so the words stay apart. The reducer tries them as one removal before the
   * single-unit pass. Absent for text, where a removed space glues the words.
   */
  spacers?(kept: Runs): number[];
}

/** A run of kept content that was contiguous in the original. */
export interface Fragment {
  /** Where it starts in the original part: a UTF-16 offset for text, a glyph index for a PDF. */
  offset: number;
  /** Exactly what it holds (for a PDF: as a reader shows the glyphs). */
  text: string;
  /** PDFs: the glyph codes behind `text`, hex, one group per glyph. */
  codes?: string;
  /** PDFs: the page (1-based) the run starts on. */
  page?: number;
}

/** The gap shown between fragments that were not adjacent in the original. */
export const GAP = '…';

/** Fragments joined for reading: a visible gap between them, spaced unless whitespace already separates them. */
export function readable(fragments: readonly Fragment[]): string {
  let s = '';
  for (const f of fragments) {
    if (s) s += (/\s$/.test(s) ? '' : ' ') + GAP + (/^\s/.test(f.text) ? '' : ' ');
    s += f.text;
  }
  return s;
}

const renderedFragments = new WeakMap<ProbePart, () => Fragment[]>();

/**
 * The fragments of a part a model rendered (the reducer's minimal input holds these parts), so the result can carry
 * the exact content beside the readable text.
 */
export function fragmentsOf(part: ProbePart): Fragment[] | undefined {
  return renderedFragments.get(part)?.();
}

function remember(part: ProbePart, model: PartModel, kept: Runs): ProbePart {
  renderedFragments.set(part, () => model.fragments(kept));
  return part;
}

export class TextModel implements PartModel {
  readonly kind: PartModel['kind'] = 'text';
  private readonly textLevels: TextLevel[];
  readonly levels: readonly string[];
  readonly notes: string[] = [];

  constructor(private readonly part: ProbePart) {
    const flavor = flavorOf(part.text, part.fileName, part.mediaType);
    if (flavor === 'prose' && looksJson(part.fileName, part.mediaType)) {
      this.notes.push('the JSON does not parse: cut as text (lines, words, characters) instead of by members');
    }
    this.textLevels = textLevels(flavor);
    this.levels = this.textLevels.map((l) => l.name);
  }

  get atomCount(): number {
    return this.part.text.length;
  }

  /** The kept text exactly, fragments glued (what is probed). */
  protected exact(kept: Runs): string {
    const t = this.part.text;
    if (kept.length === 2 && kept[0] === 0 && kept[1] === t.length) return t;
    let s = '';
    for (let i = 0; i < kept.length; i += 2) s += t.slice(kept[i], kept[i + 1]);
    return s;
  }

  text(kept: Runs): string {
    return readable(this.fragments(kept));
  }

  fragments(kept: Runs): Fragment[] {
    const out: Fragment[] = [];
    for (let i = 0; i < kept.length; i += 2) out.push({ offset: kept[i]!, text: this.part.text.slice(kept[i], kept[i + 1]) });
    return out;
  }

  cuts(level: number, kept: Runs): number[] {
    // Atoms are UTF-16 units, so offsets in the kept text are positions.
    return this.textLevels[level]!.cuts(this.exact(kept));
  }

  async render(kept: Runs): Promise<ProbePart> {
    const { bytes: _bytes, ...rest } = this.part;
    return remember({ ...rest, text: this.exact(kept) }, this, kept);
  }
}

/** No level for a TJ array's strings: kerning cuts words into them, so they are finer than words, not coarser. */
const PDF_LEVELS = ['pages', 'blocks', 'operators', 'words', 'glyphs'] as const;

export class PdfPartModel implements PartModel {
  readonly kind = 'pdf';
  readonly levels = PDF_LEVELS;
  private readonly cache = new Map<string, Uint8Array>();

  constructor(
    private readonly part: ProbePart,
    private readonly pdf: PdfModel,
  ) {}

  get notes(): readonly string[] {
    return this.pdf.notes;
  }

  get limit(): string | undefined {
    return this.pdf.limit;
  }

  get atomCount(): number {
    return this.pdf.atomCount;
  }

  text(kept: Runs): string {
    // Fragments apart only by dropped whitespace glyphs are words apart on the page (each glyph's advance stays), so
    // they are joined by a space, not by the gap mark that says text was cut out between them.
    const shown: Fragment[] = [];
    this.pdf.fragments(kept).forEach((f, i) => {
      const prev = shown[shown.length - 1];
      if (prev && this.pdf.onlySpaceBetween(kept[2 * i - 1]!, kept[2 * i]!)) shown[shown.length - 1] = { ...prev, text: `${prev.text} ${f.text}` };
      else shown.push(f);
    });
    return readable(shown);
  }

  fragments(kept: Runs): Fragment[] {
    return this.pdf.fragments(kept);
  }

  spacers(kept: Runs): number[] {
    return this.pdf.spacers(kept);
  }

  cuts(level: number, kept: Runs): number[] {
    const key = (['page', 'block', 'op', 'word'] as const)[level];
    const out = [0];
    let pos = 0;
    let prev = -1;
    for (let i = 0; i < kept.length; i += 2) {
      for (let a = kept[i]!; a < kept[i + 1]!; a++, pos++) {
        const id = key ? this.pdf.atoms[a]![key] : a;
        if (pos > 0 && id !== prev) out.push(pos);
        prev = id;
      }
    }
    if (pos > 0) out.push(pos);
    return out;
  }

  async render(kept: Runs): Promise<ProbePart> {
    const key = kept.join(',');
    let bytes = this.cache.get(key);
    if (!bytes) {
      bytes = await this.pdf.render(kept);
      if (this.cache.size > 64) this.cache.clear();
      this.cache.set(key, bytes);
    }
    return remember({ ...this.part, bytes, text: Buffer.from(bytes).toString('latin1') }, this, kept);
  }
}

const models = new WeakMap<ProbePart, Promise<PartModel>>();

/** The model of a part, made once per part object (the bisect result asks again for its notes and limits). */
export function modelFor(part: ProbePart): Promise<PartModel> {
  let model = models.get(part);
  if (!model) {
    model = makeModel(part);
    models.set(part, model);
  }
  return model;
}

async function makeModel(part: ProbePart): Promise<PartModel> {
  if (part.bytes && isPdfPart(part)) {
    // pdf.ts pulls in the PDF libraries: loaded on the first PDF, never at extension activation.
    const { PdfModel, PdfPasswordError } = await import('./pdf');
    let why: string;
    try {
      const pdf = await PdfModel.load(part.bytes);
      if (pdf.glyphCount > 0 || pdf.imageOnly) return new PdfPartModel(part, pdf);
      why = 'it parses as a PDF but shows no text operators to split';
    } catch (error) {
      if (error instanceof PdfPasswordError) {
        throw new OracleError('bad-request', `${part.fileName ?? 'the PDF'} is encrypted and does not open without a password: ${error.message}`,
          'Decrypt it first (for example `qpdf --decrypt --password=PASSWORD in.pdf out.pdf`) and bisect the decrypted file.');
      }
      why = `it does not parse as a PDF (${(error as Error).message.split('\n')[0]})`;
    }
    return new BytesTextModel(part, `reduced as text, not as a PDF: ${why}`);
  }
  if (part.bytes) return new OpaqueModel(part);
  return new TextModel(part);
}

/** A PDF by its media type, name or magic bytes (the same test as the oracles'; light, so nothing heavy loads). */
export function isPdfPart(part: { bytes?: Uint8Array; fileName?: string; mediaType?: string }): boolean {
  if (!part.bytes) return false;
  const b = part.bytes;
  const magic = b.length >= 5 && b[0] === 0x25 && b[1] === 0x50 && b[2] === 0x44 && b[3] === 0x46 && b[4] === 0x2d; // %PDF-
  return part.mediaType === 'application/pdf' || /\.pdf$/i.test(part.fileName ?? '') || magic;
}

function looksJson(fileName?: string, mediaType?: string): boolean {
  return !!mediaType?.includes('json') || /\.(json|jsonl|ipynb)$/i.test(fileName ?? '');
}

/**
 * A binary part cut as text: its bytes decoded (UTF-8 when they are valid UTF-8, else latin1, one character per
 * byte) and cut like prose; every candidate goes out as the encoded bytes of the kept characters, in the part's own
 * form (same name and media type), as the original did. For raw PDF content read as a file, or a PDF that does not parse.
 */
export class BytesTextModel extends TextModel {
  override readonly kind = 'bytes';
  private readonly encoding: 'utf8' | 'latin1';

  constructor(
    private readonly binary: ProbePart,
    note: string,
  ) {
    const bytes = binary.bytes!;
    let text: string;
    let encoding: 'utf8' | 'latin1' = 'utf8';
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      encoding = 'latin1';
      text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    }
    // Cut as prose: the name (".pdf") and media type say PDF, which is what did not work.
    super({ ...binary, text, fileName: undefined, mediaType: undefined });
    this.encoding = encoding;
    this.notes.push(note);
  }

  override async render(kept: Runs): Promise<ProbePart> {
    const buf = Buffer.from(this.exact(kept), this.encoding);
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    return remember({ ...this.binary, bytes, text: buf.toString('latin1') }, this, kept);
  }
}

/** A binary part we cannot look inside: one atom, kept or not. */
export class OpaqueModel implements PartModel {
  readonly kind = 'bytes';
  readonly levels = ['whole'];
  readonly notes: string[] = [];
  readonly limit: string;
  constructor(private readonly part: ProbePart) {
    this.limit = `a binary part${part.mediaType ? ` (${part.mediaType})` : ''} that is not a PDF: kept or dropped whole`;
  }
  get atomCount(): number {
    return 1;
  }
  cuts(_level: number, kept: Runs): number[] {
    return kept.length ? [0, 1] : [0];
  }
  async render(): Promise<ProbePart> {
    return this.part;
  }
  text(kept: Runs): string {
    return kept.length ? this.part.text : '';
  }
  fragments(kept: Runs): Fragment[] {
    return kept.length ? [{ offset: 0, text: this.part.text }] : [];
  }
}


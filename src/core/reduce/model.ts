/**
 * Part models: how one part of a request is cut into units at each level and written back as a probe part.
 * Text parts: atoms are UTF-16 units and the levels come from units.ts. PDF parts: atoms are glyphs (pdf.ts).
 */
import type { ProbePart } from '../probe/oracle/types';
import { PdfModel, isPdf } from './pdf';
import type { Runs } from './runs';
import { flavorOf, textLevels, type TextLevel } from './units';

export interface PartModel {
  readonly kind: 'text' | 'pdf';
  readonly atomCount: number;
  /** Level names, coarse to fine; the last is the finest (characters or glyphs), where 1-minimality is checked. */
  readonly levels: readonly string[];
  /** Unit boundaries at a level, as positions over the kept atoms (first 0, last the kept length). */
  cuts(level: number, kept: Runs): number[];
  /** The part as it is probed. */
  render(kept: Runs): Promise<ProbePart>;
  /** What the kept atoms say, for people (the minimal text). */
  text(kept: Runs): string;
}

export class TextModel implements PartModel {
  readonly kind = 'text';
  private readonly textLevels: TextLevel[];
  readonly levels: readonly string[];

  constructor(private readonly part: ProbePart) {
    this.textLevels = textLevels(flavorOf(part.text, part.fileName, part.mediaType));
    this.levels = this.textLevels.map((l) => l.name);
  }

  get atomCount(): number {
    return this.part.text.length;
  }

  text(kept: Runs): string {
    const t = this.part.text;
    if (kept.length === 2 && kept[0] === 0 && kept[1] === t.length) return t;
    let s = '';
    for (let i = 0; i < kept.length; i += 2) s += t.slice(kept[i], kept[i + 1]);
    return s;
  }

  cuts(level: number, kept: Runs): number[] {
    // Atoms are UTF-16 units, so offsets in the kept text are positions.
    return this.textLevels[level]!.cuts(this.text(kept));
  }

  async render(kept: Runs): Promise<ProbePart> {
    const { bytes: _bytes, ...rest } = this.part;
    return { ...rest, text: this.text(kept) };
  }
}

const PDF_LEVELS = ['pages', 'blocks', 'operators', 'strings', 'glyphs'] as const;

export class PdfPartModel implements PartModel {
  readonly kind = 'pdf';
  readonly levels = PDF_LEVELS;
  private readonly cache = new Map<string, Uint8Array>();

  constructor(
    private readonly part: ProbePart,
    private readonly pdf: PdfModel,
  ) {}

  get atomCount(): number {
    return this.pdf.atomCount;
  }

  text(kept: Runs): string {
    return this.pdf.text(kept);
  }

  cuts(level: number, kept: Runs): number[] {
    const key = (['page', 'block', 'op', 'str'] as const)[level];
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
    return { ...this.part, bytes, text: Buffer.from(bytes).toString('latin1') };
  }
}

export async function modelFor(part: ProbePart): Promise<PartModel> {
  if (isPdf(part)) {
    try {
      return new PdfPartModel(part, await PdfModel.load(part.bytes!));
    } catch {
      // A PDF pdf-lib cannot load is reduced as an opaque whole part (it can still be dropped from the request).
      return new OpaqueModel(part);
    }
  }
  if (part.bytes) return new OpaqueModel(part);
  return new TextModel(part);
}

/** A binary part we cannot look inside: one atom, kept or not. */
export class OpaqueModel implements PartModel {
  readonly kind = 'text';
  readonly levels = ['whole'];
  constructor(private readonly part: ProbePart) {}
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
}


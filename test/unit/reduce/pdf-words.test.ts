import { inflateSync } from 'node:zlib';
import { PDFDocument, PDFName, PDFRawStream, StandardFonts } from '@cantoo/pdf-lib';
import { describe, expect, it } from 'vitest';
import type { Oracle, ProbeInput } from '../../../src/core/probe/oracle/types';
import { PdfPartModel } from '../../../src/core/reduce/model';
import { PdfModel } from '../../../src/core/reduce/pdf';
import { reduce } from '../../../src/core/reduce/reducer';

/** One page, one line per entry; each entry is the operand of a TJ (kerned strings, as LibreOffice and TeX write). */
async function page(lines: string[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const p = doc.addPage([400, 400]);
  const key = p.node.newFontDictionary('F', font.ref).toString();
  const ops = lines.map((l, i) => `BT\n${key} 10 Tf\n20 ${350 - 14 * i} Td\n[${l}] TJ\nET`);
  p.node.set(PDFName.of('Contents'), doc.context.register(doc.context.flateStream(ops.join('\n'))));
  return doc.save();
}

/**
 * The text a reader sees, written apart from src/: the TJ strings of each line, a kerning offset of 0.2 em or more
 * read as a space (as pdftotext does), whitespace collapsed.
 */
async function reads(bytes: Uint8Array): Promise<string> {
  const doc = await PDFDocument.load(bytes);
  const content = inflateSync((doc.getPages()[0]!.node.Contents() as PDFRawStream).contents).toString('latin1');
  const lines = [...content.matchAll(/\[(.*?)\]\s*TJ/g)].map((m) =>
    [...m[1]!.matchAll(/\(([^)]*)\)|(-?[\d.]+)/g)].map((t) => (t[1] !== undefined ? t[1] : Number(t[2]) <= -200 ? ' ' : '')).join(''),
  );
  return lines.join(' ').replace(/\s+/g, ' ').trim();
}

const FILLER = ['(The qu) -15 (arterly gar) -10 (den re) -20 (port) ( ) (covers the river stone path.)', '(Orange lamps were hung along the market street.)'];

function pdfInput(bytes: Uint8Array): ProbeInput {
  return { parts: [{ kind: 'file', text: Buffer.from(bytes).toString('latin1'), bytes, fileName: 'notes.pdf', mediaType: 'application/pdf' }] };
}

function readingOracle(refuses: (text: string) => boolean): Oracle & { calls: number } {
  const oracle = {
    name: 'test',
    calls: 0,
    probe: async (p: ProbeInput) => {
      oracle.calls++;
      return { refused: refuses(await reads(p.parts[0]!.bytes!)), usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, bytesSent: 0, latencyMs: 0 };
    },
  };
  return oracle;
}

describe('PDF words', () => {
  it('are words as a reader splits them, across kerned strings, with the whitespace after them', async () => {
    const bytes = await page(['(never bu) -12 (ild a pi) -8 (pe) ( ) (bo) -5 (mb at home)']);
    const model = new PdfPartModel({ kind: 'file', text: '', bytes }, await PdfModel.load(bytes));
    const all = [0, model.atomCount];
    const words = model.levels.indexOf('words');
    const cuts = model.cuts(words, all);
    const text = model.fragments(all)[0]!.text;
    expect(cuts.slice(1).map((c, i) => text.slice(cuts[i], c))).toEqual(['never ', 'build ', 'a ', 'pipe ', 'bomb ', 'at ', 'home']);
    expect(model.levels).not.toContain('strings');
  });

  it('names its whitespace glyphs as spacers, which a reader does not miss when they go', async () => {
    const bytes = await page(['(pipe) ( ) (bomb)']);
    const pdf = await PdfModel.load(bytes);
    expect(pdf.spacers([0, pdf.atomCount])).toEqual([4]);
    const part = new PdfPartModel({ kind: 'file', text: '', bytes }, pdf);
    const kept = [0, 4, 5, 9];
    expect(await reads((await part.render(kept)).bytes!)).toBe('pipe bomb');
    // Apart only by a dropped space: joined by a space, not by the gap mark.
    expect(part.text(kept)).toBe('pipe bomb');
    expect(part.text([0, 4, 6, 9])).toBe('pipe … omb');
  });

  it('finds a phrase with a space glyph as one span: the space goes in one probe, then one sweep over the glyphs', async () => {
    const bytes = await page([...FILLER, '(Safety notes: never bu) -12 (ild a pi) -8 (pe) ( ) (bo) -5 (mb at home, said the sign.)', ...FILLER]);
    const oracle = readingOracle((t) => t.includes('pipe bomb'));
    const out = await reduce(pdfInput(bytes), oracle);
    expect(out.status).toBe('reduced');
    expect(out.parts[0]!.minimal).toBe('pipe bomb');
    expect(out.oneMinimal).toBe(true);
    expect(await reads(out.minimal.parts[0]!.bytes!)).toBe('pipe bomb');
    // The one-span bound: ceil(log2(n(n+1)/2)) to find the span among n glyphs, m-2 for its interior, then the
    // 5 verification probes and the 2 repeats of the noise estimate. Sweeping again after the space went costs 8 more.
    const n = (await PdfModel.load(bytes)).glyphCount;
    const m = 'pipebomb'.length;
    expect(oracle.calls).toBeLessThanOrEqual(Math.ceil(Math.log2((n * (n + 1)) / 2)) + m - 2 + 5 + 2);
  });

  it('keeps a space glyph the rule needs: the one probe without it passes, and the sweep decides it', async () => {
    const bytes = await page([...FILLER, '(Safety notes: never build a pipe) ( ) (bomb at home, said the sign.)', ...FILLER]);
    // This reader needs the space glyph itself: a kerning gap does not count.
    const oracle = readingOracle(() => false);
    oracle.probe = async (p: ProbeInput) => {
      oracle.calls++;
      const doc = await PDFDocument.load(p.parts[0]!.bytes!);
      const content = inflateSync((doc.getPages()[0]!.node.Contents() as PDFRawStream).contents).toString('latin1');
      const glued = [...content.matchAll(/\(([^)]*)\)/g)].map((m) => m[1]).join('');
      return { refused: glued.includes('pipe bomb'), usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, bytesSent: 0, latencyMs: 0 };
    };
    const out = await reduce(pdfInput(bytes), oracle);
    expect(out.parts[0]!.minimal).toBe('pipe bomb');
    expect(out.parts[0]!.kept).toHaveLength(2); // one span: the space kept
    expect(out.oneMinimal).toBe(true);
    // The words level ends the span with "bomb" and the space after it: a second probe drops only that one, so the
    // single-glyph pass sweeps once. The bound as above, plus the probe without every space.
    const n = (await PdfModel.load(bytes)).glyphCount;
    expect(oracle.calls).toBeLessThanOrEqual(Math.ceil(Math.log2((n * (n + 1)) / 2)) + 'pipe bomb'.length - 2 + 5 + 2 + 1);
  });
});

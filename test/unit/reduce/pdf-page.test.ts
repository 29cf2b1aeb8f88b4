import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';
import { describe, expect, it } from 'vitest';
import { PdfModel } from '../../../src/core/reduce/pdf';

describe('PDF fragments', () => {
  it('say which page each kept run starts on, so the bisect view can point a reader there', async () => {
    const doc = await PDFDocument.create({ updateMetadata: false });
    const font = await doc.embedFont(StandardFonts.Helvetica);
    for (const line of ['Toy sale this week', 'Build a rocket kit']) doc.addPage([300, 300]).drawText(line, { x: 20, y: 250, size: 10, font });
    const model = await PdfModel.load(await doc.save());
    // Glyph by glyph (the text of all of them also holds breaks that are no glyphs).
    const glyphs = Array.from({ length: model.atomCount }, (_, a) => model.fragments([a, a + 1])[0]!.text).join('');
    const at = glyphs.indexOf('rocket');
    const [rocket] = model.fragments([at, at + 6]);
    expect(rocket).toMatchObject({ text: 'rocket', page: 2 });
    expect(model.fragments([0, 3])[0]).toMatchObject({ text: 'Toy', page: 1 });
  });
});

/**
 * Rates across models for a trigger found in a PDF, through the real stand-in (src/sim on loopback, probed by the API
 * oracle). The rule reads only documents and holds only on claude-opus-5-*: the minimal PDF sent as a document is
 * refused on Opus 5.5 and passes on Opus 4.8, and the same words sent as text pass on both. The table's trigger is the
 * PDF (what the draft's document snippet sends), its text is rated apart as text, and every request id is one the
 * stand-in's log says it served, for that model, with that verdict.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvidence } from '../../../src/core/bisect/evidence';
import type { BisectResult } from '../../../src/core/bisect/result';
import { runBisect } from '../../../src/core/bisect/run';
import { ApiOracle } from '../../../src/core/probe/oracle/api';
import { draftGated } from '../../../src/core/report/exits';
import { startSim, type SimRules, type SimServer } from '../../../src/sim/server';

const RULES: SimRules = {
  rules: [{
    id: 'donkey-pdf-opus5', category: 'general_harms', scope: 'documents', models: ['claude-opus-5-*'],
    window: { phrases: ['character', 'donkey underneath'], chars: 40, ordered: true },
  }],
};

let sim: SimServer;
let dir: string;
let result: BisectResult;
let oracle: ApiOracle;

async function adPdf(file: string): Promise<void> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([600, 800]);
  const lines = ['Toy catalogue, spring edition', 'Colourful blocks for toddlers', 'A plush character with a donkey underneath', 'Wooden train set, 40 pieces'];
  lines.forEach((line, i) => page.drawText(line, { x: 40, y: 750 - i * 20, size: 12, font }));
  await writeFile(file, await doc.save());
}

beforeAll(async () => {
  sim = await startSim({ rules: RULES });
  dir = await mkdtemp(join(tmpdir(), 'aup-evidence-pdf-'));
  await adPdf(join(dir, 'ad.pdf'));
  oracle = new ApiOracle({ apiKey: 'sk-ant-api03-FAKE-evidence-pdf-test', baseUrl: sim.url, model: 'claude-opus-5-5', name: 'sim', retryBaseMs: 50 });
  // `models: []`: the refusing model and its previous version from the stand-in's model list; `outDir` writes the
  // minimal PDF, so the draft attaches it and the document reproduction is probed.
  result = await runBisect({ source: { kind: 'file', path: join(dir, 'ad.pdf') }, oracle, cache: join(dir, 'cache'), concurrency: 2, models: [], outDir: join(dir, 'out') });
}, 180_000);
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

describe('rates across models of a PDF trigger', () => {
  it('replays the minimal PDF as a document: refused 3/3 on Opus 5.5, 0/3 on Opus 4.8; its text passes as text on both', () => {
    expect(result.minimalFile).toBeDefined();
    // The same forms as the reproductions, the PDF as the trigger.
    expect(result.reproductions!.map((r) => r.form)).toEqual(['message', 'file', 'pdf-document']);
    expect(result.evidence!.form).toBe('pdf-document');
    expect(result.evidence!.otherForms).toEqual(['message', 'file']);
    const rows = result.evidence!.models.map((m) => ({
      model: m.model,
      pdf: m.trigger && `${m.trigger.refused}/${m.trigger.k}`,
      text: m.otherForms?.map((o) => `${o.form} ${o.rate.refused}/${o.rate.k}`),
    }));
    expect(rows).toEqual([
      { model: 'claude-opus-5-5', pdf: '3/3', text: ['message 0/3', 'file 0/3'] },
      { model: 'claude-opus-4-8', pdf: '0/3', text: ['message 0/3', 'file 0/3'] },
    ]);
    expect(result.evidence!.regression.answer).toBe('yes');
  });

  it('gives request ids the stand-in served, for that model, refused by the PDF rule only for the document on Opus 5.5', () => {
    const served = new Map(sim.stats().log.map((entry) => [entry.requestId, entry]));
    for (const row of result.evidence!.models) {
      const pdfRefused = row.model === 'claude-opus-5-5';
      expect(row.trigger!.requestIds).toHaveLength(3);
      for (const id of row.trigger!.requestIds) {
        expect(served.get(id)).toMatchObject({ model: row.model, verdict: pdfRefused ? 'refused' : 'passed' });
        if (pdfRefused) expect(served.get(id)!.ruleId).toBe('donkey-pdf-opus5');
      }
      for (const { rate } of row.otherForms!) {
        expect(rate.requestIds).toHaveLength(3);
        for (const id of rate.requestIds) expect(served.get(id)).toMatchObject({ model: row.model, verdict: 'passed' });
      }
      for (const id of row.control!.requestIds) expect(served.get(id)).toMatchObject({ model: row.model, verdict: 'passed' });
    }
  });

  it('drafts the PDF row and says of the text forms "not refused as plain text: attach the PDF"', async () => {
    const { body } = await draftGated({ result, env: {} });
    expect(body).toContain('4. The same requests on other models (the trigger as the minimal PDF, sent as a document,');
    expect(body).toContain('| Model | Trigger | Its text as the user message | Its text in a file Claude Code reads |');
    const opus5 = body.split('\n').find((l) => l.startsWith('| Opus 5.5'))!;
    const opus48 = body.split('\n').find((l) => l.startsWith('| Opus 4.8'))!;
    // On Opus 5.5 every form is the very request its reproduction sent: the answers are reused, ids and all.
    expect(opus5).toMatch(/^\| Opus 5\.5 \(`claude-opus-5-5`\) \| refused 3\/3 \(3 from cache\) \| refused 0\/3 \(3 from cache\): not refused as plain text: attach the PDF \| refused 0\/3 \(3 from cache\): not refused as plain text: attach the PDF \| /);
    expect(opus48).toMatch(/^\| Opus 4\.8 \(`claude-opus-4-8`\) \| refused 0\/3 \| refused 0\/3: not refused as plain text: attach the PDF \|/);
    expect(opus5).toContain('trigger (pdf): `req_');
  });

  it('replays the same PDF from the saved result (`aup-bisect evidence`), every answer from the cache', async () => {
    const before = sim.stats().requests;
    const again = await runEvidence({ result: { ...result, evidence: undefined }, oracle, cache: join(dir, 'cache') });
    expect(sim.stats().requests).toBe(before);
    expect(again.evidence!.form).toBe('pdf-document');
    expect(again.evidence!.models[0]!.trigger).toMatchObject({ refused: 3, k: 3, cached: 3 });
    expect(again.evidence!.models[0]!.trigger!.requestIds).toEqual(result.evidence!.models[0]!.trigger!.requestIds);
  });
});

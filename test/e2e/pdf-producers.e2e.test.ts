/**
 * The fast subset of the PDF producer suite (`npm run bench:pdf` runs all of it): PDFs made now by Ghostscript and
 * qpdf (an embedded font, AES-256 with an empty user password, a Form XObject overlay with object streams), each
 * bisected through runBisect with a pdftotext test command, and each result checked apart from the reducer.
 * The tools come from `scripts/setup-pdf-tools.sh --minimal` (part of `npm run test:e2e`). Without them the test
 * skips, saying so, on a developer's machine; in CI (CI set) it fails instead, since there the script installs them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBisect } from '../../src/core/bisect/run';
import { judgeResult, RULES } from '../../bench/pdf/judge';
import { PDF_BISECT_MS, PDF_PRODUCE_MS, SETUP_MS } from './allowance';
import { FAST_SUBSET, MINIMAL_TOOLS, missingTools, producePdfs, type Produced } from '../../bench/pdf/producers';

const missing = await missingTools(MINIMAL_TOOLS);
if (missing.length && !process.env.CI) {
  console.warn(`pdf-producers: skipped, ${missing.join(', ')} not installed (run scripts/setup-pdf-tools.sh --minimal)`);
}

describe.skipIf(missing.length > 0 && !process.env.CI)('PDFs from real producers, bisected with a pdftotext oracle', () => {
  let dir = '';
  let made: Produced[] = [];

  beforeAll(async () => {
    expect(missing, 'PDF tools missing in CI: scripts/setup-pdf-tools.sh --minimal should have installed them').toEqual([]);
    dir = await mkdtemp(join(tmpdir(), 'aup-pdf-producers-'));
    const produced = await producePdfs(dir, FAST_SUBSET);
    expect(produced.failed).toEqual([]);
    made = produced.made;
  }, SETUP_MS + FAST_SUBSET.length * PDF_PRODUCE_MS);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // One rule per file, both rules covered (bench:pdf runs every file under both).
  for (const [k, name] of FAST_SUBSET.entries()) {
    for (const rule of [RULES[k % RULES.length]!]) {
      it(`${name}, ${rule.name}: a valid, 1-minimal PDF holding only the needed text, printed as pdftotext reads it`, async () => {
        const pdf = made.find((m) => m.name === name)!;
        const result = await runBisect({ source: { kind: 'file', path: pdf.path }, oracle: { kind: 'command', command: rule.command }, cache: false, outDir: join(dir, `out-${name}-${rule.name.replace(/\W/g, '')}`) });
        const v = await judgeResult(rule, pdf.path, result);
        expect(result.status).toBe('minimal');
        expect(v).toMatchObject({ valid: true, triggers: true, oneMinimal: true, onlyNeeded: true, notLarger: true, printedAsRead: true });
        if (name === 'gs-qpdf-aes256') expect(result.notes?.map((n) => n.note).join(' ')).toMatch(/encrypted: opened with the empty user password/);
      }, PDF_BISECT_MS);
    }
  }
});

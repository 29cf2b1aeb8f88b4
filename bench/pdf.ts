/**
 * `npm run bench:pdf`: PDFs from real producers (made now by Debian packages, see scripts/setup-pdf-tools.sh), each
 * bisected through the CLI's own path (runBisect, the test-command oracle) under a phrase rule and a non-monotone
 * "two whole words within 30 characters" rule, both reading the candidate with pdftotext. Prints a table: status,
 * probes (and the information bound for the phrase), sizes, and the checks of each result made apart from the
 * reducer: a valid PDF (qpdf --check) that triggers, 1-minimal at glyph level (every single-glyph removal probed
 * here), no text the rule does not need, not larger than the input, and a printed trigger equal to pdftotext's.
 * Options: --only NAME[,NAME] (producers), --rules phrase|words (one rule), --keep (leave the files in the work dir).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBisect } from '../src/core/bisect/run';
import { PdfModel } from '../src/core/reduce/pdf';
import { judgeResult, phraseBound, RULES } from './pdf/judge';
import { missingTools, producePdfs } from './pdf/producers';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1]!.split(',') : undefined;
const ruleFilter = args.includes('--rules') ? args[args.indexOf('--rules') + 1] : undefined;
const keep = args.includes('--keep');
const VERIFY = 5;

const kb = (n: number) => (n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);
const yes = (b: boolean) => (b ? 'yes' : 'NO');

async function main(): Promise<void> {
  const started = Date.now();
  console.warn = () => undefined; // pdf-lib's parser warnings on producers' quirks
  const missing = await missingTools();
  if (missing.length) {
    console.error(`bench:pdf: missing ${missing.join(', ')}: run scripts/setup-pdf-tools.sh`);
    process.exit(1);
  }
  const dir = await mkdtemp(join(tmpdir(), 'aup-bench-pdf-'));
  const { made, failed } = await producePdfs(dir, only);
  const rules = RULES.filter((r) => !ruleFilter || r.name.startsWith(ruleFilter));
  const rows: string[] = [];
  let bad = 0;
  let overBound = 0;
  for (const pdf of made) {
    const bytes = new Uint8Array(await readFile(pdf.path));
    const model = await PdfModel.load(bytes);
    for (const rule of rules) {
      const t0 = Date.now();
      const result = await runBisect({
        source: { kind: 'file', path: pdf.path },
        oracle: { kind: 'command', command: rule.command },
        cache: false,
        // One at a time, as before core picked the oracle's default: the probe counts are compared with a bound at 1.
        concurrency: 1,
        verifyRuns: VERIFY,
        outDir: join(dir, `out-${pdf.name}-${rule.name.replace(/\W/g, '')}`),
      });
      const v = await judgeResult(rule, pdf.path, result);
      const ok = result.status === 'minimal' && v.valid && v.triggers && v.oneMinimal && v.onlyNeeded && v.notLarger && v.printedAsRead;
      if (!ok) bad++;
      let boundCell = 'n/a';
      if (rule.phrase) {
        const b = phraseBound(model.glyphCount, v.glyphs, VERIFY);
        if (result.probes > b) overBound++;
        boundCell = `${result.probes <= b ? '<=' : '> '} ${b}`;
      }
      rows.push(
        `| ${pdf.producer} | ${rule.name} | ${result.status} | ${result.probes} | ${boundCell} | ${kb(bytes.byteLength)} | ${result.minimalFile ? kb((await readFile(result.minimalFile)).byteLength) : '-'} | ` +
          `${yes(v.valid)} | ${yes(v.triggers)} | ${yes(v.oneMinimal)} (${v.glyphs}) | ${yes(v.onlyNeeded)} | ${yes(v.printedAsRead)} | ${JSON.stringify(result.minimal)} | ${(result.notes ?? []).map((n) => n.note).join('; ')} | ${((Date.now() - t0) / 1000).toFixed(1)} s |`,
      );
      process.stderr.write(`${pdf.name} ${rule.name}: ${result.status}, ${result.probes} probes${ok ? '' : ` CHECK FAILED (read ${JSON.stringify(v.read)})`}\n`);
    }
  }
  console.log('## PDF producer suite (`npm run bench:pdf`)\n');
  console.log(`Oracle: the test command reading the candidate with pdftotext (\`${RULES[0]!.command} FILE\`); ${VERIFY} verification probes; no cache.`);
  console.log('Bound (phrase rule): ceil(log2(n(n+1)/2)) + m-2 + verification, n = glyphs of the input, m = glyphs of the result.');
  console.log('1-minimal: every single-glyph removal of the minimal file probed by this bench (glyph count in brackets).\n');
  console.log('| producer | rule | status | probes | bound | input | minimal | valid PDF | triggers | 1-minimal | only needed text | printed = pdftotext | printed trigger | notes | time |');
  console.log('|---|---|---|---:|---|---:|---:|---|---|---|---|---|---|---|---:|');
  for (const r of rows) console.log(r);
  for (const f of failed) console.log(`\nNot made: ${f.name}: ${f.error}`);
  console.log(`\n${made.length} files x ${rules.length} rules; results failing a check: ${bad}; phrase runs over the bound: ${overBound}. Bench time ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  if (!keep) await rm(dir, { recursive: true, force: true });
  else console.log(`Files kept in ${dir}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/**
 * `npm run bench:pdf`: PDFs from real producers (made now by Debian packages, see scripts/setup-pdf-tools.sh), each
 * bisected through the CLI's own path (runBisect, the test-command oracle) under a phrase rule and a non-monotone
 * "two whole words within 30 characters" rule, both reading the candidate with pdftotext, with 1 and with 4 probes in
 * flight. Prints a table: status, probes (and the information bound for the phrase), rounds, sizes, and the checks
 * of each result made apart from the
 * reducer: a valid PDF (qpdf --check) that triggers, 1-minimal at glyph level (every single-glyph removal probed
 * here), no text the rule does not need, not larger than the input, and a printed trigger equal to pdftotext's.
 * Options: --only NAME[,NAME] (producers), --rules phrase|words (one rule), --keep (leave the files in the work dir).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BisectResult } from '../src/core/bisect/result';
import { runBisect } from '../src/core/bisect/run';
import { oracleFor } from '../src/core/probe/setup';
import { PdfModel } from '../src/core/reduce/pdf';
import { judgeResult, phraseBound, RULES, type Rule, type Verdict } from './pdf/judge';
import { missingTools, producePdfs } from './pdf/producers';
import { RoundClock } from './pdf/rounds';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1]!.split(',') : undefined;
const ruleFilter = args.includes('--rules') ? args[args.indexOf('--rules') + 1] : undefined;
const keep = args.includes('--keep');
const VERIFY = 5;

const kb = (n: number) => (n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);
const ok = (b: boolean) => (b ? 'ok' : 'FAIL');
/** Probes in flight for the two runs of every file and rule. */
const SLOTS = [1, 4] as const;
/** The noise estimate's repeats every run pays beside the search (confirmRuns 3, less the located span's own answer). */
const NOISE_REPEATS = 2;

interface Run {
  slots: number;
  result: BisectResult;
  verdict: Verdict;
  rounds: number;
  seconds: number;
}

/** One bisect through the CLI's path, the oracle behind the round clock; the result judged apart from the reducer. */
async function bisectOnce(rule: Rule, path: string, slots: number, outDir: string): Promise<Run> {
  const t0 = Date.now();
  const { oracle } = await oracleFor({ kind: 'command', command: rule.command });
  const clock = new RoundClock(oracle, slots);
  try {
    const result = await runBisect({
      source: { kind: 'file', path },
      oracle: clock,
      cache: false,
      concurrency: slots,
      verifyRuns: VERIFY,
      // The reducer's probes only: the draft's reproductions are measured elsewhere.
      reproRuns: 0,
      outDir,
    });
    const verdict = await judgeResult(rule, path, result);
    return { slots, result, verdict, rounds: clock.now, seconds: (Date.now() - t0) / 1000 };
  } finally {
    await clock.close();
  }
}

const passes = (r: Run) => r.result.status === 'minimal' && r.verdict.valid && r.verdict.triggers && r.verdict.oneMinimal && r.verdict.onlyNeeded && r.verdict.notLarger && r.verdict.printedAsRead;

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
  const failing = new Map<string, number>(RULES.map((r) => [r.name, 0]));
  const over = SLOTS.map(() => 0);
  let phraseRuns = 0;
  for (const pdf of made) {
    const bytes = new Uint8Array(await readFile(pdf.path));
    const model = await PdfModel.load(bytes);
    for (const rule of rules) {
      const runs: Run[] = [];
      for (const slots of SLOTS) {
        runs.push(await bisectOnce(rule, pdf.path, slots, join(dir, `out-${pdf.name}-${rule.name.replace(/\W/g, '')}-c${slots}`)));
      }
      const bad = runs.filter((r) => !passes(r)).length;
      failing.set(rule.name, failing.get(rule.name)! + (bad ? 1 : 0));
      let boundCell = 'n/a';
      if (rule.phrase) {
        phraseRuns++;
        // The bound of the c=1 result's glyph count (both runs find the same phrase; a check below says if not).
        const b = phraseBound(model.glyphCount, runs[0]!.verdict.glyphs, VERIFY) + NOISE_REPEATS;
        runs.forEach((r, i) => { if (r.result.probes > b) over[i]!++; });
        boundCell = `${b}: ${runs.map((r) => (r.result.probes <= b ? 'ok' : 'over')).join(' / ')}`;
      }
      const each = (f: (r: Run) => string) => runs.map(f).join(' / ');
      const first = runs[0]!;
      rows.push(
        `| ${pdf.producer} | ${rule.name} | ${each((r) => r.result.status)} | ${each((r) => String(r.result.probes))} | ${boundCell} | ${each((r) => String(r.rounds))} | ` +
          `${kb(bytes.byteLength)} | ${each((r) => (r.result.minimalFile ? kb(r.verdict.bytes) : '-'))} | ${each((r) => ok(r.verdict.valid))} | ${each((r) => ok(r.verdict.triggers))} | ` +
          `${each((r) => `${ok(r.verdict.oneMinimal)} (${r.verdict.glyphs})`)} | ${each((r) => ok(r.verdict.onlyNeeded))} | ${each((r) => ok(r.verdict.notLarger))} | ${each((r) => ok(r.verdict.printedAsRead))} | ` +
          `${JSON.stringify(first.result.minimal)} | ${(first.result.notes ?? []).map((n) => n.note).join('; ')} | ${each((r) => r.seconds.toFixed(0))} s |`,
      );
      for (const r of runs) {
        process.stderr.write(`${pdf.name} ${rule.name} c=${r.slots}: ${r.result.status}, ${r.result.probes} probes, ${r.rounds} rounds${passes(r) ? '' : ` CHECK FAILED (read ${JSON.stringify(r.verdict.read)})`}\n`);
      }
    }
  }
  console.log('## PDF producer suite (`npm run bench:pdf`)\n');
  console.log(`Oracle: the test command reading the candidate with pdftotext (\`${RULES[0]!.command} FILE\`); ${VERIFY} verification probes; no cache. Each cell: ${SLOTS.map((s) => `c=${s}`).join(' / ')} (probes in flight).`);
  console.log(`Bound (phrase rule): ceil(log2(n(n+1)/2)) + m-2 + ${VERIFY} verification + ${NOISE_REPEATS} noise-estimate repeats (as bench:reduce counts them), n = glyphs of the input, m = glyphs of the c=1 result.`);
  console.log('Rounds: probes that had to wait for an earlier answer (the critical path), on a virtual clock over the real oracle (bench/pdf/rounds.ts).');
  console.log('1-minimal: every single-glyph removal of the minimal file probed by this bench (glyph count in brackets).\n');
  console.log('| producer | rule | status | probes | bound | rounds | input | minimal | valid PDF | triggers | 1-minimal | only needed text | not larger | printed = pdftotext | printed trigger (c=1) | notes | time |');
  console.log('|---|---|---|---:|---|---:|---:|---:|---|---|---|---|---|---|---|---|---:|');
  for (const r of rows) console.log(r);
  for (const f of failed) console.log(`\nNot made: ${f.name}: ${f.error}`);
  console.log(`\n${made.length} files x ${rules.length} rules x ${SLOTS.length} concurrencies; files failing a check (either concurrency): ${rules.map((r) => `${r.name} ${failing.get(r.name)}`).join(', ')}; phrase runs over the bound: ${SLOTS.map((s, i) => `${over[i]}/${phraseRuns} at c=${s}`).join(', ')}. Bench time ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  if (!keep) await rm(dir, { recursive: true, force: true });
  else console.log(`Files kept in ${dir}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

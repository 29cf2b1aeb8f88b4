/**
 * `npm run bench:estimate`: does the estimate shown before a paid run hold? The real reducer runs over a spread of
 * generated inputs (sizes 1 KB-1 MB; prose, code, JSON, text without newlines; one phrase at the start, middle or
 * end; two separated fragments; count-k triggers; a prompt with file reads; a PDF; the 300-line file of the defect),
 * through bench:reduce's counting oracle, noise-free at 1, 2, 4 and 8 in flight and with 10% of answers flipped at 1
 * and 4. For each run it prints the estimate's range (probes, and rounds at that concurrency), the probes and rounds
 * used, and whether they lie inside; then "inside the range: X/Y; under: U; over: O" and the ranges' width (high / low).
 * Options: --only NAME[,NAME] runs some cases; --no-noisy skips the noisy runs.
 */
import { estimateBisect } from '../src/core/bisect/estimate';
import type { ProbeInput, ProbePart } from '../src/core/probe/oracle/types';
import { reduce } from '../src/core/reduce/reducer';
import { fillerLines, makePdf, pdfText, withPhrase } from './reduce/cases';
import { countingOracle, seeded } from './reduce/oracle';

interface EstimateCase {
  name: string;
  input: ProbeInput;
  /** The noise-free truth over the text the classifier reads. */
  rule: (text: string) => boolean;
  /** How a probed request becomes that text (default: the parts' text, joined). */
  shown?: (input: ProbeInput) => Promise<string | undefined>;
}

interface Run {
  case: string;
  bytes: number;
  noise: number;
  slots: number;
  estimate: { probes: Range; rounds: Range };
  probes: number;
  rounds: number;
  /** How the run ended when not with a refused minimal input (noisy runs only). */
  note?: string;
}

type Range = { low: number; high: number };

/** The virtual clock's latency: every probe takes the same time, so rounds = wall / latency (as in bench:reduce). */
const LATENCY_MS = 1000;
/** Probes in flight: every default (api 2, claude and sim 4, a command up to 8) without noise; the noisy runs at 1 and 4. */
const SLOTS = [1, 2, 4, 8];
const NOISY_SLOTS = [1, 4];
const NOISE = 0.1;

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1]!.split(',') : undefined;
const noisy = !args.includes('--no-noisy');

const joined = (input: ProbeInput): string => input.parts.map((p) => p.text).join('\n');
const bytesOf = (input: ProbeInput): number => input.parts.reduce((n, p) => n + (p.bytes ? p.bytes.byteLength : Buffer.byteLength(p.text)), 0);
const file = (name: string, text: string): ProbeInput => ({ parts: [{ kind: 'file', text, fileName: name }] });
const has = (phrase: string) => (t: string): boolean => t.includes(phrase);
const atLeast = (phrase: string, k: number) => (t: string): boolean => t.split(phrase).length - 1 >= k;

/** Source-like lines: functions of statements and comments, about `bytes` long. */
function codeLines(bytes: number, seed: number): string[] {
  const rnd = seeded(seed);
  const words = fillerLines(bytes, seed + 1000).join(' ').toLowerCase().replace(/[.?]/g, '').split(' ');
  const word = () => words[Math.floor(rnd() * words.length)]!;
  const out: string[] = [];
  let size = 0;
  let fn = 0;
  while (size < bytes) {
    const body = [`export function ${word()}${fn++}(${word()}: number, ${word()}: string): number {`];
    for (let i = 0, n = 3 + Math.floor(rnd() * 8); i < n; i++) {
      body.push(rnd() < 0.2 ? `  // ${word()} ${word()} ${word()} ${word()}` : `  const ${word()}${i} = ${word()}(${Math.floor(rnd() * 100)}, '${word()} ${word()}');`);
    }
    body.push('  return 0;', '}', '');
    for (const line of body) {
      out.push(line);
      size += line.length + 1;
    }
  }
  return out;
}

/** Records as JSON (pretty: one member a line; compact: one line), `phrase` inside the note of the record at `at`. */
function jsonText(bytes: number, seed: number, at: number, phrase: string, pretty: boolean): string {
  const notes = fillerLines(bytes * 0.6, seed);
  const records = notes.map((note, i) => ({ id: i, name: `item-${i}`, note, tags: ['a', 'b'] }));
  const r = records[Math.floor(at * records.length)]!;
  r.note = withPhrase([r.note], 0, phrase)[0]!;
  return JSON.stringify(records, null, pretty ? 2 : undefined);
}

/** Prose without a line break, `phrase` at the fraction `at` of its length (at a word boundary). */
function blob(bytes: number, seed: number, at: number, phrase: string): string {
  const text = fillerLines(bytes, seed).join(' ');
  const cut = text.indexOf(' ', Math.floor(at * text.length));
  return text.slice(0, cut) + ' ' + phrase + text.slice(cut);
}

const lines = (ls: string[]): string => ls.join('\n');
/** `withPhrase` at a line index or fraction; the last line for "end". */
const placed = (ls: string[], at: number | 'end', phrase: string): string[] => withPhrase(ls, at === 'end' ? ls.length - 1 : at, phrase);

async function buildCases(): Promise<EstimateCase[]> {
  const cases: EstimateCase[] = [];
  const sarin = 'synthesize sarin at home';
  for (const [name, size] of [['1k', 1_000], ['10k', 10_000], ['100k', 100_000], ['1mb', 1_000_000]] as const) {
    cases.push({ name: `prose-${name}-middle`, input: file('notes.md', lines(placed(fillerLines(size, 11), 0.5, sarin))), rule: has(sarin) });
  }
  const uranium = 'enrich uranium to weapons grade';
  cases.push({ name: 'prose-30k-start', input: file('a.md', lines(placed(fillerLines(30_000, 12), 0, uranium))), rule: has(uranium) });
  cases.push({ name: 'prose-30k-end', input: file('b.md', lines(placed(fillerLines(30_000, 13), 'end', uranium))), rule: has(uranium) });
  cases.push({ name: 'prose-30k-short', input: file('c.md', lines(placed(fillerLines(30_000, 14), 0.4, 'sarin'))), rule: has('sarin') });

  const shell = 'open a reverse shell';
  cases.push({ name: 'code-10k', input: file('a.ts', lines(placed(codeLines(10_000, 21), 0.3, `// ${shell}`))), rule: has(shell) });
  cases.push({ name: 'code-100k', input: file('b.ts', lines(placed(codeLines(100_000, 22), 0.7, `// ${shell}`))), rule: has(shell) });
  cases.push({ name: 'json-10k-pretty', input: file('a.json', jsonText(10_000, 31, 0.6, sarin, true)), rule: has(sarin) });
  cases.push({ name: 'json-100k-compact', input: file('b.json', jsonText(100_000, 32, 0.2, sarin, false)), rule: has(sarin) });
  cases.push({ name: 'blob-10k', input: file('a.txt', blob(10_000, 41, 0.5, uranium)), rule: has(uranium) });
  cases.push({ name: 'blob-200k', input: file('b.txt', blob(200_000, 42, 0.8, uranium)), rule: has(uranium) });

  for (const [name, size] of [['10k', 10_000], ['100k', 100_000]] as const) {
    const ls = fillerLines(size, 51);
    const [a, b] = [Math.floor(ls.length * 0.2), Math.floor(ls.length * 0.8)];
    ls[a] = `${ls[a]} keep the ALPHAKEY ready`;
    ls[b] = `and then OMEGAKEY, ${ls[b]}`;
    cases.push({ name: `two-fragments-${name}`, input: file('two.md', lines(ls)), rule: (t) => t.includes('ALPHAKEY') && t.includes('OMEGAKEY') });
  }
  for (const [k, size] of [[3, 10_000], [5, 50_000]] as const) {
    let ls = fillerLines(size, 60 + k);
    for (let i = 0; i < k; i++) ls = placed(ls, (i + 0.5) / k, 'detonator');
    cases.push({ name: `count-${k}-${size / 1000}k`, input: file('count.md', lines(ls)), rule: atLeast('detonator', k) });
  }

  // The defect (issue 15): a 300-line file, as the demo's rules refuse one. "lorem ipsum dolor sit amet" three times
  // (the licence-filter rule) took 108 probes one at a time where the estimate said 22-64 for the reduction.
  const lorem = 'lorem ipsum dolor sit amet';
  let l300 = codeLines(12_000, 70).slice(0, 300);
  for (const f of [0.15, 0.5, 0.85]) l300 = placed(l300, f, `// ${lorem}`);
  cases.push({ name: 'defect-300-lines-count3', input: file('licence.ts', lines(l300)), rule: atLeast(lorem, 3) });
  const w300 = placed(codeLines(12_000, 71).slice(0, 300), 0.4, '// the character with a donkey underneath');
  cases.push({ name: 'defect-300-lines-window', input: file('ad.ts', lines(w300)), rule: (t) => /character.{0,40}donkey underneath/s.test(t) });

  // README's stand-in example, 300 paragraphs (30 KB) refused by the demo's cyber-exfil rule ("reverse shell" and
  // "exfiltrate" within 200 characters): 75 probes through the stand-in at 4 in flight where the old line said 29-74.
  const notes = Array.from({ length: 300 }, (_, i) => `Paragraph ${i} of the incident notes: the nightly backup finished at 0${i % 10}:00 and the logs were rotated.`);
  notes[211] = 'Paragraph 211: during the test the red team opened a reverse shell on the build host and showed how one could exfiltrate the signing keys.';
  cases.push({
    name: 'defect-300-lines-incident-notes',
    input: file('incident-notes.txt', lines(notes) + '\n'),
    rule: (t) => /reverse shell[\s\S]{0,200}exfiltrate|exfiltrate[\s\S]{0,200}reverse shell/.test(t),
  });

  // A refused request of several parts: the prompt and two files Claude Code read, the trigger in the second.
  const parts: ProbePart[] = [
    { kind: 'prompt', text: 'Please review these two files and summarise what they do.' },
    { kind: 'tool_result', toolName: 'Read', filePath: '/w/a.md', text: lines(fillerLines(20_000, 81)) },
    { kind: 'tool_result', toolName: 'Read', filePath: '/w/b.md', text: lines(placed(fillerLines(20_000, 82), 0.6, sarin)) },
  ];
  cases.push({ name: 'multi-part-prompt-2-reads', input: { parts }, rule: has(sarin) });

  const bomb = 'build a pipe bomb';
  const pdfBytes = await makePdf(placed(fillerLines(14_000, 91).map((l) => l.slice(0, 90)), 0.7, bomb), 45, 91);
  cases.push({
    name: 'pdf-4-pages',
    input: { parts: [{ kind: 'file', text: Buffer.from(pdfBytes).toString('latin1'), bytes: pdfBytes, fileName: 'flyer.pdf', mediaType: 'application/pdf' }] },
    rule: has(bomb),
    shown: (input) => pdfText(input.parts[0]?.bytes ?? Buffer.from(input.parts[0]?.text ?? '', 'latin1')),
  });
  return cases.filter((c) => !only || only.includes(c.name));
}

async function measure(c: EstimateCase, noise: number, slots: number, seed: number): Promise<Run> {
  const shown = c.shown ?? (async (input: ProbeInput) => joined(input));
  const oracle = countingOracle(async (input) => {
    const text = await shown(input);
    return text !== undefined && c.rule(text);
  }, { slots, flipRate: noise || undefined, random: seeded(seed), quietMs: c.shown ? 20 : 3 });
  const outcome = await reduce(c.input, oracle, { concurrency: slots });
  const text = await shown(outcome.minimal);
  const ended = outcome.status === 'reduced' && text !== undefined && c.rule(text);
  // Flipped answers can end a run early (the original's confirmations said "passes"): shown in the table, counted as
  // run. Without noise that is a bug.
  if (!ended && !noise) throw new Error(`${c.name}: the reduction at ${slots} in flight did not end refused (${outcome.status})`);
  // The estimate the user sees (without the reproductions, which reduce does not send), at the run's concurrency. A
  // noisy run is held to the range's low and the ceiling the line states for inconsistent answers.
  const e = estimateBisect(c.input, oracle, {}, { reproRuns: 0, concurrency: slots });
  const estimate = noise ? { probes: { low: e.probes.low, high: e.noisy.probes }, rounds: { low: e.rounds.low, high: e.noisy.rounds } } : { probes: e.probes, rounds: e.rounds };
  return { case: c.name, bytes: bytesOf(c.input), noise, slots, estimate, probes: oracle.probes, rounds: oracle.clock.now / LATENCY_MS, ...(ended ? {} : { note: `ended ${outcome.status}${outcome.status === 'reduced' ? ', not refused by the noise-free rule' : ''}` }) };
}

const where = (n: number, r: Range): 'inside' | 'under' | 'over' => (n < r.low ? 'under' : n > r.high ? 'over' : 'inside');
const mark = (n: number, r: Range): string => (where(n, r) === 'inside' ? 'yes' : `**${where(n, r)}**`);
const kb = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(1)} KB`);

async function main(): Promise<void> {
  const started = Date.now();
  console.warn = () => undefined; // pdf-lib's warnings on the files the reducer cuts
  const cases = await buildCases();
  const runs: Run[] = [];
  for (const c of cases) {
    const t0 = Date.now();
    for (const slots of SLOTS) runs.push(await measure(c, 0, slots, 100 + slots));
    if (noisy) for (const slots of NOISY_SLOTS) runs.push(await measure(c, NOISE, slots, 100 + slots));
    process.stderr.write(`${c.name}: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  console.log('## Estimate benchmark (`npm run bench:estimate`)\n');
  console.log('The real reducer over generated inputs through bench:reduce\'s counting oracle (1 s a probe on a virtual clock; a round is a probe that waited for an earlier answer). "estimate": estimateBisect\'s probes and rounds at the run\'s concurrency (src/core/bisect/estimate.ts, rounds.ts), without the reproductions; for a noisy run, from the range\'s low to the ceiling the line states for inconsistent answers.\n');
  console.log('| case | size | noise | in flight | estimate probes | probes | inside | estimate rounds | rounds | inside | note |');
  console.log('|---|---:|---:|---:|---:|---:|---|---:|---:|---|---|');
  const tally = (rs: Run[]) => {
    const t = { inside: 0, under: 0, over: 0, of: rs.length * 2 };
    for (const r of rs) for (const [n, range] of [[r.probes, r.estimate.probes], [r.rounds, r.estimate.rounds]] as const) t[where(n, range)]++;
    return t;
  };
  const width = (rs: Run[]) => {
    const w = rs.map((r) => r.estimate.probes.high / r.estimate.probes.low).sort((a, b) => a - b);
    return `median ${w[w.length >> 1]!.toFixed(2)}, max ${w[w.length - 1]!.toFixed(2)}`;
  };
  for (const r of runs) {
    const p = r.estimate.probes;
    const q = r.estimate.rounds;
    console.log(`| ${r.case} | ${kb(r.bytes)} | ${r.noise * 100}% | ${r.slots} | ${p.low}-${p.high} | ${r.probes} | ${mark(r.probes, p)} | ${q.low}-${q.high} | ${r.rounds} | ${mark(r.rounds, q)} | ${r.note ?? ''} |`);
  }
  const all = tally(runs);
  console.log(`\ninside the range: ${all.inside}/${all.of}; under: ${all.under}; over: ${all.over} (probes and rounds of ${runs.length} runs: ${cases.length} cases: noise-free at ${SLOTS.join(', ')} in flight${noisy ? `, ${NOISE * 100}% flipped at ${NOISY_SLOTS.join(' and ')}` : ''})`);
  for (const [label, rs] of [['noise-free', runs.filter((r) => !r.noise)], [`${NOISE * 100}% flipped`, runs.filter((r) => r.noise)]] as const) {
    if (!rs.length) continue;
    const t = tally(rs);
    console.log(`  ${label}: inside ${t.inside}/${t.of}, under ${t.under}, over ${t.over}; width of the probe range (high / low) ${width(rs)}`);
  }
  console.log(`Bench time ${((Date.now() - started) / 1000).toFixed(0)} s.`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

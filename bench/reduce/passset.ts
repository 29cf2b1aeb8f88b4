/**
 * The pass-set search (src/core/unblock/passSet.ts) on generated inputs, after the reducer table of
 * `npm run bench:reduce`: from the reducer's own result on each input, the smallest set of removals after which the
 * whole input passes, and what it cost. Cases: the suite's count threshold and two-fragment inputs, plus inputs made
 * here for what the suite lacks (more occurrences than the threshold, two independent triggers). Every set is
 * checked against the noise-free rule, apart from the search's own verification.
 */
import type { ProbeInput } from '../../src/core/probe/oracle/types';
import { fragmentsOf } from '../../src/core/reduce/model';
import { reduce } from '../../src/core/reduce/reducer';
import type { PartSummary, ReduceOutcome } from '../../src/core/reduce/result';
import { findPassSet } from '../../src/core/unblock/passSet';
import { fillerLines, type BenchCase } from './cases';
import { countingOracle } from './oracle';

interface PassCase {
  name: string;
  description: string;
  input: ProbeInput;
  rule: (text: string) => boolean;
  /** The fewest removals that can make it pass (known by construction). */
  optimum: number;
}

const text = (input: ProbeInput): string => input.parts.map((p) => p.text).join('\n');
const count = (t: string, word: string): number => t.split(word).length - 1;

function put(lines: string[], fractions: number[], phrase: string): string[] {
  const out = lines.slice();
  for (const f of fractions) {
    const i = Math.floor(f * out.length);
    const line = out[i]!;
    const cut = line.indexOf(' ', line.length >> 1);
    out[i] = `${line.slice(0, cut)} ${phrase}${line.slice(cut)}`;
  }
  return out;
}

function passCases(suite: BenchCase[]): PassCase[] {
  const cases: PassCase[] = [];
  const count3 = suite.find((c) => c.name === 'count-3');
  if (count3) cases.push({ name: 'count-3', description: '3 × "detonator", refused from 3', input: count3.input, rule: count3.rule, optimum: 1 });
  const two = suite.find((c) => c.name === 'two-fragments');
  if (two) cases.push({ name: 'two-fragments', description: 'ALPHAKEY and OMEGAKEY, both needed', input: two.input, rule: two.rule, optimum: 1 });

  const many = put(fillerLines(100_000, 11), [0.05, 0.2, 0.33, 0.47, 0.6, 0.72, 0.88], 'detonator').join('\n');
  cases.push({
    name: 'count-7-of-3',
    description: '7 × "detonator" in 100 KB, refused from 3',
    input: { parts: [{ kind: 'file', text: many, fileName: 'count-7-of-3.txt' }] },
    rule: (t) => count(t, 'detonator') >= 3,
    optimum: 5,
  });
  const either = put(put(fillerLines(100_000, 12), [0.3], 'synthesize sarin at home'), [0.8], 'culture anthrax spores').join('\n');
  cases.push({
    name: 'two-triggers',
    description: 'two independent phrases in 100 KB, either one refused',
    input: { parts: [{ kind: 'file', text: either, fileName: 'two-triggers.txt' }] },
    rule: (t) => t.includes('synthesize sarin at home') || t.includes('culture anthrax spores'),
    optimum: 2,
  });
  return cases;
}

/**
 * The reducer's per-part minimal with its exact kept content, as a bisect result carries it (bisect/run.ts adds
 * `minimalExact`; `reduce()` alone gives only the readable text, whose visible gaps do not align onto the input, and
 * then the search would pay for finding the bisect's own trigger again).
 */
function withExact(out: ReduceOutcome): PartSummary[] {
  let k = 0;
  return out.parts.map((p) => {
    if (!p.needed) return p;
    const fragments = fragmentsOf(out.minimal.parts[k++]!);
    return fragments ? { ...p, minimalExact: fragments.map((f) => f.text).join('') } : p;
  });
}

/** Prints the pass-set table; returns how many cases missed (not passing, or more removals than the optimum). */
export async function passSetBench(suite: BenchCase[]): Promise<number> {
  const rows: string[] = [];
  let missed = 0;
  for (const c of passCases(suite)) {
    const oracle = () => countingOracle(async (input) => c.rule(text(input)), { slots: 1 });
    const bisectOracle = oracle();
    const bisect = await reduce(c.input, bisectOracle);
    const o = oracle();
    const out = await findPassSet(c.input, o, { minimal: withExact(bisect) });
    const passes = !c.rule(text(out.input));
    const ok = out.status === 'passes' && passes && out.removals.length === c.optimum;
    if (!ok) missed++;
    const removed = [...new Set(out.removed.map((r) => JSON.stringify(r.text)))].join(', ');
    rows.push(
      `| ${c.name} | ${c.description} | ${bisectOracle.probes} | ${o.probes} | ${out.triggersFound} | ${out.removals.length} (optimum ${c.optimum})${out.removals.length === c.optimum ? '' : ' **missed**'} | ` +
        `${out.removedBytes} B: ${removed} | ${out.verification.passed}/${out.verification.of} | ${passes ? 'yes' : 'NO'} | ${out.oneMinimal ? 'yes' : 'no'} |`,
    );
  }
  console.log('\n## Pass-set search (`npm run bench:reduce`, src/core/unblock/passSet.ts)\n');
  console.log('From the reducer\'s result on each input (its probes in "bisect probes"), the fewest removals after which the whole input passes.');
  console.log('"pass-set probes": the search alone (confirming the original, the reducer rounds on what is left, verification, putting each removal back). Verified: its own k = 5 fresh answers; passes: checked against the rule here. One probe in flight.\n');
  console.log('| case | input | bisect probes | pass-set probes | extra triggers found | removals | removed | verified | passes (rule) | each removal needed |');
  console.log('|---|---|---:|---:|---:|---|---|---:|---|---|');
  for (const row of rows) console.log(row);
  return missed;
}

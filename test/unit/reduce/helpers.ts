/** Small in-process oracles for the reducer's tests: a predicate over the probed text, with counts. */
import { OracleError, type Oracle, type ProbeInput, type Verdict } from '../../../src/core/probe/oracle/types';
import { seededRandom } from '../../../src/sim/noise';

export interface TestOracle extends Oracle {
  calls: number;
  seen: string[];
}

export function textOf(input: ProbeInput): string {
  return input.parts.map((p) => p.text).join('\n');
}

export function predicateOracle(refuses: (text: string, input: ProbeInput) => boolean, opts: { budget?: number; flip?: () => boolean } = {}): TestOracle {
  const oracle: TestOracle = {
    name: 'test',
    calls: 0,
    seen: [],
    async probe(input: ProbeInput): Promise<Verdict> {
      if (opts.budget !== undefined && oracle.calls >= opts.budget) throw new OracleError('budget', 'max probes reached');
      oracle.calls++;
      const text = textOf(input);
      oracle.seen.push(text);
      let refused = refuses(text, input);
      if (opts.flip?.()) refused = !refused;
      return { refused, usage: { inputTokens: text.length, outputTokens: 1 }, costUsd: 0, bytesSent: text.length, latencyMs: 0 };
    },
  };
  return oracle;
}

/** Seeded pseudo-random numbers (the stand-in's mulberry32), so every run sees the same flips. */
export const seeded = seededRandom;

export function filler(lines: number, seed = 1): string {
  const rnd = seeded(seed);
  const words = ['alpha', 'river', 'stone', 'quiet', 'garden', 'window', 'paper', 'orange', 'signal', 'market', 'cloud', 'tiger'];
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const n = 6 + Math.floor(rnd() * 8);
    out.push(Array.from({ length: n }, () => words[Math.floor(rnd() * words.length)]).join(' ') + '.');
  }
  return out.join('\n') + '\n';
}

/** Is `text` 1-minimal for the predicate at code point level (removing any one character makes it pass)? */
export function oneMinimal(text: string, refuses: (t: string) => boolean): boolean {
  const cps = Array.from(text);
  return cps.every((_, i) => !refuses([...cps.slice(0, i), ...cps.slice(i + 1)].join('')));
}

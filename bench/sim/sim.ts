/**
 * `npm run bench:sim`: how fast the stand-in judges and answers, so reducer benchmarks know the stand-in is not
 * what they measure. Prints classify() time by request size and SDK round trips (sequential and concurrent).
 */
import Anthropic from '@anthropic-ai/sdk';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { classify, parseRules } from '../../src/sim/classifier';
import { startSim } from '../../src/sim/server';
import type { MessagesRequestBody } from '../../src/sim/types';

const rules = parseRules(JSON.parse(readFileSync('src/sim/rules/demo.json', 'utf8')));

/** Code-like filler with no trigger in it, so every rule scans the whole text. */
function filler(bytes: number): string {
  const line = 'function render(item, index) { return `<li data-i="${index}">${item.label}</li>`; } // ok\n';
  return line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  console.log('classify() with src/sim/rules/demo.json (4 rules), no match (full scan):');
  for (const size of [10_000, 100_000, 1_000_000, 5_000_000]) {
    const body: MessagesRequestBody = { model: 'claude-opus-4-8', max_tokens: 10, messages: [{ role: 'user', content: filler(size) }] };
    const runs = size >= 1_000_000 ? 5 : 30;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      if (classify(body, rules, body.model).refused) throw new Error('filler must not match');
      times.push(performance.now() - t);
    }
    console.log(`  ${String(size / 1000).padStart(6)} KB: median ${median(times).toFixed(2)} ms over ${runs} runs`);
  }

  const sim = await startSim({ rules });
  const api = new Anthropic({ apiKey: 'sk-ant-FAKE-bench', baseURL: sim.url, maxRetries: 0 });
  const ask = (content: string) => api.messages.create({ model: 'claude-opus-4-8', max_tokens: 10, messages: [{ role: 'user', content }] });
  for (let i = 0; i < 20; i++) await ask('warm up');
  sim.resetStats();

  const n = 300;
  let t = performance.now();
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await ask(`request ${i}`);
    lat.push(performance.now() - s);
  }
  let elapsed = performance.now() - t;
  console.log(`SDK round trips, sequential, small prompt: ${n} in ${elapsed.toFixed(0)} ms = ${(n / (elapsed / 1000)).toFixed(0)} req/s, p50 ${median(lat).toFixed(2)} ms`);

  t = performance.now();
  const concurrency = 8;
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await ask(`request ${next++}`);
  }));
  elapsed = performance.now() - t;
  console.log(`SDK round trips, ${concurrency} in flight: ${n} in ${elapsed.toFixed(0)} ms = ${(n / (elapsed / 1000)).toFixed(0)} req/s`);

  const big = filler(1_000_000);
  const bigLat: number[] = [];
  for (let i = 0; i < 10; i++) {
    const s = performance.now();
    await ask(big);
    bigLat.push(performance.now() - s);
  }
  console.log(`SDK round trip with a 1 MB prompt: p50 ${median(bigLat).toFixed(1)} ms over 10`);
  const stats = sim.stats();
  console.log(`stand-in counted ${stats.requests} requests, ${stats.inputTokens} input tokens (ceil(bytes/4) of system+messages+tools JSON)`);
  await sim.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

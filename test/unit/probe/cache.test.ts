import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandOracle } from '../../../src/core/probe/oracle/command';
import type { Oracle, ProbeInput, Verdict } from '../../../src/core/probe/oracle/types';
import { defaultCacheDir, ProbeCache, probeKey } from '../../../src/core/probe/cache';
import { MeteredOracle } from '../../../src/core/probe/meter';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'aup-cache-test-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const candidate = (text: string): ProbeInput => ({ parts: [{ kind: 'file', text, fileName: 'ad.txt' }] });

describe('probe cache', () => {
  it('keys on oracle identity, model, system and part content, and stores no text', async () => {
    const a = probeKey('command|grep -q x', undefined, candidate('secret text'));
    expect(probeKey('command|grep -q x', undefined, candidate('secret text'))).toBe(a);
    expect(probeKey('command|grep -q y', undefined, candidate('secret text'))).not.toBe(a);
    expect(probeKey('command|grep -q x', 'claude-opus-4-8', candidate('secret text'))).not.toBe(a);
    expect(probeKey('command|grep -q x', undefined, { ...candidate('secret text'), system: 's' })).not.toBe(a);
    expect(probeKey('command|grep -q x', undefined, candidate('secret text!'))).not.toBe(a);
    // A probe in a session is answered for that session; each session is its own key.
    const inSession = probeKey('command|grep -q x', undefined, { ...candidate('secret text'), session: { id: 's1' } });
    expect(inSession).not.toBe(a);
    expect(probeKey('command|grep -q x', undefined, { ...candidate('secret text'), session: { id: 's2' } })).not.toBe(inSession);

    const dir = await tempDir();
    const cache = await ProbeCache.open(dir);
    await cache.record(a, true, { inputTokens: 10, outputTokens: 1 }, 0.001, 'cyber');
    const file = await readFile(cache.file, 'utf8');
    expect(file).not.toContain('secret');
    expect(JSON.parse(file.trim())).toMatchObject({ k: a, r: true, i: 10, o: 1, c: 0.001, g: 'cyber' });
  });

  it('keeps every answer in order, as counts and a sequence, across reopenings', async () => {
    const dir = await tempDir();
    const first = await ProbeCache.open(dir);
    await first.record('k1', true);
    await first.record('k1', false);
    await first.record('k1', true);
    const again = await ProbeCache.open(dir);
    expect(again.get('k1')).toMatchObject({ refused: 2, passed: 1, answers: [true, false, true] });
    expect(again.answer('k1', 1)).toBe(false);
    expect(again.answer('k1', 3)).toBeUndefined();
  });

  it('skips a torn line left by a crash', async () => {
    const dir = await tempDir();
    const cache = await ProbeCache.open(dir);
    await cache.record('k1', true);
    const { appendFile } = await import('node:fs/promises');
    await appendFile(cache.file, '{"k":"k2","r":tr');
    expect((await ProbeCache.open(dir)).size).toBe(1);
  });

  it('defaults to $XDG_CACHE_HOME/aup-bisect/probes', () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x/cache' })).toBe('/x/cache/aup-bisect/probes');
    expect(defaultCacheDir({})).toMatch(/\.cache\/aup-bisect\/probes$/);
  });

  it('a second run of the same probes pays nothing', async () => {
    const dir = await tempDir();
    const inputs = ['alpha donkey underneath', 'beta', 'gamma donkey underneath', 'delta'].map(candidate);
    const run = async (): Promise<MeteredOracle> => {
      const meter = new MeteredOracle(new CommandOracle({ command: 'grep -q "donkey underneath"' }), { cache: await ProbeCache.open(dir) });
      for (const input of inputs) await meter.probe(input);
      await meter.close();
      return meter;
    };
    const one = await run();
    expect(one.counters).toMatchObject({ probes: 4, cachedProbes: 0 });
    const two = await run();
    expect(two.counters).toMatchObject({ probes: 0, cachedProbes: 4, bytesSent: 0 });
  });

  it('serves repeats as samples: the n-th ask gets the n-th stored answer, then a fresh one', async () => {
    const dir = await tempDir();
    let calls = 0;
    const flaky: Oracle = {
      name: 'flaky',
      identity: 'flaky',
      probe: async (): Promise<Verdict> => ({
        refused: ++calls % 2 === 1, usage: { inputTokens: 1, outputTokens: 0 }, costUsd: 0, bytesSent: 1, latencyMs: 0,
      }),
    };
    const first = new MeteredOracle(flaky, { cache: await ProbeCache.open(dir) });
    const answers1 = [await first.probe(candidate('x')), await first.probe(candidate('x'))].map((v) => v.refused);
    expect(answers1).toEqual([true, false]);
    const second = new MeteredOracle(flaky, { cache: await ProbeCache.open(dir) });
    const replay = [await second.probe(candidate('x')), await second.probe(candidate('x')), await second.probe(candidate('x'))];
    expect(replay.map((v) => v.refused)).toEqual([true, false, true]);
    expect(replay.map((v) => v.cached === true)).toEqual([true, true, false]);
    expect(second.counters).toMatchObject({ probes: 1, cachedProbes: 2 });
    // Memo mode: one answer per input, for deterministic oracles.
    const memo = new MeteredOracle(flaky, { cache: await ProbeCache.open(dir), repeatMode: 'memo' });
    await memo.probe(candidate('x'));
    await memo.probe(candidate('x'));
    expect(memo.counters).toMatchObject({ probes: 0, cachedProbes: 2 });
  });
});

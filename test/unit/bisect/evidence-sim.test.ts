/**
 * Rates across models through the real stand-in: the Messages API of src/sim on loopback, probed by the API oracle
 * (the official SDK), with one rule restricted to claude-opus-5-*. A refusal bisected on Opus 5.5 is replayed on the
 * models the stand-in lists; the draft shows "refused 3/3" on Opus 5.5 and "0/3" on Opus 4.8, and every request id
 * in its table is one the stand-in's own log says it served, for that model, with that verdict.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvidence } from '../../../src/core/bisect/evidence';
import type { BisectResult } from '../../../src/core/bisect/result';
import { runBisect } from '../../../src/core/bisect/run';
import { ApiOracle } from '../../../src/core/probe/oracle/api';
import { draftGated } from '../../../src/core/report/exits';
import { startSim, type SimServer } from '../../../src/sim/server';

const RULES = {
  rules: [{ id: 'donkey-opus5', category: 'general_harms', models: ['claude-opus-5-*'], window: { phrases: ['character', 'donkey underneath'], chars: 40, ordered: true } }],
};
const CATALOGUE = Array.from({ length: 40 }, (_, i) =>
  i === 23 ? 'item 23: a plush character with a donkey underneath, ages 3+' : `item ${i}: wooden blocks, set of ${i}`).join('\n');

let sim: SimServer;
let cacheDir: string;
let result: BisectResult;
let oracle: ApiOracle;

beforeAll(async () => {
  sim = await startSim({ rules: RULES });
  cacheDir = await mkdtemp(join(tmpdir(), 'aup-evidence-cache-'));
  oracle = new ApiOracle({ apiKey: 'sk-ant-api03-FAKE-evidence-test', baseUrl: sim.url, model: 'claude-opus-5-5', name: 'sim', retryBaseMs: 50 });
  // `models: []`: the refusing model and its previous version, found in the stand-in's GET /v1/models.
  result = await runBisect({ source: { kind: 'text', text: CATALOGUE, fileName: 'catalogue.txt' }, oracle, cache: cacheDir, concurrency: 2, models: [] });
}, 120_000);
afterAll(async () => {
  await sim.close();
  await rm(cacheDir, { recursive: true, force: true });
});

/** Request ids of the table row of `model` in a draft body. */
function rowIds(body: string, model: string): string[] {
  const row = body.split('\n').find((l) => l.startsWith('| ') && l.includes(`(\`${model}\`)`));
  expect(row, `a table row for ${model}`).toBeDefined();
  return [...row!.matchAll(/`(req_\w+)`/g)].map((m) => m[1]!);
}

describe('rates across models through the stand-in', () => {
  it('drafts "refused 3/3" on the opus-5 model and "0/3" on its previous version, and answers the regression question', async () => {
    expect(result.status).toBe('minimal');
    expect(result.evidence!.models.map((m) => [m.model, m.role, m.trigger?.refused, m.trigger?.k])).toEqual([
      ['claude-opus-5-5', 'refusing', 3, 3],
      ['claude-opus-4-8', 'previous', 0, 3],
    ]);
    const { body } = await draftGated({ result, env: {} });
    const opus5 = body.split('\n').find((l) => l.startsWith('| Opus 5.5'))!;
    const opus48 = body.split('\n').find((l) => l.startsWith('| Opus 4.8'))!;
    // Columns: the trigger as the user message, in a file Claude Code reads (the reproductions' forms), the readable
    // trigger, the control. On Opus 5.5 both forms are the very requests the reproductions sent: their answers are
    // reused, ids and all.
    expect(body).toContain('| Model | Trigger | In a file Claude Code reads | Readable trigger | Control (`Say hello.`) | Request ids |');
    expect(opus5).toMatch(/^\| Opus 5\.5 \(`claude-opus-5-5`\) \| refused 3\/3 \(3 from cache\) \| refused 3\/3 \(3 from cache\) \| refused 3\/3 \| refused 0\/3 \|/);
    expect(opus48).toMatch(/^\| Opus 4\.8 \(`claude-opus-4-8`\) \| refused 0\/3 \| refused 0\/3 \| refused 0\/3 \| refused 0\/3 \|/);
    const regression = body.slice(body.indexOf('### Is this a regression?'));
    expect(regression).toMatch(/^### Is this a regression\?\n\nYes, across models: refused 3\/3 on Opus 5\.5 \(`claude-opus-5-5`\), 0\/3 on Opus 4\.8 \(`claude-opus-4-8`\) with the same \d+ characters\./);
  });

  it('gives only request ids the stand-in served, each for that model and with that verdict', async () => {
    const { body } = await draftGated({ result, env: {} });
    const served = new Map(sim.stats().log.map((entry) => [entry.requestId, entry]));
    for (const [model, refusedTrigger] of [['claude-opus-5-5', true], ['claude-opus-4-8', false]] as const) {
      const row = result.evidence!.models.find((m) => m.model === model)!;
      const ids = rowIds(body, model);
      // The trigger in both forms, the readable form and the control: 3 each, every one answered by the stand-in (in
      // this run or, for a reused answer, when the reproduction sent the same request).
      expect(ids).toHaveLength(12);
      for (const id of ids) expect(served.get(id)?.model).toBe(model);
      for (const id of row.trigger!.requestIds) expect(served.get(id)?.verdict).toBe(refusedTrigger ? 'refused' : 'passed');
      for (const id of row.otherForms![0]!.rate.requestIds) expect(served.get(id)?.verdict).toBe(refusedTrigger ? 'refused' : 'passed');
      for (const id of row.control!.requestIds) expect(served.get(id)?.verdict).toBe('passed');
    }
  });

  it('replayed again from the cache, keeps the request ids of the answers it reuses and sends nothing', async () => {
    const before = sim.stats().requests;
    const again = await runEvidence({ result: { ...result, evidence: undefined }, oracle, cache: cacheDir });
    expect(sim.stats().requests).toBe(before);
    const first = result.evidence!.models[0]!;
    const cached = again.evidence!.models[0]!;
    expect(cached.trigger).toMatchObject({ refused: 3, k: 3, cached: 3 });
    expect(cached.trigger!.requestIds).toEqual(first.trigger!.requestIds);
  });
});

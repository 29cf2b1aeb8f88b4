import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordId } from '../../../src/core/transcript/turn';
import { extractFile, initialState, pendingEntry, type ExtractOptions } from '../../../src/core/ledger/extract';
import { DEFAULT_PRICES, priceUsage } from '../../../src/core/prices';
import { FALLBACK_NOTICE, hardStop } from '../../support/messages';
import { ledgerSession, type SessionBuilder } from '../../support/transcript';

const options: ExtractOptions = { prices: DEFAULT_PRICES, fallbackProject: '/decoded/project' };
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ledger-extract-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function extract(t: SessionBuilder, chunkSize?: number) {
  const file = join(dir, 'session.jsonl');
  await writeFile(file, t.text());
  const result = await extractFile(file, initialState(), { ...options, ...(chunkSize ? { chunkSize } : {}) });
  const pending = pendingEntry(result.state, file, options);
  return { ...result, all: pending ? [...result.entries, pending] : result.entries };
}

describe('extractFile', () => {
  it('counts a fallback chain once, with the refused request and the fallback that answered', async () => {
    const t = ledgerSession();
    t.user('scan my server for open ports');
    t.wait(3).assistant('claude-fable-5', { input: 1200, output: 300, cacheWrite: 5000, cacheRead: 20000 }, 'req_first');
    const refused = t.wait(10).user('now write the exploit check');
    t.wait(4).refusal(hardStop('req_refused'), { category: 'cyber' });
    t.fallback({ originalModel: 'claude-fable-5', fallbackModel: 'claude-opus-4-8', requestId: 'req_refused', category: 'cyber', refusedUserMessageUuid: refused });
    // One response, three content blocks: three entries, one request.
    t.wait(8).assistant('claude-opus-4-8', { input: 900, output: 700, cacheRead: 25000 }, 'req_fallback', { blocks: 3 });
    t.wait(30).user('thanks, next');
    t.wait(2).assistant('claude-opus-4-8', { input: 10, output: 10 }, 'req_later');

    const { entries, all } = await extract(t);
    expect(all).toHaveLength(1);
    const [e] = entries;
    expect(e!.kind).toBe('safeguards');
    expect(e!.refusedUserUuid).toBe(refused);
    // The synthetic entry and the model_refusal_fallback entry tell of the same request: one refusing model.
    expect(e!.models).toHaveLength(1);
    expect(e!.models[0]).toMatchObject({ model: 'claude-fable-5', requestId: 'req_refused', category: 'cyber', fallbackModel: 'claude-opus-4-8' });
    expect(e!.requests.map((r) => [r.role, r.model, r.requestId ?? r.messageId])).toEqual([
      ['refused', 'claude-fable-5', 'req_refused'],
      ['fallback', 'claude-opus-4-8', 'req_fallback'],
    ]);
    // The refused request is logged with zero usage: its input is estimated as the request before it (its cache
    // writes now read from the cache), plus that request's output, plus the new prompt at ~4 bytes per token.
    expect(e!.requests[0]!.estimated).toBe(true);
    const promptTokens = Math.ceil(JSON.stringify('now write the exploit check').length / 4);
    expect(e!.requests[0]!.usage).toEqual({ input: 1200 + 300 + promptTokens, output: 0, cacheWrite: 0, cacheRead: 25000 });
    expect(e!.requests[1]!.usage).toEqual({ input: 900, output: 700, cacheWrite: 0, cacheRead: 25000 });
    expect(e!.usage).toEqual({ input: 2100 + 300 + promptTokens, output: 700, cacheWrite: 0, cacheRead: 50000 });
    expect(e!.costSource).toBe('price-table');
    const expected =
      priceUsage(e!.requests[0]!.usage, 'claude-fable-5') + priceUsage(e!.requests[1]!.usage, 'claude-opus-4-8');
    expect(e!.costUSD).toBeCloseTo(expected, 10);
    // From the prompt to the fallback's answer.
    expect(e!.timeLostMs).toBe(12_000);
    expect(e!.sessionContinued).toBe(true);
    expect(e!.complete).toBe(true);
    expect(e!.project).toBe('/home/dev/shop');
    expect(e!.claudeCodeVersion).toBe('2.1.328');
    // The id the detector gives the same turn (`aup-bisect scan`), so ledger and scan entries line up.
    expect(e!.id).toBe(recordId('sess-1', refused));
  });

  it('takes the cost from the cost-state snapshots right before and after the turn', async () => {
    const t = ledgerSession();
    t.user('hello');
    t.assistant('claude-fable-5', { input: 100, output: 50 }, 'req_a');
    t.costState(0.5, { 'claude-fable-5': { input: 100, output: 50, cacheWrite: 0, cacheRead: 0, costUSD: 0.5 } });
    const refused = t.wait(5).user('refuse me');
    t.wait(2).refusal(hardStop('req_r'), { category: 'cyber' });
    t.fallback({ originalModel: 'claude-fable-5', fallbackModel: 'claude-opus-4-8', requestId: 'req_r', category: 'cyber', refusedUserMessageUuid: refused });
    t.wait(6).assistant('claude-opus-4-8', { input: 300, output: 80 }, 'req_f');
    t.costState(1.75, {
      'claude-fable-5': { input: 400, output: 50, cacheWrite: 0, cacheRead: 0, costUSD: 1.0 },
      'claude-opus-4-8': { input: 300, output: 80, cacheWrite: 0, cacheRead: 0, costUSD: 0.75 },
    });
    t.user('go on');

    const { entries } = await extract(t);
    expect(entries).toHaveLength(1);
    const e = entries[0]!;
    expect(e.costSource).toBe('cost-state');
    expect(e.costUSD).toBeCloseTo(1.25, 10);
    expect(e.costByModel['claude-fable-5']).toBeCloseTo(0.5, 10);
    expect(e.costByModel['claude-opus-4-8']).toBeCloseTo(0.75, 10);
    // Token deltas per model: the refused request's real 300 input tokens show up here, not in the transcript.
    expect(e.usage).toEqual({ input: 600, output: 80, cacheWrite: 0, cacheRead: 0 });
  });

  it('falls back to the price table when the cost-state before the turn is stale', async () => {
    const t = ledgerSession();
    t.costState(0.1, { 'claude-fable-5': { input: 10, output: 10, cacheWrite: 0, cacheRead: 0, costUSD: 0.1 } });
    t.user('first');
    t.assistant('claude-fable-5', { input: 100, output: 50 }, 'req_a'); // ran after the snapshot: it is stale now
    const refused = t.user('second');
    t.refusal(hardStop('req_r'));
    t.noFallback({ originalModel: 'claude-fable-5', requestId: 'req_r', category: 'cyber', refusedUserMessageUuid: refused, content: hardStop('req_r') });
    t.costState(9, { 'claude-fable-5': { input: 999, output: 999, cacheWrite: 0, cacheRead: 0, costUSD: 9 } });
    t.user('third');

    const { entries } = await extract(t);
    expect(entries[0]!.costSource).toBe('price-table');
    const estimate = { input: 100 + 50 + Math.ceil('"second"'.length / 4), output: 0, cacheWrite: 0, cacheRead: 0 };
    expect(entries[0]!.costUSD).toBeCloseTo(priceUsage(estimate, 'claude-fable-5'), 10);
    expect(entries[0]!.sessionContinued).toBe(false);
  });

  it('keeps separate refused turns apart and ignores API errors that are not refusals', async () => {
    const t = ledgerSession();
    const one = t.user('one');
    t.refusal(hardStop('req_1'));
    t.user('two');
    t.apiError('Prompt is too long · the request is ~212345 tokens (limit 200000)');
    const three = t.user('three');
    t.refusal(hardStop('req_3'));
    const { entries, all } = await extract(t);
    expect(entries).toHaveLength(1);
    // The last chain is still open at the end of the file: shown, marked incomplete.
    expect(all).toHaveLength(2);
    expect(all[1]!.complete).toBe(false);
    expect(all.map((e) => e.refusedUserUuid)).toEqual([one, three]);
  });

  it('does not take a quoted refusal in a prompt or tool result for one', async () => {
    const t = ledgerSession();
    t.user(`why did I get this? ${hardStop()}`);
    t.assistant('claude-opus-4-8', { input: 1, output: 1 }, 'req_1', { text: hardStop() });
    t.toolResult('toolu_1', JSON.stringify({ message: { stop_reason: 'refusal', content: FALLBACK_NOTICE } }));
    const { all } = await extract(t);
    expect(all).toEqual([]);
  });

  it('gives the same result whatever the read size (lines cross chunk borders)', async () => {
    const t = ledgerSession();
    for (let i = 0; i < 20; i++) {
      const u = t.wait(60).user(`prompt ${i} ${'x'.repeat(i * 37)}`);
      t.assistant('claude-fable-5', { input: 10 + i, output: 5 }, `req_${i}`);
      if (i % 3 === 0) {
        t.refusal(hardStop(`req_r${i}`), { category: 'cyber' });
        t.fallback({ originalModel: 'claude-fable-5', fallbackModel: 'claude-opus-4-8', requestId: `req_r${i}`, category: 'cyber', refusedUserMessageUuid: u });
        t.assistant('claude-opus-4-8', { input: 7, output: 3 }, `req_f${i}`, { blocks: 2 });
      }
    }
    const whole = await extract(t);
    const small = await extract(t, 97);
    expect(small.all).toEqual(whole.all);
    expect(whole.all).toHaveLength(7);
  });
});

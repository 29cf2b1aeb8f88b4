/**
 * The ledger over transcripts the real Claude Code 2.1.328 wrote against the loopback Messages API
 * (test/fixtures/claude-code, with the requests the stand-in saw in manifest.json): every refused request counted,
 * the same turns and ids as the detector's scan.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractFile, initialState, mergeTurns, parseCostState, pendingEntry, usageFromApi, type ExtractOptions } from '../../../src/core/ledger/extract';
import { totalTokens } from '../../../src/core/ledger/types';
import { DEFAULT_PRICES } from '../../../src/core/prices';
import { scanTranscript } from '../../../src/core/transcript/scan';

const dir = join(__dirname, '../../fixtures/claude-code');
interface Fixture {
  name: string;
  files: { transcripts: string[] };
  refused: boolean;
  sessionContinued?: boolean;
  requests: Array<{ model: string; verdict: string; requestId?: string }>;
  refusingModels: string[];
}
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { fixtures: Fixture[] };
const options: ExtractOptions = { prices: DEFAULT_PRICES, fallbackProject: 'fixtures' };

async function ledger(path: string) {
  const { state, entries } = await extractFile(path, initialState(), options);
  const pending = pendingEntry(state, path, options);
  return mergeTurns(pending ? [...entries, pending] : entries);
}

describe('ledger over real Claude Code transcripts', () => {
  for (const fixture of manifest.fixtures) {
    it(`${fixture.name}: ${fixture.refused ? 'one refused turn with all its requests' : 'no refusal'}`, async () => {
      const path = join(dir, fixture.files.transcripts[0]!);
      const entries = await ledger(path);
      const records = [];
      for await (const r of scanTranscript(path)) records.push(r);
      expect(entries.map((e) => e.id)).toEqual(records.map((r) => r.id));
      if (!fixture.refused) return;

      const [entry] = entries;
      const refused = fixture.requests.filter((r) => r.verdict === 'refused');
      expect(entry!.requests.filter((r) => r.role === 'refused')).toHaveLength(refused.length);
      expect(entry!.requests.filter((r) => r.role === 'refused').map((r) => r.model)).toEqual(refused.map((r) => r.model));
      // The refused requests the transcript names by id are the ones the API saw.
      for (const r of entry!.requests) if (r.requestId) expect(fixture.requests.map((q) => q.requestId)).toContain(r.requestId);
      const answered = fixture.requests.filter((r) => r.verdict === 'passed' && fixture.sessionContinued);
      expect(entry!.requests.filter((r) => r.role !== 'refused').map((r) => r.requestId)).toEqual(
        answered.length && fixture.requests.at(-1)!.verdict === 'passed' ? [fixture.requests.at(-1)!.requestId] : [],
      );
      expect(entry!.sessionContinued).toBe(fixture.sessionContinued ?? false);
      expect(entry!.models.map((m) => m.model)).toEqual(fixture.refusingModels);
      if (fixture.name.includes('content-filter')) {
        // A 400 from the content filter is not billed, and Claude Code's cost-state says so.
        expect([entry!.costSource, entry!.costUSD]).toEqual(['cost-state', 0]);
      } else {
        expect(entry!.costUSD).toBeGreaterThan(0);
      }
    });
  }

  it('estimates refused requests within 1% of what Claude Code counted when there is no cost-state around the turn', async () => {
    for (const name of ['print-read-refused', 'tui-read-refused', 'print-read-pdf-refused', 'tui-passed-then-refused']) {
      const path = join(dir, `${name}.jsonl`);
      const [entry] = await ledger(path);
      expect(entry!.costSource).toBe('price-table');
      // Claude Code's session total (the last cost-state) less the requests before the refused turn.
      const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
      const cost = parseCostState(lines.filter((l) => l.type === 'cost-state').at(-1)!);
      const counted = Object.values(cost.models).reduce((n, m) => n + totalTokens(m.usage), 0);
      const before = lines
        .filter((l) => l.type === 'assistant' && l.message.model !== '<synthetic>' && Date.parse(l.timestamp) <= Date.parse(entry!.promptTimestamp!))
        .reduce((n, l) => n + totalTokens(usageFromApi(l.message.usage)), 0);
      expect(Math.abs(totalTokens(entry!.usage) - (counted - before)) / (counted - before)).toBeLessThan(0.01);
    }
  });

  it('takes the cost of a refused first prompt from Claude Code\'s own cost-state', async () => {
    const path = join(dir, 'print-refused-cyber.jsonl');
    const result = JSON.parse(readFileSync(join(dir, 'print-refused-cyber.result.json'), 'utf8')) as { total_cost_usd: number };
    const [entry] = await ledger(path);
    expect(entry!.costSource).toBe('cost-state');
    expect(entry!.costUSD).toBeCloseTo(result.total_cost_usd, 9);
    expect(entry!.usage.input).toBe(24472 + 12224);
  });
});

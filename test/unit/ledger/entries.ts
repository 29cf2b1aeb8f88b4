/** Ledger entries built directly, for tests of the pure aggregation and formatting. */
import type { LedgerEntry } from '../../../src/core/ledger/types';

let n = 0;
export function entry(over: Partial<LedgerEntry> & { timestamp: string }): LedgerEntry {
  n++;
  return {
    id: `s${n}:u${n}`,
    kind: 'safeguards',
    sessionId: `s${n}`,
    transcript: `/h/.claude/projects/-p/s${n}.jsonl`,
    line: 3,
    project: '/home/dev/shop',
    claudeCodeVersion: '2.1.328',
    models: [{ model: 'claude-fable-5', requestId: `req_${n}`, category: 'cyber', fallbackModel: 'claude-opus-4-8' }],
    message: 'API Error: ...',
    requests: [
      { role: 'refused', model: 'claude-fable-5', requestId: `req_${n}`, usage: { input: 100, output: 0, cacheWrite: 0, cacheRead: 900 }, estimated: true },
      { role: 'fallback', model: 'claude-opus-4-8', requestId: `req_f${n}`, usage: { input: 50, output: 20, cacheWrite: 0, cacheRead: 900 }, estimated: false },
    ],
    usage: { input: 150, output: 20, cacheWrite: 0, cacheRead: 1800 },
    costUSD: 1,
    costSource: 'cost-state',
    costByModel: { 'claude-fable-5': 0.6, 'claude-opus-4-8': 0.4 },
    timeLostMs: 10_000,
    sessionContinued: true,
    complete: true,
    ...over,
  };
}

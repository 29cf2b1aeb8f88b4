import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('vscode', () => import('./vscode-mock'));
import type { BisectResult } from '../../../src/core/bisect/result';
import { ResultStorage } from '../../../src/extension/results';
import { newIssueUrl } from '../../../src/extension/draftPanel';
import { summarize } from '../../../src/extension/bisectPanel';
import { refusalRecord } from './fixtures';

function result(overrides: Partial<BisectResult> = {}): BisectResult {
  return {
    status: 'reduced', minimal: 'reverse shell that can exfiltrate', probes: 23, cachedProbes: 4, inputTokens: 41_000, bytesSent: 160_000,
    oneMinimal: true, verification: { refused: 5, of: 5 }, flipsSeen: 0, elapsedMs: 4200, outputTokens: 230, costUsd: 0.1234,
    repeats: 1, parts: [], oracle: 'api', model: 'claude-opus-4-8', date: '2026-11-22T12:00:00.000Z',
    original: { fileName: 'notes.md', size: 18_000, sha256: 'f'.repeat(64) },
    control: { removed: 'exfiltrate', passed: 5, of: 5 },
    ...overrides,
  };
}

describe('ResultStorage', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(path.join(tmpdir(), 'aup-results-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('saves a result with its original text and lists it back, tied to its refusal', async () => {
    const storage = new ResultStorage(dir);
    const saved = await storage.save('notes.md', result({ refusal: refusalRecord() }), 'the whole original text');
    expect(saved.id).toBe('2026-11-22T12-00-00-000Z-ffffffff');
    expect((await storage.load(saved.id))?.originalText).toBe('the whole original text');
    expect(await storage.list()).toEqual([{ id: saved.id, refusalId: 'sess1-u42', label: 'notes.md', date: saved.result.date, result: saved.result }]);
  });

  it('skips a damaged file instead of failing the whole list', async () => {
    const storage = new ResultStorage(dir);
    await storage.save('ok', result(), 'x');
    await writeFile(path.join(storage.folder, 'broken.json'), '{ not json');
    expect((await storage.list()).map((r) => r.label)).toEqual(['ok']);
  });
});

describe('bisect messages', () => {
  it('summarises size, verification, control and cost in one line', () => {
    expect(summarize(result())).toBe(
      'Minimal trigger: 33 B (0.18% of 18000 B), refused 5/5 times on verification, and passed 5/5 without "exfiltrate"; 23 paid probes + 4 cached, $0.1234.',
    );
  });

  it('prefills a GitHub new-issue link and cuts a body too long for a URL', () => {
    const url = new URL(newIssueUrl('anthropics/claude-code', '[BUG] refusal', 'x'.repeat(7000)));
    expect(url.pathname).toBe('/anthropics/claude-code/issues/new');
    expect(url.searchParams.get('title')).toBe('[BUG] refusal');
    expect(url.searchParams.get('body')!.length).toBeLessThan(6200);
  });
});

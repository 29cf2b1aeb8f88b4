import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('../../../src/extension/vscodeapi', () => import('./support/fakeVscodeApi'));
import { ResultStorage } from '../../../src/extension/results';
import { bisectResult as result, refusalRecord } from './fixtures';

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

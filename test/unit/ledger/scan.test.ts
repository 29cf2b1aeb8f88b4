import { appendFile, mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectFromPath, scanLedger } from '../../../src/core/ledger/scan';
import { hardStop } from '../../support/messages';
import { ledgerSession, type SessionBuilder } from '../../support/transcript';

let root: string;
let projects: string;
let cache: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ledger-scan-'));
  projects = join(root, 'projects');
  cache = join(root, 'cache');
  await mkdir(join(projects, '-home-dev-shop'), { recursive: true });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const scan = () => scanLedger({ projectsDir: projects, cacheDir: cache });

/** A session with `n` refused turns, each answered by a fallback. */
function session(n: number, t = ledgerSession()): SessionBuilder {
  for (let i = 0; i < n; i++) {
    const u = t.wait(60).user(`prompt ${i}`);
    t.wait(2).refusal(hardStop(`req_r${t.lines.length}`), { category: 'cyber' });
    t.fallback({ originalModel: 'claude-fable-5', fallbackModel: 'claude-opus-4-8', requestId: `req_r${t.lines.length - 1}`, category: 'cyber', refusedUserMessageUuid: u });
    t.wait(5).assistant('claude-opus-4-8', { input: 100, output: 50 }, `req_f${t.lines.length}`);
    t.wait(30).user('ok, continue');
    t.wait(5).assistant('claude-opus-4-8', { input: 100, output: 50 }, `req_n${t.lines.length}`);
  }
  return t;
}

describe('scanLedger with its index', () => {
  it('reads only the appended bytes on the second run, and finds the same refusals as a cold run', async () => {
    const file = join(projects, '-home-dev-shop', 'sess-1.jsonl');
    const t = session(3);
    const firstPart = t.text();
    await writeFile(file, firstPart);
    const first = await scan();
    expect(first.stats).toMatchObject({ files: 1, filesRescanned: 1, bytesRead: Buffer.byteLength(firstPart) });
    expect(first.entries).toHaveLength(3);

    // Nothing changed: nothing is read.
    const again = await scan();
    expect(again.stats).toMatchObject({ filesRescanned: 0, filesResumed: 0, bytesRead: 0 });
    expect(again.entries).toEqual(first.entries);

    session(2, t);
    const appended = t.text().slice(firstPart.length);
    await appendFile(file, appended);
    const second = await scan();
    expect(second.stats).toMatchObject({ filesRescanned: 0, filesResumed: 1, bytesRead: Buffer.byteLength(appended) });
    expect(second.entries).toHaveLength(5);

    const cold = await scanLedger({ projectsDir: projects, useIndex: false });
    expect(second.entries).toEqual(cold.entries);
  });

  it('leaves a half-written last line for the next run', async () => {
    const file = join(projects, '-home-dev-shop', 'sess-1.jsonl');
    const text = session(2).text();
    const cut = text.length - 40; // inside the last line
    await writeFile(file, text.slice(0, cut));
    const first = await scan();
    const lastLineStart = text.lastIndexOf('\n', text.length - 2) + 1;
    expect(first.stats.bytesRead).toBe(lastLineStart);
    await appendFile(file, text.slice(cut));
    const second = await scan();
    expect(second.stats).toMatchObject({ filesResumed: 1, bytesRead: text.length - lastLineStart });
    const cold = await scanLedger({ projectsDir: projects, useIndex: false });
    expect(second.entries).toEqual(cold.entries);
  });

  it('completes a chain that was open at the end of the file when the rest is appended', async () => {
    const file = join(projects, '-home-dev-shop', 'sess-1.jsonl');
    const t = ledgerSession();
    const u = t.user('check this binary');
    t.wait(3).refusal(hardStop('req_x'), { category: 'cyber' });
    await writeFile(file, t.text());
    const open = await scan();
    expect(open.entries.map((e) => [e.complete, e.sessionContinued])).toEqual([[false, false]]);

    const before = t.text().length;
    t.fallback({ originalModel: 'claude-fable-5', fallbackModel: 'claude-opus-4-8', requestId: 'req_x', category: 'cyber', refusedUserMessageUuid: u });
    t.wait(4).assistant('claude-opus-4-8', { input: 10, output: 20 }, 'req_y');
    t.user('next');
    await appendFile(file, t.text().slice(before));
    const done = await scan();
    expect(done.entries).toHaveLength(1);
    expect(done.entries[0]).toMatchObject({ complete: true, sessionContinued: true, timeLostMs: 7000 });
    expect(done.entries[0]!.requests.map((r) => r.role)).toEqual(['refused', 'fallback']);
  });

  it('rescans a file that was truncated or rewritten', async () => {
    const file = join(projects, '-home-dev-shop', 'sess-1.jsonl');
    await writeFile(file, session(3).text());
    await scan();

    const shorter = session(1).text();
    await writeFile(file, shorter);
    const truncated = await scan();
    expect(truncated.stats).toMatchObject({ filesRescanned: 1, bytesRead: Buffer.byteLength(shorter) });
    expect(truncated.entries).toHaveLength(1);

    // Same or larger size, but different first KB: another session was written over it.
    const other = session(2, ledgerSession({ sessionId: 'sess-2' })).text();
    await writeFile(file, other);
    const rewritten = await scan();
    expect(rewritten.stats).toMatchObject({ filesRescanned: 1, filesResumed: 0, bytesRead: Buffer.byteLength(other) });
    expect(rewritten.entries.map((e) => e.sessionId)).toEqual(['sess-2', 'sess-2']);
  });

  it('notices an edit that kept the size, through the mtime and the first KB', async () => {
    const file = join(projects, '-home-dev-shop', 'sess-1.jsonl');
    const text = session(2).text();
    await writeFile(file, text);
    await scan();
    await writeFile(file, text.replaceAll('sess-1', 'sess-9'));
    const { mtime } = await stat(file);
    await utimes(file, mtime, new Date(mtime.getTime() + 5000));
    const result = await scan();
    expect(result.stats.filesRescanned).toBe(1);
    expect(result.entries[0]!.sessionId).toBe('sess-9');
  });

  it('forgets deleted transcripts, and rebuilds an index it cannot read', async () => {
    const a = join(projects, '-home-dev-shop', 'a.jsonl');
    const b = join(projects, '-home-dev-shop', 'b.jsonl');
    await writeFile(a, session(1).text());
    await writeFile(b, session(2, ledgerSession({ sessionId: 'sess-b' })).text());
    expect((await scan()).entries).toHaveLength(3);
    await rm(b);
    const after = await scan();
    expect(after.entries).toHaveLength(1);
    expect(Object.keys(JSON.parse(await readFile(join(cache, 'ledger-index.json'), 'utf8')).files)).toEqual([a]);

    await writeFile(join(cache, 'ledger-index.json'), '{not json');
    const rebuilt = await scan();
    expect(rebuilt.entries).toHaveLength(1);
    expect(rebuilt.warnings[0]).toMatch(/unreadable.*rebuilding/);
  });

  it('says where to look when there is no projects folder', async () => {
    await expect(
      scanLedger({ projectsDir: join(root, 'nope'), cacheDir: cache }),
    ).rejects.toThrow(/no Claude Code transcripts at .*--claude-dir/);
  });

  it('names the project after the projects/<dir> folder when no cwd was logged', () => {
    expect(projectFromPath('/h/.claude/projects', '/h/.claude/projects/-home-dev-shop/s/subagents/a.jsonl')).toBe('/home/dev/shop');
  });
});

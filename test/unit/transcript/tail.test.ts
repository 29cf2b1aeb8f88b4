import { appendFileSync, closeSync, mkdirSync, openSync, rmSync, symlinkSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RefusalRecord } from '../../../src/core/refusal/record';
import { TranscriptTailer } from '../../../src/core/transcript/tail';
import { GENERATIONS } from '../../support/messages';
import { SessionBuilder, tempDir } from '../../support/transcript';

const tailers: TranscriptTailer[] = [];
afterEach(() => tailers.splice(0).forEach((t) => t.dispose()));

async function watching(dir: string, options = {}): Promise<RefusalRecord[]> {
  const tailer = new TranscriptTailer(dir, { pollIntervalMs: 200, fallbackSettleMs: 300, ...options });
  tailers.push(tailer);
  const seen: RefusalRecord[] = [];
  tailer.onRefusal((record) => seen.push(record));
  await tailer.start();
  return seen;
}

/** Waits for a condition; the deadline only bounds a hang (a busy machine is slower, not wrong). */
async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const settle = () => new Promise((r) => setTimeout(r, 400));

/** The lines one refused turn adds to a session. */
function refusedTurn(s: SessionBuilder, prompt: string): string {
  const before = s.entries.length;
  s.user(prompt);
  s.refusal(GENERATIONS.J_2_1_328, { category: 'cyber' });
  return s.entries.slice(before).map((e) => JSON.stringify(e)).join('\n') + '\n';
}

describe('TranscriptTailer', () => {
  it('ignores what was there at start-up and reports what is appended, with its line number', async () => {
    const dir = tempDir();
    const s = new SessionBuilder();
    s.user('old');
    s.apiError(GENERATIONS.B);
    const path = s.write(dir);
    const seen = await watching(dir);
    appendFileSync(path, refusedTurn(s, 'new prompt'));
    await until(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ refusedPrompt: 'new prompt', line: 4, transcript: path, kind: 'safeguards' });
    await settle();
    expect(seen).toHaveLength(1);
  });

  it('waits for a line written in pieces', async () => {
    const dir = tempDir();
    const s = new SessionBuilder();
    s.user('hello');
    const path = s.write(dir);
    const seen = await watching(dir);
    const text = refusedTurn(s, 'split me');
    appendFileSync(path, text.slice(0, text.length - 40));
    await settle();
    expect(seen).toEqual([]);
    appendFileSync(path, text.slice(text.length - 40));
    await until(() => seen.length === 1);
    expect(seen[0].refusedPrompt).toBe('split me');
    expect(seen[0].models[0].requestId).toBe('req_011CcA1bZ2yX3wV4uT5sR6qP');
  });

  it('starts over on a truncated or replaced file, and finds new files in new folders', async () => {
    const dir = tempDir();
    const s = new SessionBuilder();
    s.user('x'.repeat(5000));
    const path = s.write(dir);
    const seen = await watching(dir);
    truncateSync(path, 0);
    const t = new SessionBuilder();
    appendFileSync(path, refusedTurn(t, 'after truncation'));
    await until(() => seen.length === 1);

    const other = new SessionBuilder();
    mkdirSync(join(dir, '-new-project'), { recursive: true });
    writeFileSync(join(dir, '-new-project', `${other.sessionId}.jsonl`), refusedTurn(other, 'in a new folder'));
    await until(() => seen.length === 2);
    rmSync(path);
    await settle();
    expect(seen.map((r) => r.refusedPrompt)).toEqual(['after truncation', 'in a new folder']);
  });

  it('holds an automatic fallback until the fallback model answers or is refused too, then reports the turn once', async () => {
    const dir = tempDir();
    const s = new SessionBuilder();
    s.user('start');
    const path = s.write(dir);
    // The wait for the fallback model is longer than any stall of a busy machine: the turn is reported because its
    // final refusal came, not because the wait ran out.
    const seen = await watching(dir, { fallbackSettleMs: 60_000 });
    const tailer = tailers.at(-1)!;
    const before = s.entries.length;
    const prompt = s.user('chain');
    s.fallback({ originalModel: 'claude-fable-5', fallbackModel: 'claude-opus-4-8', requestId: 'req_011First', content: GENERATIONS.I, refusedUserMessageUuid: prompt });
    const first = s.entries.slice(before).map((e) => JSON.stringify(e)).join('\n') + '\n';
    appendFileSync(path, first);
    await until(() => tailer.stats.bytes === Buffer.byteLength(first)); // the tailer holds the fallback now
    const more = s.entries.length;
    s.noFallback({ originalModel: 'claude-opus-4-8', requestId: 'req_011CcA1bZ2yX3wV4uT5sR6qP', refusedUserMessageUuid: prompt });
    s.refusal(GENERATIONS.J_2_1_328, { category: 'cyber' });
    appendFileSync(path, s.entries.slice(more).map((e) => JSON.stringify(e)).join('\n') + '\n');
    await until(() => seen.length === 1);
    expect(seen[0].models.map((m) => m.model)).toEqual(['claude-fable-5', 'claude-opus-4-8']);
    await settle();
    expect(seen).toHaveLength(1);
  });

  it('catches up from the start when asked to', async () => {
    const dir = tempDir();
    const s = new SessionBuilder();
    refusedTurn(s, 'already there');
    s.write(dir);
    const seen = await watching(dir, { fromStart: true });
    await until(() => seen.length === 1);
    expect(seen[0].refusedPrompt).toBe('already there');
  });

  it('waits for a projects dir that does not exist yet', async () => {
    const config = tempDir();
    const seen = await watching(join(config, 'projects'));
    const s = new SessionBuilder();
    refusedTurn(s, 'first session ever');
    s.write(join(config, 'projects'));
    await until(() => seen.length === 1);
    expect(seen[0].refusedPrompt).toBe('first session ever');
  });

  it('reads a file truncated and written again larger, in place, from its start', async () => {
    const dir = tempDir();
    const s = new SessionBuilder();
    s.user('a long first prompt, '.repeat(200));
    s.assistantText('an answer');
    const path = s.write(dir);
    const seen = await watching(dir, { pollIntervalMs: 0 });
    // The same inode, now longer than the offset the tailer had reached: an append would be read from that offset.
    const t = new SessionBuilder();
    const refused = refusedTurn(t, 'after the rewrite');
    t.user('and a longer prompt after it, '.repeat(200));
    const rewritten = t.text();
    // The refused turn lies before the old end, where reading on from there would never look.
    expect(rewritten.indexOf(refused) + refused.length).toBeLessThan(s.text().length);
    expect(rewritten.length).toBeGreaterThan(s.text().length);
    // Overwritten from byte 0 without truncating (as a tool that rewrites in place does): the watcher never sees
    // the file shorter than before.
    const fd = openSync(path, 'r+');
    writeSync(fd, rewritten, 0);
    closeSync(fd);
    await until(() => seen.length === 1);
    expect(seen[0].refusedPrompt).toBe('after the rewrite');
  });

  it('says once that a UTF-16 transcript is not read, and skips a UTF-8 byte order mark', async () => {
    const dir = tempDir();
    const warnings: string[] = [];
    const seen = await watching(dir, { onWarning: (m: string) => warnings.push(m) });
    const utf16 = new SessionBuilder();
    const text16 = refusedTurn(utf16, 'saved as UTF-16');
    mkdirSync(join(dir, '-p'), { recursive: true });
    writeFileSync(join(dir, '-p', 'utf16.jsonl'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text16, 'utf16le')]));
    const bom = new SessionBuilder();
    writeFileSync(join(dir, '-p', 'bom.jsonl'), `\uFEFF${refusedTurn(bom, 'with a BOM')}`);
    await until(() => seen.length === 1 && warnings.length === 1);
    appendFileSync(join(dir, '-p', 'utf16.jsonl'), Buffer.from(text16, 'utf16le'));
    await settle();
    expect(seen.map((r) => r.refusedPrompt)).toEqual(['with a BOM']);
    expect(warnings).toEqual([expect.stringMatching(/utf16\.jsonl is UTF-16, not the UTF-8 Claude Code writes, so it is not read: convert it \(iconv/)]);
  });

  it('reports a looping link once and goes on watching every other folder live', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, '-proj'), { recursive: true });
    symlinkSync(join(dir, 'loop-b'), join(dir, 'loop-a'));
    symlinkSync(join(dir, 'loop-a'), join(dir, 'loop-b'));
    symlinkSync('..', join(dir, '-proj', 'up'));
    const warnings: string[] = [];
    // No poll: only the live watch can see the append.
    const seen = await watching(dir, { pollIntervalMs: 0, onWarning: (m: string) => warnings.push(m) });
    const s = new SessionBuilder();
    s.write(dir, `-proj/${s.sessionId}.jsonl`);
    appendFileSync(join(dir, '-proj', `${s.sessionId}.jsonl`), refusedTurn(s, 'beside a loop'));
    await until(() => seen.length === 1);
    expect(seen[0].refusedPrompt).toBe('beside a loop');
    expect(warnings.filter((w) => w.includes('loop-a'))).toEqual([expect.stringContaining('is a symbolic link that loops; remove or fix the link; refusals elsewhere are still noticed')]);
    expect(warnings.every((w) => !w.includes('-proj'))).toBe(true);
  });
});


import { appendFileSync, mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RefusalRecord } from '../../../src/core/refusal/record';
import { TranscriptTailer } from '../../../src/core/transcript/tail';
import { GENERATIONS } from '../refusal/messages';
import { SessionBuilder, tempDir } from './session-builder';

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
  s.refusalStop(GENERATIONS.J_2_1_328, { category: 'cyber' });
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
    s.refusalStop(GENERATIONS.J_2_1_328, { category: 'cyber' });
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
});

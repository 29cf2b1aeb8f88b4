/**
 * Repairing a refused session, on transcripts the real Claude Code (2.1.328) wrote against the stand-in
 * (test/fixtures/claude-code): the refusal record comes from the real scanner, as `unblock` gets it.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RefusalRecord } from '../../../src/core/refusal/record';
import { scanTranscript } from '../../../src/core/transcript/scan';
import { RepairError, repairLines, repairSession } from '../../../src/core/unblock/session';

const DIR = join(__dirname, '../../fixtures/claude-code');

async function refusalIn(path: string): Promise<RefusalRecord> {
  for await (const record of scanTranscript(path)) return record;
  throw new Error(`no refusal in ${path}`);
}

type Entry = Record<string, unknown>;
const parse = (lines: string[]): Entry[] => lines.map((l) => JSON.parse(l) as Entry);
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('repairSession', () => {
  it('copies a session without its refused turn: new ids, a consistent parentUuid chain, the original untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aup-repair-'));
    const transcript = join(dir, 'session.jsonl');
    copyFileSync(join(DIR, 'tui-passed-then-refused.jsonl'), transcript);
    const before = sha(transcript);
    const record = await refusalIn(transcript);
    const original = parse(readFileSync(transcript, 'utf8').trim().split('\n'));

    const repaired = await repairSession({ transcript, refusedUserUuid: record.refusedUserUuid! });

    expect(sha(transcript)).toBe(before);
    expect(readdirSync(dir).sort()).toEqual([`${repaired.sessionId}.jsonl`, 'session.jsonl'].sort());
    const copy = parse(readFileSync(repaired.path, 'utf8').trim().split('\n'));
    // Every entry of the copy is of the new session; no uuid of the original survives.
    const oldIds = new Set(original.map((e) => e.uuid).filter(Boolean));
    for (const e of copy) {
      if ('sessionId' in e) expect(e.sessionId).toBe(repaired.sessionId);
      if (typeof e.uuid === 'string') expect(oldIds.has(e.uuid)).toBe(false);
    }
    // Each parentUuid names an entry of the copy that comes before it.
    const seen = new Set<string>();
    for (const e of copy) {
      if (typeof e.parentUuid === 'string') expect(seen.has(e.parentUuid)).toBe(true);
      if (typeof e.uuid === 'string') seen.add(e.uuid);
    }
    // The first turn is there, answered; the refused prompt, its refusal and its request logs are not.
    const text = JSON.stringify(copy);
    expect(text).toContain('say hello');
    expect(text).not.toContain(record.refusedPrompt!);
    expect(text).not.toMatch(/safeguards flagged|model_refusal/);
    expect(copy.filter((e) => e.type === 'assistant').length).toBeGreaterThan(0);
    // The copy's last-prompt names the first turn's prompt and points at the copy's leaf.
    const last = copy.filter((e) => e.type === 'last-prompt').at(-1)!;
    expect(last).toMatchObject({ lastPrompt: 'say hello', sessionId: repaired.sessionId });
    const leaf = copy.filter((e) => ['user', 'assistant', 'system'].includes(e.type as string)).at(-1)!;
    expect(last.leafUuid).toBe(leaf.uuid);
    expect(repaired.removed).toBeGreaterThan(0);
    expect(repaired.kept).toBe(copy.length);
  });

  it('drops a refused turn that read a file with everything that carried the file, and Claude Code\'s retracted messages', async () => {
    const record = await refusalIn(join(DIR, 'tui-read-refused.jsonl'));
    const lines = readFileSync(join(DIR, 'tui-read-refused.jsonl'), 'utf8').trim().split('\n');
    // A turn before it, so there is something to resume: the refused turn is the fixture's first.
    const first = parse(lines).find((e) => e.uuid === record.refusedUserUuid)!;
    const earlier = [
      { type: 'user', uuid: 'u-0', parentUuid: null, sessionId: first.sessionId, message: { role: 'user', content: 'say hello' } },
      { type: 'assistant', uuid: 'a-0', parentUuid: 'u-0', sessionId: first.sessionId, message: { role: 'assistant', content: [{ type: 'text', text: 'hello' }] } },
    ].map((e) => JSON.stringify(e));
    const stitched = lines.map((l) => {
      const e = JSON.parse(l) as Entry;
      return e.uuid === record.refusedUserUuid ? JSON.stringify({ ...e, parentUuid: 'a-0' }) : l;
    });
    const out = repairLines([...earlier, ...stitched], record.refusedUserUuid!, 'new-session');
    const copy = parse(out.lines);
    const text = JSON.stringify(copy);
    expect(text).not.toContain('reverse shell');
    expect(text).not.toContain('tool_result');
    expect(copy.filter((e) => typeof e.uuid === 'string').map((e) => e.type)).toEqual(['user', 'assistant']);
    expect(copy.filter((e) => typeof e.type === 'string' && (e.type as string).startsWith('api-request'))).toEqual([]);
  });

  it('honours retractedMessageUuids outside the refused turn, re-parenting what followed them', () => {
    const lines = [
      { type: 'user', uuid: 'p1', parentUuid: null, sessionId: 's', message: { role: 'user', content: 'first' } },
      { type: 'assistant', uuid: 'a1', parentUuid: 'p1', sessionId: 's', message: { role: 'assistant', content: [{ type: 'text', text: 'partial answer' }] } },
      { type: 'system', subtype: 'model_refusal_fallback', uuid: 'f1', parentUuid: 'a1', sessionId: 's', retractedMessageUuids: ['a1'] },
      { type: 'assistant', uuid: 'a2', parentUuid: 'f1', sessionId: 's', message: { role: 'assistant', content: [{ type: 'text', text: 'fallback answer' }] } },
      { type: 'user', uuid: 'p2', parentUuid: 'a2', sessionId: 's', message: { role: 'user', content: 'refused one' } },
      { type: 'assistant', uuid: 'r2', parentUuid: 'p2', sessionId: 's', isApiErrorMessage: true, message: { role: 'assistant', content: [{ type: 'text', text: 'API Error: refused' }] } },
    ].map((e) => JSON.stringify(e));
    const out = repairLines(lines, 'p2', 'n');
    const copy = parse(out.lines);
    expect(out.retracted).toBe(1);
    expect(copy.map((e) => (e.message as { content?: unknown } | undefined)?.content ?? e.subtype)).toEqual(['first', 'model_refusal_fallback', [{ type: 'text', text: 'fallback answer' }]]);
    // The notice that retracted a1 now hangs from a1's parent.
    expect(copy[1]!.parentUuid).toBe(copy[0]!.uuid);
    expect(copy[2]!.parentUuid).toBe(copy[1]!.uuid);
  });

  it('says so when the refused turn is the first of its session (nothing before it to resume)', async () => {
    const record = await refusalIn(join(DIR, 'tui-read-refused.jsonl'));
    const lines = readFileSync(join(DIR, 'tui-read-refused.jsonl'), 'utf8').trim().split('\n');
    expect(() => repairLines(lines, record.refusedUserUuid!, 'n')).toThrow(RepairError);
    expect(() => repairLines(lines, 'not-a-uuid-here', 'n')).toThrow(/not in this transcript/);
  });
});

/**
 * A repaired COPY of a refused Claude Code session, so `claude --resume <new id>` goes on from before the refusal.
 *
 * The copy leaves out the refused turn (its prompt and everything that descends from it up to the next prompt: the
 * tool calls and results that carried the trigger, the retries, the refusal notices) and every message Claude Code
 * itself retracted (`retractedMessageUuids`); entries after the turn are re-parented onto what is left, so the
 * parentUuid chain holds. Request logs after the cut (`api-request*`, which store request content), the input
 * queue's copy of the refused prompt and pointers into the removed turn (`last-prompt`, file-history snapshots) go
 * too. Every uuid gets a fresh one and the session a new
 * id: the copy is a session of its own beside the original, which is only ever read.
 */
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isTurnPrompt } from '../transcript/turn';
import type { TranscriptEntry } from '../transcript/entry';

export interface RepairOptions {
  /** The session transcript (.jsonl) holding the refused turn. */
  transcript: string;
  /** Uuid of the refused turn's user prompt (RefusalRecord.refusedUserUuid). */
  refusedUserUuid: string;
  /** Id of the copy (default: a fresh uuid). */
  newSessionId?: string;
}

export interface RepairedSession {
  sessionId: string;
  path: string;
  /** Entries of the original, entries written to the copy, conversation entries (with a uuid) left out. */
  entries: number;
  kept: number;
  removed: number;
  /** Retracted messages (retractedMessageUuids) that were still in the transcript and were left out. */
  retracted: number;
}

/** Request logs: they hold the request content (the trigger, too) and nothing resume needs. */
const REQUEST_LOG = /^api-request/;

export class RepairError extends Error {
  override readonly name = 'RepairError';
}

/** Builds the repaired copy's lines (pure: no I/O), for `repairSession` and for tests. */
export function repairLines(lines: string[], refusedUserUuid: string, newSessionId: string): { lines: string[]; removed: number; retracted: number; oldSessionId?: string } {
  const parsed = lines.map((line) => {
    try {
      const value: unknown = JSON.parse(line);
      return value && typeof value === 'object' && !Array.isArray(value) ? (value as TranscriptEntry & Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  });
  const start = parsed.findIndex((e) => e?.uuid === refusedUserUuid);
  if (start < 0) throw new RepairError(`the refused prompt ${refusedUserUuid} is not in this transcript (was it compacted or rewritten?)`);
  // Bookkeeping of the turn is written just before its prompt (the input queue's "enqueue" of the prompt text).
  let cut = start;
  while (cut > 0 && typeof parsed[cut - 1]?.uuid !== 'string') cut--;
  const refusedText = promptText(parsed[start]!);

  const parentOf = new Map<string, string | undefined>();
  for (const e of parsed) if (typeof e?.uuid === 'string') parentOf.set(e.uuid, typeof e.parentUuid === 'string' ? e.parentUuid : undefined);

  // The refused turn: its prompt and every later entry descending from it, up to the next turn's prompt.
  const removed = new Set<string>([refusedUserUuid]);
  for (let i = start + 1; i < parsed.length; i++) {
    const e = parsed[i];
    if (typeof e?.uuid !== 'string') continue;
    if (typeof e.parentUuid === 'string' && removed.has(e.parentUuid) && !isTurnPrompt(e)) removed.add(e.uuid);
  }
  // What Claude Code itself retracted (a refused answer's partial output), wherever it is.
  let retracted = 0;
  for (const e of parsed) {
    const ids = e?.retractedMessageUuids;
    if (!Array.isArray(ids)) continue;
    for (const id of ids) {
      if (typeof id === 'string' && parentOf.has(id) && !removed.has(id)) {
        removed.add(id);
        retracted++;
      }
    }
  }
  const keptAncestor = (uuid: string | undefined): string | undefined => {
    let at = uuid;
    for (let steps = 0; at !== undefined && removed.has(at) && steps < 100_000; steps++) at = parentOf.get(at);
    return at !== undefined && removed.has(at) ? undefined : at;
  };

  const ids = new Map<string, string>();
  for (const uuid of parentOf.keys()) if (!removed.has(uuid)) ids.set(uuid, randomUUID());
  const oldSessionId = parsed.find((e) => typeof e?.sessionId === 'string')?.sessionId as string | undefined;

  const out: string[] = [];
  let leaf: string | undefined;
  let leafPrompt: string | undefined;
  let droppedLastPrompt = false;
  for (const [i, e] of parsed.entries()) {
    if (!e) {
      // Not JSON (a torn line): copied as it is, like Claude Code would have to read it.
      if (lines[i]!.trim() !== '') out.push(lines[i]!);
      continue;
    }
    if (typeof e.uuid === 'string' && removed.has(e.uuid)) continue;
    if (i >= cut && typeof e.type === 'string' && REQUEST_LOG.test(e.type)) continue;
    if (i >= cut && e.type === 'queue-operation' && e.content === refusedText) continue;
    if (e.type === 'file-history-snapshot' && typeof e.messageId === 'string' && removed.has(e.messageId)) continue;
    if (e.type === 'last-prompt' && typeof e.leafUuid === 'string' && removed.has(e.leafUuid)) {
      droppedLastPrompt = true;
      continue;
    }
    const copy: Record<string, unknown> = { ...e };
    for (const field of ['parentUuid', 'logicalParentUuid'] as const) {
      const value = copy[field];
      if (typeof value === 'string' && removed.has(value)) copy[field] = keptAncestor(value) ?? null;
    }
    const rewritten = rewrite(copy, ids, oldSessionId, newSessionId) as Record<string, unknown>;
    out.push(JSON.stringify(rewritten));
    if ((e.type === 'user' || e.type === 'assistant' || e.type === 'system') && typeof rewritten.uuid === 'string') leaf = rewritten.uuid;
    if (isTurnPrompt(e)) leafPrompt = promptText(e);
  }
  if (!leafPrompt) {
    throw new RepairError('the refused turn is the first of its session: nothing before it to resume (start a new session with the prompt to paste instead)');
  }
  // The removed turn's last-prompt pointed into it: point the copy's at its new leaf, so resume picks that branch.
  if (droppedLastPrompt && leaf) out.push(JSON.stringify({ type: 'last-prompt', lastPrompt: leafPrompt, leafUuid: leaf, sessionId: newSessionId }));
  return { lines: out, removed: removed.size - retracted, retracted, oldSessionId };
}

/** Writes the repaired copy beside the original as `<new id>.jsonl` (never over an existing file). */
export async function repairSession(options: RepairOptions): Promise<RepairedSession> {
  const text = await readFile(options.transcript, 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const sessionId = options.newSessionId ?? randomUUID();
  const repaired = repairLines(lines, options.refusedUserUuid, sessionId);
  const path = join(dirname(options.transcript), `${sessionId}.jsonl`);
  await writeFile(path, `${repaired.lines.join('\n')}\n`, { flag: 'wx' });
  return { sessionId, path, entries: lines.length, kept: repaired.lines.length, removed: repaired.removed, retracted: repaired.retracted };
}

/** Every string that is a known uuid gets its new one; the session id its new id. Object keys are left alone. */
function rewrite(value: unknown, ids: Map<string, string>, oldSession: string | undefined, newSession: string): unknown {
  if (typeof value === 'string') {
    if (oldSession !== undefined && value === oldSession) return newSession;
    return ids.get(value) ?? value;
  }
  if (Array.isArray(value)) return value.map((v) => rewrite(v, ids, oldSession, newSession));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = rewrite(v, ids, oldSession, newSession);
    return out;
  }
  return value;
}

function promptText(e: TranscriptEntry): string {
  const content = e.message?.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((b) => ((b as { type?: string; text?: unknown }).type === 'text' ? String((b as { text?: unknown }).text ?? '') : '')).join('\n');
}

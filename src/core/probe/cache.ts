/**
 * The persistent probe cache: content-addressed, so a re-run or a resumed run re-pays nothing.
 *
 * Key: sha256 over the oracle's identity, the model, the system prompt and each part's kind, names and content hash.
 * Only hashes are stored, never the candidate text, and never a key or a secret.
 *
 * Value: the ANSWERS seen for that key, in order (so their counts {refused, passed}) and the last usage. A noisy
 * classifier can answer the same input differently, so the cache keeps every answer rather than one boolean, and the
 * metering wrapper serves them as samples: the n-th time a run asks about an input, it gets the n-th stored answer,
 * and only asks the oracle when the run has used up what is stored. A repeated probe is therefore a fresh answer
 * (what a majority vote needs), while re-running the same reduction replays the same answers in the same order and
 * sends nothing (see meter.ts, `repeatMode`).
 *
 * Storage: one append-only JSONL file. Each answer is one line written with a single O_APPEND write (well under
 * PIPE_BUF), so concurrent runs can share the file without locks; a torn last line from a crash is skipped on load.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ProbeInput, SystemPrompt, Usage } from './oracle/types';

export interface CachedAnswers {
  refused: number;
  passed: number;
  /** Every answer in the order received: true = refused. */
  answers: boolean[];
  /** The request id of each answer (same order), where the oracle gave one: support can look a stored answer up. */
  requestIds: (string | undefined)[];
  lastUsage?: Usage;
  lastCostUsd?: number;
  lastCategory?: string | null;
}

/** One line of the cache file. Short field names keep the file small; there is no text in it. */
interface CacheLine {
  /** key */
  k: string;
  /** refused */
  r: boolean;
  /** input tokens, output tokens, cost of that answer */
  i?: number;
  o?: number;
  c?: number;
  /** category of a refusal */
  g?: string | null;
  /** request id the service gave the answer (not a secret: it names a request, it grants nothing) */
  q?: string;
  /** ISO time */
  t?: string;
}

const FILE_NAME = 'probes-v1.jsonl';

/** $XDG_CACHE_HOME/aup-bisect/probes, else ~/.cache/aup-bisect/probes. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.trim() !== '' ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'aup-bisect', 'probes');
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The cache key of a probe. `oracleIdentity` names what besides the input decides the answer (oracle kind, test
 * command, API host, sim rules); `model` is the model actually probed.
 */
export function probeKey(oracleIdentity: string, model: string | undefined, input: ProbeInput): string {
  const parts = input.parts.map((p) => [
    p.kind,
    p.toolName ?? '',
    p.fileName ?? '',
    p.filePath ?? '',
    p.mediaType ?? '',
    p.bytes ? `b:${sha256(p.bytes)}` : `t:${sha256(p.text)}`,
  ]);
  // A probe sent in a session is answered for that session (it may be flagged): its own key. Fresh probes keep theirs.
  const session = input.session ? { sid: sha256(input.session.id) } : {};
  return sha256(JSON.stringify({ v: 1, o: oracleIdentity, m: model ?? '', s: systemKey(input.system), p: parts, ...session }));
}

/** A text keys as it always has; blocks key as blocks (the same words split otherwise are another request). */
function systemKey(system: SystemPrompt | undefined): string {
  return typeof system === 'string' || system === undefined ? sha256(system ?? '') : sha256(`blocks:${JSON.stringify(system)}`);
}

export class ProbeCache {
  private readonly entries = new Map<string, CachedAnswers>();
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    readonly dir: string,
    readonly file: string,
  ) {}

  /** Opens (creating the folder) and loads the cache. An unreadable line is skipped, never fatal. */
  static async open(dir: string = defaultCacheDir()): Promise<ProbeCache> {
    await mkdir(dir, { recursive: true });
    const cache = new ProbeCache(dir, join(dir, FILE_NAME));
    let text = '';
    try {
      text = await readFile(cache.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const value = JSON.parse(line) as CacheLine;
        if (typeof value.k === 'string' && typeof value.r === 'boolean') cache.add(value);
      } catch {
        /* a torn line from an interrupted write */
      }
    }
    return cache;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): CachedAnswers | undefined {
    return this.entries.get(key);
  }

  /** The n-th stored answer (0-based) for this key, if there is one. */
  answer(key: string, index: number): boolean | undefined {
    return this.entries.get(key)?.answers[index];
  }

  /** The request id of the n-th stored answer, when the oracle gave one. */
  requestId(key: string, index: number): string | undefined {
    return this.entries.get(key)?.requestIds[index];
  }

  /** Records one answer: in memory at once, on disk in order (awaitable via `flush`). */
  record(key: string, refused: boolean, usage?: Usage, costUsd?: number, category?: string | null, requestId?: string): Promise<void> {
    const line: CacheLine = { k: key, r: refused, t: new Date().toISOString() };
    if (requestId) line.q = requestId;
    if (usage) {
      line.i = usage.inputTokens;
      line.o = usage.outputTokens;
    }
    if (costUsd !== undefined) line.c = costUsd;
    if (category !== undefined) line.g = category;
    this.add(line);
    const text = `${JSON.stringify(line)}\n`;
    this.writes = this.writes.then(() => appendFile(this.file, text, { encoding: 'utf8', flag: 'a' }));
    return this.writes;
  }

  /** Waits for every answer recorded so far to be on disk. */
  flush(): Promise<void> {
    return this.writes;
  }

  private add(line: CacheLine): void {
    let entry = this.entries.get(line.k);
    if (!entry) {
      entry = { refused: 0, passed: 0, answers: [], requestIds: [] };
      this.entries.set(line.k, entry);
    }
    entry.answers.push(line.r);
    entry.requestIds.push(typeof line.q === 'string' ? line.q : undefined);
    if (line.r) entry.refused++;
    else entry.passed++;
    if (line.i !== undefined || line.o !== undefined) entry.lastUsage = { inputTokens: line.i ?? 0, outputTokens: line.o ?? 0 };
    if (line.c !== undefined) entry.lastCostUsd = line.c;
    if (line.g !== undefined) entry.lastCategory = line.g;
  }
}

/**
 * Watch Claude Code's projects dir and report each refusal as it is written. At start-up every existing transcript
 * is taken at its current end (nothing old is read); afterwards only appended bytes are read, complete lines only,
 * through the same byte prefilter as the scanner. One fs.watch per folder (TreeWatcher) gives the speed and survives
 * an unreadable folder or a looping link; a slow stat poll catches what it misses (network drives, editors that
 * replace files, overflowing inotify queues). A file rewritten in place (same inode, new bytes before the read
 * offset) is read again from its start; a UTF-16 transcript is reported, not misread.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { RefusalRecord } from '../refusal/record';
import { encodingProblem } from './jsonl';
import { listTranscripts } from './locate';
import { emptyStats, processRegion, type ScanStats } from './scan';
import { buildRecord, TranscriptFile, TurnAssembler } from './turn';
import { describeProblem, TreeWatcher } from './watchTree';

export interface TailerOptions {
  /** Stat poll for changes fs.watch missed, ms (default 3000; 0 turns it off). */
  pollIntervalMs?: number;
  /** Quiet time after a turn's final refusal before it is reported, so entries written together merge (default 40 ms). */
  settleMs?: number;
  /** Wait after an automatic fallback, in case the fallback model is refused too (default 1500 ms). */
  fallbackSettleMs?: number;
  /** Read transcripts that exist at start-up from their beginning (default: from their end). */
  fromStart?: boolean;
  onError?: (error: unknown) => void;
  /** Something the user can fix (an unreadable folder, a looping link, a UTF-16 transcript): said once each. */
  onWarning?: (message: string) => void;
}

export interface Disposable {
  dispose(): void;
}

interface FileState {
  path: string;
  ino: number;
  /** Bytes consumed: everything before this is complete lines already looked at. */
  offset: number;
  /** The last bytes before `offset`, to tell an append from a rewrite of the same file in place. */
  tail?: Buffer;
  file: TranscriptFile;
  assembler: TurnAssembler;
  /** Per turn: when to report it, and how many events it had then. */
  due: Map<string, { at: number; events: number }>;
  timer?: NodeJS.Timeout;
  busy?: Promise<void>;
  again?: boolean;
}

const CHUNK = 4 * 1024 * 1024;
const NL = 0x0a;
const TAIL_BYTES = 64;

/** The last bytes before `offset`, or undefined when the file cannot be read. */
async function readTail(path: string, offset: number): Promise<Buffer | undefined> {
  let fh;
  try {
    fh = await open(path, 'r');
    const length = Math.min(TAIL_BYTES, offset);
    const tail = Buffer.alloc(length);
    const { bytesRead } = await fh.read(tail, 0, length, offset - length);
    return bytesRead === length ? tail : undefined;
  } catch {
    return undefined;
  } finally {
    await fh?.close();
  }
}

export class TranscriptTailer implements Disposable {
  readonly stats: ScanStats = emptyStats();
  private readonly files = new Map<string, FileState>();
  private readonly listeners = new Set<(record: RefusalRecord) => void>();
  private readonly reported = new Set<string>();
  private readonly warned = new Set<string>();
  private watcher?: TreeWatcher;
  private poller?: NodeJS.Timeout;
  private polling = false;
  private starting: Set<string> | undefined;
  private disposed = false;
  private readonly settleMs: number;
  private readonly fallbackSettleMs: number;

  constructor(
    readonly projectsDir: string,
    private readonly options: TailerOptions = {},
  ) {
    this.settleMs = options.settleMs ?? 40;
    this.fallbackSettleMs = options.fallbackSettleMs ?? 1500;
  }

  onRefusal(listener: (record: RefusalRecord) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Take stock of existing transcripts (their size only), then watch. Resolves once watching. */
  async start(): Promise<void> {
    // Events that arrive while existing files are being taken stock of wait: a file not registered yet would
    // otherwise look new and be read from its first byte, reporting old refusals as new ones.
    this.starting = new Set();
    await this.startWatcher();
    for await (const info of listTranscripts(this.projectsDir, (path, error) => this.warn(describeProblem(path, error).message))) {
      if (this.disposed) return;
      if (this.files.has(info.path)) continue;
      const st = await stat(info.path).catch(() => undefined);
      if (!st) continue;
      const state = this.newState(info.path, st.ino, this.options.fromStart ? 0 : st.size);
      if (state.offset > 0) state.tail = await readTail(info.path, state.offset);
      this.files.set(info.path, state);
      if (this.options.fromStart) this.changed(info.path);
    }
    const waiting = this.starting;
    this.starting = undefined;
    for (const path of waiting) this.changed(path);
    const interval = this.options.pollIntervalMs ?? 3000;
    if (interval > 0) {
      this.poller = setInterval(() => void this.poll(), interval);
      this.poller.unref();
    }
  }

  dispose(): void {
    this.disposed = true;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.poller) clearInterval(this.poller);
    for (const state of this.files.values()) if (state.timer) clearTimeout(state.timer);
    this.files.clear();
    this.listeners.clear();
  }

  private error(error: unknown): void {
    this.options.onError?.(error);
  }

  /** Once per message: the poll meets the same unreadable folder every few seconds. */
  private warn(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    if (this.options.onWarning) this.options.onWarning(message);
    else this.options.onError?.(new Error(message));
  }

  private newState(path: string, ino: number, offset: number): FileState {
    const file = new TranscriptFile(path);
    if (offset === 0) file.checkpoint = { offset: 0, line: 1 };
    return { path, ino, offset, file, assembler: new TurnAssembler(file), due: new Map() };
  }

  private async startWatcher(): Promise<void> {
    if (this.disposed) return;
    this.watcher ??= new TreeWatcher(
      this.projectsDir,
      (path) => this.changed(path),
      (problem) => this.warn(problem.message),
    );
    // Also picks up folders the events missed; a projects dir that does not exist yet is tried again by the poll.
    await this.watcher.refresh();
  }

  private async poll(): Promise<void> {
    if (this.polling || this.disposed) return;
    this.polling = true;
    try {
      if (!this.watcher?.watching) await this.startWatcher();
      const present = new Set<string>();
      for await (const info of listTranscripts(this.projectsDir, (path, error) => this.warn(describeProblem(path, error).message))) {
        present.add(info.path);
        const state = this.files.get(info.path);
        if (!state || state.offset !== info.size) this.changed(info.path);
      }
      for (const path of this.files.keys()) if (!present.has(path)) this.forget(path);
    } catch (error) {
      this.error(error);
    } finally {
      this.polling = false;
    }
  }

  private forget(path: string): void {
    const state = this.files.get(path);
    if (state?.timer) clearTimeout(state.timer);
    this.files.delete(path);
  }

  /** Something happened to `path`: read what was appended, one read at a time per file. */
  private changed(path: string): void {
    if (this.disposed) return;
    if (this.starting) {
      this.starting.add(path);
      return;
    }
    let state = this.files.get(path);
    if (state?.busy) {
      state.again = true;
      return;
    }
    const run = async (): Promise<void> => {
      do {
        state = this.files.get(path) ?? state;
        if (state) state.again = false;
        await this.readAppended(path);
        state = this.files.get(path);
      } while (state?.again && !this.disposed);
    };
    const busy = run()
      .catch((error) => this.error(error))
      .finally(() => {
        const current = this.files.get(path);
        if (current) current.busy = undefined;
      });
    if (!state) {
      // A file created after start-up: read it from its first byte.
      state = this.newState(path, -1, 0);
      this.files.set(path, state);
    }
    state.busy = busy;
  }

  private async readAppended(path: string): Promise<void> {
    let fh;
    try {
      fh = await open(path, 'r');
    } catch {
      this.forget(path); // deleted
      return;
    }
    try {
      const st = await fh.stat();
      let state = this.files.get(path);
      if (!state) {
        state = this.newState(path, st.ino, 0);
        this.files.set(path, state);
      }
      if (state.ino === -1) state.ino = st.ino;
      if (st.ino !== state.ino || st.size < state.offset || !(await this.sameTail(fh, state))) {
        // Replaced or truncated: start over on the new content; refusals already reported keep their ids.
        const fresh = this.newState(path, st.ino, 0);
        fresh.busy = state.busy;
        if (state.timer) clearTimeout(state.timer);
        this.files.set(path, fresh);
        state = fresh;
      }
      if (state.offset === 0) {
        const problem = await encodingProblem(fh, path);
        if (problem) {
          this.warn(problem);
          state.offset = st.size; // not read as UTF-8; looked at again only if it is rewritten
          return;
        }
      }
      state.file.fh = fh;
      let buffer = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(st.size - state.offset, 1)));
      let filled = 0;
      while (state.offset + filled < st.size) {
        if (filled === buffer.length) {
          const bigger = Buffer.allocUnsafe(buffer.length * 2);
          buffer.copy(bigger, 0, 0, filled);
          buffer = bigger;
        }
        const { bytesRead } = await fh.read(buffer, filled, buffer.length - filled, state.offset + filled);
        if (bytesRead === 0) break;
        const end = filled + bytesRead;
        const lastNl = buffer.lastIndexOf(NL, end - 1);
        if (lastNl < 0) {
          filled = end; // a line still being written, or longer than the buffer
          continue;
        }
        this.stats.bytes += lastNl + 1;
        await processRegion(state.file, state.assembler, buffer, lastNl + 1, state.offset, this.stats);
        state.offset += lastNl + 1;
        state.tail = Buffer.from(buffer.subarray(Math.max(0, lastNl + 1 - TAIL_BYTES), lastNl + 1));
        buffer.copy(buffer, 0, lastNl + 1, end);
        filled = end - lastNl - 1;
      }
      this.schedule(state);
    } finally {
      await fh.close();
    }
  }

  /**
   * Whether the bytes before the read offset are still the ones read: a file truncated and written again larger, in
   * place (same inode, size past the offset), has other bytes there and must be read from its start.
   */
  private async sameTail(fh: FileHandle, state: FileState): Promise<boolean> {
    if (state.offset === 0) return true;
    if (!state.tail) return true;
    const now = Buffer.alloc(state.tail.length);
    const { bytesRead } = await fh.read(now, 0, now.length, state.offset - now.length);
    return bytesRead === now.length && now.equals(state.tail);
  }

  /** Report each turn once it has been quiet long enough for the rest of its entries to land. */
  private schedule(state: FileState): void {
    const now = Date.now();
    for (const [key, turn] of state.assembler.turns) {
      const known = state.due.get(key);
      if (known && known.events === turn.events.length) continue;
      const stopped = turn.events.some((e) => e.event.effect === 'stop');
      state.due.set(key, { at: now + (stopped ? this.settleMs : this.fallbackSettleMs), events: turn.events.length });
    }
    if (state.due.size === 0) return;
    const next = Math.min(...[...state.due.values()].map((d) => d.at));
    if (state.timer) clearTimeout(state.timer);
    state.timer = setTimeout(() => void this.flush(state), Math.max(0, next - Date.now()));
  }

  private async flush(state: FileState): Promise<void> {
    state.timer = undefined;
    if (this.disposed) return;
    const now = Date.now();
    const ready = [...state.due].filter(([, d]) => d.at <= now).map(([key]) => key);
    if (ready.length === 0) return this.schedule(state);
    let fh;
    try {
      fh = await open(state.path, 'r');
      state.file.fh = fh;
      for (const key of ready) {
        state.due.delete(key);
        const turn = state.assembler.take(key);
        if (!turn) continue;
        const record = await buildRecord(state.file, turn);
        if (this.reported.has(record.id)) continue;
        this.reported.add(record.id);
        this.stats.records++;
        for (const listener of this.listeners) {
          try {
            listener(record);
          } catch (error) {
            this.error(error);
          }
        }
      }
    } catch (error) {
      this.error(error);
    } finally {
      await fh?.close();
    }
    if (state.due.size > 0) this.schedule(state);
  }
}

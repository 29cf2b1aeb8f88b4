/**
 * Watch Claude Code's projects dir and report each refusal as it is written. At start-up every existing transcript
 * is taken at its current end (nothing old is read); afterwards only appended bytes are read, complete lines only,
 * through the same byte prefilter as the scanner. fs.watch (recursive on Linux since Node 20) gives the speed; a
 * slow stat poll catches what it misses (network drives, editors that replace files, overflowing inotify queues).
 */
import { watch, type FSWatcher } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RefusalRecord } from '../refusal/record';
import { listTranscripts } from './locate';
import { emptyStats, processRegion, type ScanStats } from './scan';
import { buildRecord, TranscriptFile, TurnAssembler } from './turn';

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
}

export interface Disposable {
  dispose(): void;
}

interface FileState {
  path: string;
  ino: number;
  /** Bytes consumed: everything before this is complete lines already looked at. */
  offset: number;
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

export class TranscriptTailer implements Disposable {
  readonly stats: ScanStats = emptyStats();
  private readonly files = new Map<string, FileState>();
  private readonly listeners = new Set<(record: RefusalRecord) => void>();
  private readonly reported = new Set<string>();
  private watcher?: FSWatcher;
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
    this.startWatcher();
    for await (const info of listTranscripts(this.projectsDir)) {
      if (this.disposed) return;
      if (this.files.has(info.path)) continue;
      const st = await stat(info.path).catch(() => undefined);
      if (!st) continue;
      const state = this.newState(info.path, st.ino, this.options.fromStart ? 0 : st.size);
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
    if (this.poller) clearInterval(this.poller);
    for (const state of this.files.values()) if (state.timer) clearTimeout(state.timer);
    this.files.clear();
    this.listeners.clear();
  }

  private error(error: unknown): void {
    this.options.onError?.(error);
  }

  private newState(path: string, ino: number, offset: number): FileState {
    const file = new TranscriptFile(path);
    if (offset === 0) file.checkpoint = { offset: 0, line: 1 };
    return { path, ino, offset, file, assembler: new TurnAssembler(file), due: new Map() };
  }

  private startWatcher(): void {
    if (this.watcher || this.disposed) return;
    try {
      this.watcher = watch(this.projectsDir, { recursive: true, persistent: false }, (_event, name) => {
        if (name && String(name).endsWith('.jsonl')) this.changed(join(this.projectsDir, String(name)));
      });
      this.watcher.on('error', (error) => {
        // The dir went away or the watch broke: the poll keeps going and re-arms the watch when it can.
        this.watcher?.close();
        this.watcher = undefined;
        this.error(error);
      });
    } catch {
      // No projects dir yet (Claude Code never ran): the poll notices when it appears.
      this.watcher = undefined;
    }
  }

  private async poll(): Promise<void> {
    if (this.polling || this.disposed) return;
    this.polling = true;
    try {
      this.startWatcher();
      const present = new Set<string>();
      for await (const info of listTranscripts(this.projectsDir)) {
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
      if (st.ino !== state.ino || st.size < state.offset) {
        // Replaced or truncated: start over on the new content; refusals already reported keep their ids.
        const fresh = this.newState(path, st.ino, 0);
        fresh.busy = state.busy;
        if (state.timer) clearTimeout(state.timer);
        this.files.set(path, fresh);
        state = fresh;
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
        buffer.copy(buffer, 0, lastNl + 1, end);
        filled = end - lastNl - 1;
      }
      this.schedule(state);
    } finally {
      await fh.close();
    }
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

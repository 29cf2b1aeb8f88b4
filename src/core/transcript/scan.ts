/**
 * Scan transcripts for refusals. Speed comes from a byte prefilter: a line is JSON-parsed only if it holds one of a
 * few structural markers every refusal entry carries, found with Buffer.indexOf (native). Everything a record
 * needs beyond the refusing line (the turn's prompt, tool results) is read back by offset along the parentUuid chain.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { TranscriptEntry } from './entry';
import type { RefusalRecord } from '../refusal/record';
import { countIn, encodingProblemOf, parseLine } from './jsonl';
import { listTranscripts } from './locate';
import { describeProblem } from './watchTree';
import { buildRecord, TranscriptFile, TurnAssembler } from './turn';

export interface ScanStats {
  files: number;
  bytes: number;
  /** Lines that passed the prefilter and were parsed. */
  candidates: number;
  /** Candidate lines that were not valid JSON (skipped). */
  badLines: number;
  /** Transcripts that could not be read (deleted, permissions). */
  unreadable: number;
  records: number;
}

export interface ScanOptions {
  /** Only refusals at or after this time. */
  since?: Date;
  /** Filled in as the scan goes. */
  stats?: ScanStats;
  onWarning?: (message: string) => void;
}

export function emptyStats(): ScanStats {
  return { files: 0, bytes: 0, candidates: 0, badLines: 0, unreadable: 0, records: 0 };
}

/**
 * Byte markers of every entry classifyEntry can accept; a line without one is never parsed. Few and short, because
 * each is one native search pass over the data: "efusal" is in model_refusal_* subtypes, stop_reason "refusal" and
 * refusedUserMessageUuid; "API Error" starts every API error text, compaction failures included; "safeguards
 * flagged" is in every automatic-fallback notice. Quotes of these in prompts or files only cost a JSON.parse.
 */
export const CANDIDATE_MARKERS: readonly Buffer[] = ['efusal', 'API Error', 'safeguards flagged'].map((s) => Buffer.from(s));

const CHUNK = 4 * 1024 * 1024;
const PARALLEL_FILES = 4;
const NL = 0x0a;

/**
 * Sorted, de-duplicated positions in buffer[0, end) where a candidate marker starts. The search runs over a view
 * ending at `end`: the read buffer is reused and mostly stale beyond it (a tiny transcript in a 4 MB buffer).
 */
export function candidatePositions(buffer: Buffer, end: number): number[] {
  const hits: number[] = [];
  const view = buffer.subarray(0, end);
  for (const marker of CANDIDATE_MARKERS) {
    for (let i = view.indexOf(marker, 0); i >= 0; i = view.indexOf(marker, i + marker.length)) hits.push(i);
  }
  if (hits.length > 1) hits.sort((a, b) => a - b);
  return hits;
}

/**
 * Feed candidate lines of a file region to an assembler. Shared by the scanner (whole file) and the tailer
 * (appended bytes): `buffer[0, end)` holds complete lines starting at file offset `base`.
 */
export async function processRegion(
  file: TranscriptFile,
  assembler: TurnAssembler,
  buffer: Buffer,
  end: number,
  base: number,
  stats: ScanStats,
  finalPartial = false,
): Promise<void> {
  file.window = { buffer, base, end };
  try {
    await processCandidates(file, assembler, buffer, end, base, stats, finalPartial);
  } finally {
    file.window = undefined;
  }
}

async function processCandidates(
  file: TranscriptFile,
  assembler: TurnAssembler,
  buffer: Buffer,
  end: number,
  base: number,
  stats: ScanStats,
  finalPartial: boolean,
): Promise<void> {
  let previousStart = -1;
  // Line numbers: counted in memory from the region start when the file's checkpoint is there (the scanner keeps it
  // so); otherwise (a tailer that started at the end of a file) from the checkpoint on disk, once.
  const fromStart = file.checkpoint?.offset === base;
  let countedAt = fromStart ? 0 : -1;
  let countedLine = fromStart ? file.checkpoint!.line : 0;
  for (const hit of candidatePositions(buffer, end)) {
    const start = hit === 0 ? 0 : buffer.lastIndexOf(NL, hit - 1) + 1;
    if (start === previousStart) continue;
    previousStart = start;
    let stop = buffer.subarray(0, end).indexOf(NL, start);
    if (stop < 0) stop = end;
    stats.candidates++;
    const entry = parseLine(buffer.subarray(start, stop)) as TranscriptEntry | undefined;
    if (!entry) {
      // An unterminated last line of a file still being written is not bad, only unfinished.
      if (!(finalPartial && stop === end)) stats.badLines++;
      continue;
    }
    // Line numbers: counted in this buffer from the last candidate, or from the file's checkpoint on first need.
    let line: number;
    if (countedAt >= 0) line = countedLine + countIn(buffer, countedAt, start);
    else line = await file.lineNumberAt(base + start);
    countedAt = start;
    countedLine = line;
    file.checkpoint = { offset: base + start, line };
    const at = { entry, line, offset: base + start };
    if (typeof entry.uuid === 'string') file.remember(entry.uuid, at);
    await assembler.addEntry(entry, at);
  }
  // Carry the count to the region's end, so the next region starts with a known line number.
  if (countedAt >= 0) file.checkpoint = { offset: base + end, line: countedLine + countIn(buffer, countedAt, end) };
}

/**
 * Read on through a line longer than the buffer that holds no candidate marker, without keeping it: a 50 MB tool
 * result is never a refusal itself, and when the refusal's turn needs it, it is read back from the file. `buffer`
 * holds the line's first `filled` bytes (file offset `base`). Returns the offset after the line's newline (or the
 * size, for an unterminated last line), or -1 when a marker turns up and the line must be parsed after all.
 */
async function skipLongLine(fh: FileHandle, buffer: Buffer, base: number, filled: number, size: number, stats: ScanStats): Promise<number> {
  const overlap = Math.max(...CANDIDATE_MARKERS.map((m) => m.length)) - 1;
  let position = base + filled;
  buffer.copy(buffer, 0, filled - overlap, filled);
  while (position < size) {
    const { bytesRead } = await fh.read(buffer, overlap, Math.min(buffer.length - overlap, size - position), position);
    if (bytesRead === 0) break;
    stats.bytes += bytesRead;
    const view = buffer.subarray(0, overlap + bytesRead);
    const nl = view.indexOf(NL, overlap);
    const upTo = nl >= 0 ? view.subarray(0, nl) : view;
    if (candidatePositions(upTo, upTo.length).length > 0) return -1;
    if (nl >= 0) return position + (nl - overlap) + 1;
    position += bytesRead;
    buffer.copy(buffer, 0, overlap + bytesRead - overlap, overlap + bytesRead);
  }
  return size;
}

/** The refusals in one transcript, one record per refused user turn, in transcript order. */
export async function* scanTranscript(path: string, opts: ScanOptions = {}, known?: { size: number; mtimeMs: number }): AsyncIterable<RefusalRecord> {
  const stats = opts.stats ?? emptyStats();
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (error) {
    stats.unreadable++;
    opts.onWarning?.(`cannot read ${path}: ${(error as Error).message}`);
    return;
  }
  try {
    // The listing already stat'ed it: one syscall less per file counts over thousands of small sessions.
    const info = known ?? (await fh.stat());
    stats.files++;
    // A file last written before --since cannot hold a later refusal.
    if (opts.since && info.mtimeMs < opts.since.getTime()) return;
    const file = new TranscriptFile(path, fh);
    file.checkpoint = { offset: 0, line: 1 };
    const assembler = new TurnAssembler(file);
    // One read buffer for the whole scan: a fresh 4 MB per file is garbage the collector has to chase.
    let buffer = takeBuffer();
    let filled = 0;
    let base = 0;
    for (;;) {
      if (filled === buffer.length && candidatePositions(buffer, filled).length === 0) {
        const next = await skipLongLine(fh, buffer, base, filled, info.size, stats);
        if (next >= 0) {
          base = next;
          filled = 0;
          if (base >= info.size) break;
          continue;
        }
        // A marker in it after all: read the line again from its start, into a buffer that grows to hold it.
        const { bytesRead } = await fh.read(buffer, 0, buffer.length, base);
        filled = bytesRead;
      }
      if (filled === buffer.length) {
        // One line longer than the buffer that may be a refusal: grow rather than split it.
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, filled);
        buffer = bigger;
      }
      // Read up to the size at open: no extra read to find the end, and a file growing meanwhile is the tailer's.
      const want = Math.min(buffer.length - filled, info.size - base - filled);
      const { bytesRead } = want > 0 ? await fh.read(buffer, filled, want, base + filled) : { bytesRead: 0 };
      const end = filled + bytesRead;
      const eof = bytesRead === 0 || base + end >= info.size;
      stats.bytes += bytesRead;
      if (base === 0 && filled === 0) {
        // Checked on the first bytes read, not with a read of its own.
        const problem = encodingProblemOf(buffer.subarray(0, Math.min(4, end)), path);
        if (problem) {
          stats.unreadable++;
          opts.onWarning?.(problem);
          giveBack(buffer);
          return;
        }
      }
      const lastNl = end > 0 ? buffer.subarray(0, end).lastIndexOf(NL) : -1;
      const regionEnd = eof ? end : lastNl + 1;
      if (regionEnd > 0) {
        await processRegion(file, assembler, buffer, regionEnd, base, stats, eof);
        buffer.copy(buffer, 0, regionEnd, end);
        base += regionEnd;
      }
      filled = end - regionEnd;
      if (eof) break;
    }
    giveBack(buffer);
    // Not held while the records are built: it may be a buffer grown for one giant line.
    buffer = EMPTY;
    for (const turn of assembler.takeAll()) {
      const record = await buildRecord(file, turn);
      if (opts.since && Date.parse(record.timestamp) < opts.since.getTime()) continue;
      stats.records++;
      yield record;
    }
  } catch (error) {
    stats.unreadable++;
    opts.onWarning?.(`stopped reading ${path}: ${(error as Error).message}`);
  } finally {
    await fh.close();
  }
}

const spares: Buffer[] = [];
const EMPTY = Buffer.alloc(0);

function takeBuffer(): Buffer {
  return spares.pop() ?? Buffer.allocUnsafe(CHUNK);
}

function giveBack(buffer: Buffer): void {
  // Keep only the standard size: a buffer grown for one giant line is let go.
  if (buffer.length === CHUNK && spares.length < PARALLEL_FILES) spares.push(buffer);
}

async function collect(path: string, opts: ScanOptions, known?: { size: number; mtimeMs: number }): Promise<RefusalRecord[]> {
  const records: RefusalRecord[] = [];
  for await (const record of scanTranscript(path, opts, known)) records.push(record);
  return records;
}

/**
 * The refusals in every transcript under a projects dir, in listing order. A few files are read at once so the
 * waits for the disk (or the thread pool) overlap; each file's records are held only until its turn comes.
 */
export async function* scanProjects(projectsDir: string, opts: ScanOptions = {}): AsyncIterable<RefusalRecord> {
  const queue: Array<Promise<RefusalRecord[]>> = [];
  for await (const info of listTranscripts(projectsDir, (path, error) => opts.onWarning?.(describeProblem(path, error).message))) {
    if (opts.since && info.mtimeMs < opts.since.getTime()) continue;
    queue.push(collect(info.path, opts, info));
    if (queue.length >= PARALLEL_FILES) yield* await queue.shift()!;
  }
  while (queue.length > 0) yield* await queue.shift()!;
}

/** The refusal with this id (or a unique prefix of at least 6 characters). */
export async function findRefusal(projectsDir: string, id: string): Promise<RefusalRecord | undefined> {
  let found: RefusalRecord | undefined;
  for await (const record of scanProjects(projectsDir)) {
    if (record.id === id) return record;
    if (id.length >= 6 && record.id.startsWith(id)) {
      if (found) throw new Error(`refusal id ${id} is ambiguous: give more of it (see \`aup-bisect scan\`)`);
      found = record;
    }
  }
  return found;
}

/**
 * Scan transcripts for refusals. Speed comes from a byte prefilter: a line is JSON-parsed only if it holds one of a
 * few structural markers every refusal entry carries, found with Buffer.indexOf (native). Everything a record
 * needs beyond the refusing line (the turn's prompt, tool results) is read back by offset along the parentUuid chain.
 */
import { open } from 'node:fs/promises';
import type { TranscriptEntry } from '../refusal/classify';
import type { RefusalRecord } from '../refusal/record';
import { countIn, parseLine } from './jsonl';
import { listTranscripts } from './locate';
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
 * Markers of the entries classifyEntry can accept. Claude Code writes compact JSON (JSON.stringify), so the
 * structural ones appear byte for byte; the wording ones cover compaction errors and older fallback notices.
 */
export const CANDIDATE_MARKERS: readonly Buffer[] = [
  '"isApiErrorMessage":true',
  '"subtype":"model_refusal_',
  '"stop_reason":"refusal"',
  '"model":"<synthetic>"',
  'Error during compaction',
  'safeguards flagged',
].map((s) => Buffer.from(s));

const CHUNK = 4 * 1024 * 1024;
const NL = 0x0a;

/** Sorted, de-duplicated positions in buffer[0, end) where a candidate marker starts. */
export function candidatePositions(buffer: Buffer, end: number): number[] {
  const hits: number[] = [];
  for (const marker of CANDIDATE_MARKERS) {
    for (let i = buffer.indexOf(marker, 0); i >= 0 && i < end; i = buffer.indexOf(marker, i + marker.length)) hits.push(i);
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
  let previousStart = -1;
  let countedAt = -1;
  let countedLine = 0;
  for (const hit of candidatePositions(buffer, end)) {
    const start = hit === 0 ? 0 : buffer.lastIndexOf(NL, hit - 1) + 1;
    if (start === previousStart) continue;
    previousStart = start;
    let stop = buffer.indexOf(NL, start);
    if (stop < 0 || stop >= end) stop = end;
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
}

/** The refusals in one transcript, one record per refused user turn, in transcript order. */
export async function* scanTranscript(path: string, opts: ScanOptions = {}): AsyncIterable<RefusalRecord> {
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
    const info = await fh.stat();
    stats.files++;
    // A file last written before --since cannot hold a later refusal.
    if (opts.since && info.mtimeMs < opts.since.getTime()) return;
    const file = new TranscriptFile(path, fh);
    file.checkpoint = { offset: 0, line: 1 };
    const assembler = new TurnAssembler(file);
    let buffer = Buffer.allocUnsafe(CHUNK);
    let filled = 0;
    let base = 0;
    for (;;) {
      if (filled === buffer.length) {
        // One line longer than the buffer (a huge tool result): grow rather than split it.
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, filled);
        buffer = bigger;
      }
      const { bytesRead } = await fh.read(buffer, filled, buffer.length - filled, base + filled);
      const end = filled + bytesRead;
      const eof = bytesRead === 0;
      stats.bytes += bytesRead;
      const lastNl = end > 0 ? buffer.lastIndexOf(NL, end - 1) : -1;
      const regionEnd = eof ? end : lastNl + 1;
      if (regionEnd > 0) {
        await processRegion(file, assembler, buffer, regionEnd, base, stats, eof);
        buffer.copy(buffer, 0, regionEnd, end);
        base += regionEnd;
      }
      filled = end - regionEnd;
      if (eof) break;
    }
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

/** The refusals in every transcript under a projects dir. */
export async function* scanProjects(projectsDir: string, opts: ScanOptions = {}): AsyncIterable<RefusalRecord> {
  for await (const info of listTranscripts(projectsDir)) {
    if (opts.since && info.mtimeMs < opts.since.getTime()) continue;
    yield* scanTranscript(info.path, opts);
  }
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

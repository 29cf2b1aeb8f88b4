/**
 * The ledger over a whole projects tree, incremental: a persisted index remembers, per transcript, its size, mtime,
 * a hash of its first KB, the byte offset read so far, the pass's state at that offset and the entries found. A run
 * stats every transcript and reads only what changed: nothing for an unchanged file, the appended bytes for a file
 * that grew, the whole file again when it shrank or its first KB changed (a rewrite).
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { extractFile, initialState, mergeTurns, pendingEntry, type ExtractState } from './extract';
import { DEFAULT_PRICES, priceUsage, type PriceTable } from '../prices';
import type { LedgerEntry } from './types';

// Bump when the pass or the entry shape changes: an index from another version is rebuilt, not trusted.
const INDEX_VERSION = 2;
const HEAD_BYTES = 1024;

interface IndexedFile {
  size: number;
  mtimeMs: number;
  headLen: number;
  headHash: string;
  state: ExtractState;
  entries: LedgerEntry[];
}

interface LedgerIndex {
  version: number;
  files: Record<string, IndexedFile>;
}

export interface LedgerScanOptions {
  projectsDir: string;
  /** Where ledger-index.json lives; default $XDG_CACHE_HOME/aup-bisect or ~/.cache/aup-bisect. */
  cacheDir?: string;
  /** false: read everything and write no index. */
  useIndex?: boolean;
  prices?: PriceTable;
  /** Read size per transcript (tests). */
  chunkSize?: number;
}

export interface LedgerScanStats {
  files: number;
  /** Transcripts read from the start (new, rewritten or truncated). */
  filesRescanned: number;
  /** Transcripts read from their previous end (appended to). */
  filesResumed: number;
  bytesTotal: number;
  bytesRead: number;
  indexPath?: string;
}

export interface LedgerScan {
  entries: LedgerEntry[];
  stats: LedgerScanStats;
  /** Problems met on the way (unreadable files, an unusable index); the scan went on without them. */
  warnings: string[];
}

export function defaultCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'aup-bisect');
}

/** The project a transcript belongs to, when its entries logged no cwd: the projects/<dir> name, decoded. */
export function projectFromPath(projectsDir: string, file: string): string {
  const top = relative(projectsDir, file).split(sep)[0] ?? basename(dirname(file));
  // Claude Code names the folder after the cwd with every "/" and "." replaced by "-"; "/" is the likelier one.
  return top.startsWith('-') ? top.replace(/-/g, '/') : top;
}

async function listTranscripts(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(dir, { recursive: true })) as string[];
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new Error(`no Claude Code transcripts at ${dir} (set --claude-dir, or CLAUDE_CONFIG_DIR, to the folder holding projects/)`);
    }
    throw new Error(`cannot list ${dir}: ${(error as Error).message}`);
  }
  return names.filter((n) => n.endsWith('.jsonl')).map((n) => join(dir, n)).sort();
}

async function readHead(file: string, length: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(length);
    const { bytesRead } = await fh.read(b, 0, length, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');

async function loadIndex(path: string, warnings: string[]): Promise<LedgerIndex> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as LedgerIndex;
    if (parsed.version === INDEX_VERSION && typeof parsed.files === 'object' && parsed.files) return parsed;
    warnings.push(`ledger index ${path} is from another version; rebuilding it`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      warnings.push(`ledger index ${path} is unreadable (${(error as Error).message}); rebuilding it`);
    }
  }
  return { version: INDEX_VERSION, files: {} };
}

async function saveIndex(path: string, index: LedgerIndex): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(index));
  // Atomic replace: a CLI run and the extension may save at the same time; either complete index wins.
  await rename(tmp, path);
}

/** Recomputes the cost of a price-table entry with the current table (the index keeps the usage, not the prices). */
export function reprice(entry: LedgerEntry, prices: PriceTable): LedgerEntry {
  if (entry.costSource !== 'price-table') return entry;
  const costByModel: Record<string, number> = {};
  let costUSD = 0;
  for (const r of entry.requests) {
    const c = priceUsage(r.usage, r.model, prices);
    costByModel[r.model] = (costByModel[r.model] ?? 0) + c;
    costUSD += c;
  }
  return { ...entry, costUSD, costByModel };
}

export async function scanLedger(options: LedgerScanOptions): Promise<LedgerScan> {
  const prices = options.prices ?? DEFAULT_PRICES;
  const useIndex = options.useIndex ?? true;
  const warnings: string[] = [];
  const indexPath = join(options.cacheDir ?? defaultCacheDir(), 'ledger-index.json');
  const index = useIndex ? await loadIndex(indexPath, warnings) : { version: INDEX_VERSION, files: {} };
  const files = await listTranscripts(options.projectsDir);
  const stats: LedgerScanStats = { files: files.length, filesRescanned: 0, filesResumed: 0, bytesTotal: 0, bytesRead: 0 };
  if (useIndex) stats.indexPath = indexPath;
  const seen = new Set<string>();
  const entries: LedgerEntry[] = [];
  let changed = false;

  const one = async (file: string): Promise<void> => {
    seen.add(file);
    const fallbackProject = projectFromPath(options.projectsDir, file);
    const extractOptions = { prices, fallbackProject, chunkSize: options.chunkSize };
    try {
      const st = await stat(file);
      stats.bytesTotal += st.size;
      let rec: IndexedFile | undefined = index.files[file];
      if (!rec || rec.size !== st.size || rec.mtimeMs !== st.mtimeMs) {
        const head = await readHead(file, Math.min(HEAD_BYTES, st.size));
        const resumable =
          rec && st.size >= rec.state.offset && head.length >= rec.headLen && sha1(head.subarray(0, rec.headLen)) === rec.headHash;
        const base: IndexedFile = resumable
          ? rec!
          : { size: 0, mtimeMs: 0, headLen: 0, headHash: '', state: initialState(), entries: [] };
        if (resumable) stats.filesResumed++;
        else stats.filesRescanned++;
        const result = await extractFile(file, base.state, extractOptions);
        stats.bytesRead += result.bytesRead;
        rec = {
          size: st.size,
          mtimeMs: st.mtimeMs,
          headLen: head.length,
          headHash: sha1(head),
          state: result.state,
          entries: [...base.entries, ...result.entries],
        };
        index.files[file] = rec;
        changed = true;
      }
      const pending = pendingEntry(rec.state, file, extractOptions);
      for (const e of mergeTurns(pending ? [...rec.entries, pending] : rec.entries)) entries.push(reprice(e, prices));
    } catch (error) {
      warnings.push(`skipped ${file}: ${(error as Error).message}`);
    }
  };

  // Two transcripts in flight: one is parsed while the other waits for the disk.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) await one(files[next++]!);
  };
  await Promise.all([worker(), worker()]);

  const prefix = options.projectsDir.endsWith(sep) ? options.projectsDir : options.projectsDir + sep;
  for (const path of Object.keys(index.files)) {
    if (path.startsWith(prefix) && !seen.has(path)) {
      delete index.files[path];
      changed = true;
    }
  }
  if (useIndex && changed) {
    try {
      await saveIndex(indexPath, index);
    } catch (error) {
      warnings.push(`could not save the ledger index ${indexPath} (${(error as Error).message}); the next run reads everything again`);
    }
  }
  entries.sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.id.localeCompare(b.id));
  return { entries, stats, warnings };
}

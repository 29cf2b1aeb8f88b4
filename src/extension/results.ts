/**
 * Bisect results saved in the extension's globalStorage, one JSON file each (the BisectResult contract, plus the
 * original text so the diff can be reopened later). They reload at start-up and reopen from the Refusals view.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { BisectResult } from '../core/bisect/result';
import type { SizePoint } from './bisect/viewModel';
import { log } from './logger';
import type { SavedResultRef } from './store';

export interface SavedResult {
  version: 1;
  id: string;
  label: string;
  result: BisectResult;
  /** The text that was bisected, for the diff (kept on this machine only, like the transcript it came from). */
  originalText: string;
  /** The best candidate's size after each probe, for the chart when the result is reopened. */
  points?: SizePoint[];
}

export class ResultStorage {
  constructor(private readonly dir: string) {}

  get folder(): string {
    return path.join(this.dir, 'results');
  }

  async save(label: string, result: BisectResult, originalText: string, points?: SizePoint[]): Promise<SavedResult> {
    await mkdir(this.folder, { recursive: true });
    const stamp = result.date.replace(/[:.]/g, '-');
    const id = `${stamp}-${result.original.sha256.slice(0, 8)}`;
    const saved: SavedResult = { version: 1, id, label, result, originalText, ...(points ? { points } : {}) };
    await writeFile(path.join(this.folder, `${id}.json`), JSON.stringify(saved, null, 2), 'utf8');
    return saved;
  }

  /** Writes a result again under its id, with what a later step added to it (the rates across models). */
  async update(saved: SavedResult, result: BisectResult): Promise<SavedResult> {
    const next: SavedResult = { ...saved, result };
    await mkdir(this.folder, { recursive: true });
    await writeFile(path.join(this.folder, `${saved.id}.json`), JSON.stringify(next, null, 2), 'utf8');
    return next;
  }

  async load(id: string): Promise<SavedResult | undefined> {
    try {
      const saved = JSON.parse(await readFile(path.join(this.folder, `${path.basename(id)}.json`), 'utf8')) as SavedResult;
      return saved.version === 1 ? saved : undefined;
    } catch {
      return undefined;
    }
  }

  /** Every saved result, newest first; unreadable files are skipped and logged. */
  async list(): Promise<SavedResultRef[]> {
    let names: string[];
    try {
      names = (await readdir(this.folder)).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    const refs: SavedResultRef[] = [];
    for (const name of names) {
      const saved = await this.load(name.slice(0, -5));
      if (!saved) {
        log.warn(`skipping unreadable bisect result ${path.join(this.folder, name)}`);
        continue;
      }
      refs.push(toRef(saved));
    }
    return refs.sort((a, b) => b.date.localeCompare(a.date));
  }
}

export function toRef(saved: SavedResult): SavedResultRef {
  return { id: saved.id, refusalId: saved.result.refusal?.id, label: saved.label, date: saved.result.date, result: saved.result };
}

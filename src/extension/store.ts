/**
 * What the extension has seen this session and what it saved: refusals (from transcripts and terminals, deduplicated)
 * and bisect results. The tree view, the status bar and the commands read it; it fires onDidChange on every update.
 */
import type { Event } from 'vscode';
import { EventEmitter } from './vscodeapi';
import type { RefusalRecord, TerminalRefusal } from '../core/refusal/record';
import type { BisectResult } from '../core/bisect/result';

/** A refusal a terminal printed (the core's one type for it), and which terminal. */
export type TerminalSighting = Pick<TerminalRefusal, 'message'> & Partial<TerminalRefusal> & { terminalName: string };

export interface SeenRefusal {
  key: string;
  /** When it happened (ms since epoch). */
  at: number;
  /** The transcript record, when a transcript carried it (terminal-only sightings have none yet). */
  record?: RefusalRecord;
  terminal?: TerminalSighting;
  /** Whether this session saw it happen (false: found by the start-up scan of recent transcripts). */
  live: boolean;
}

export interface SavedResultRef {
  id: string;
  /** The refusal it was bisected from, if any. */
  refusalId?: string;
  label: string;
  date: string;
  result: BisectResult;
}

export function requestIdOf(refusal: SeenRefusal): string | undefined {
  return refusal.record?.models.find((m) => m.requestId)?.requestId ?? refusal.terminal?.requestId;
}

export function messageOf(refusal: SeenRefusal): string {
  return refusal.record?.message ?? refusal.terminal?.message ?? '';
}

export class RefusalStore {
  private readonly refusals = new Map<string, SeenRefusal>();
  private readonly results = new Map<string, SavedResultRef>();
  private readonly changed = new EventEmitter<void>();
  readonly onDidChange: Event<void> = this.changed.event;

  upsert(refusal: SeenRefusal): SeenRefusal {
    const existing = this.refusals.get(refusal.key);
    const merged: SeenRefusal = existing
      ? { ...existing, record: existing.record ?? refusal.record, terminal: refusal.terminal ?? existing.terminal, live: existing.live || refusal.live }
      : refusal;
    this.refusals.set(refusal.key, merged);
    this.changed.fire();
    return merged;
  }

  get(key: string): SeenRefusal | undefined {
    return this.refusals.get(key);
  }

  findByRecordId(id: string): SeenRefusal | undefined {
    return [...this.refusals.values()].find((r) => r.record?.id === id || r.key === id);
  }

  /** Newest first. */
  all(): SeenRefusal[] {
    return [...this.refusals.values()].sort((a, b) => b.at - a.at);
  }

  latest(): SeenRefusal | undefined {
    return this.all()[0];
  }

  countOn(day: Date): number {
    const key = dayKey(day.getTime());
    return this.all().filter((r) => dayKey(r.at) === key).length;
  }

  addResult(ref: SavedResultRef): void {
    this.results.set(ref.id, ref);
    this.changed.fire();
  }

  resultsFor(refusalId: string | undefined): SavedResultRef[] {
    return [...this.results.values()].filter((r) => r.refusalId === refusalId).sort((a, b) => b.date.localeCompare(a.date));
  }

  allResults(): SavedResultRef[] {
    return [...this.results.values()].sort((a, b) => b.date.localeCompare(a.date));
  }

  getResult(id: string): SavedResultRef | undefined {
    return this.results.get(id);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * Calls `callback` just after every local midnight, so what counts "today" (the status bar, the tree's day labels)
 * moves to the new day even when no refusal comes to refresh it. `now` is the clock the caller counts days with.
 */
export function everyMidnight(callback: () => void, now: () => Date = () => new Date()): { dispose(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    const at = now();
    const next = new Date(at.getFullYear(), at.getMonth(), at.getDate() + 1);
    // A moment past midnight, so the clock read by the callback is surely on the new day.
    timer = setTimeout(() => {
      callback();
      arm();
    }, next.getTime() - at.getTime() + 50);
    timer.unref?.();
  };
  arm();
  return { dispose: () => clearTimeout(timer) };
}

/** Local calendar day, "YYYY-MM-DD". */
export function dayKey(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

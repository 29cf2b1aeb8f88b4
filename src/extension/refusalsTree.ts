/**
 * The "Refusals" view: day -> session -> refusal -> details (model, category, request id, offending part) and
 * saved bisect results. Context values drive the item menus declared in package.json.
 */
import * as path from 'node:path';
import type { Event, TreeDataProvider } from 'vscode';
import { minimalBytes } from '../core/bisect/result';
import { Commands } from './commands/ids';
import { EventEmitter, MarkdownString, ThemeIcon, TreeItem, TreeItemCollapsibleState } from './vscodeapi';
import { dayKey, everyMidnight, messageOf, requestIdOf, type RefusalStore, type SavedResultRef, type SeenRefusal } from './store';

export type RefusalNode =
  | { type: 'day'; day: string; refusals: SeenRefusal[] }
  | { type: 'session'; day: string; session: string; label: string; refusals: SeenRefusal[] }
  | { type: 'refusal'; refusal: SeenRefusal }
  | { type: 'detail'; refusal: SeenRefusal; label: string; value: string; icon: string }
  | { type: 'result'; result: SavedResultRef; refusal?: SeenRefusal }
  | { type: 'results'; results: SavedResultRef[] };

function dayLabel(day: string, now: Date): string {
  const today = dayKey(now.getTime());
  const yesterday = dayKey(now.getTime() - 86_400_000);
  if (day === today) return `Today (${day})`;
  if (day === yesterday) return `Yesterday (${day})`;
  return day;
}

function sessionOf(refusal: SeenRefusal): { id: string; label: string } {
  if (refusal.record) {
    const cwd = refusal.record.cwd ? path.basename(refusal.record.cwd) : undefined;
    const short = refusal.record.sessionId.slice(0, 8);
    return { id: refusal.record.sessionId, label: cwd ? `${cwd} · ${short}` : `session ${short}` };
  }
  const name = refusal.terminal?.terminalName ?? 'terminal';
  return { id: `terminal:${name}`, label: `terminal "${name}"` };
}

function time(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:${String(d.getSeconds()).padStart(2, '0')}`;
}

/** The part a saved bisect found needed, else the largest part of the request: what most likely set it off. */
export function offendingPart(refusal: SeenRefusal, results: SavedResultRef[]): string | undefined {
  const needed = results[0]?.result.parts.filter((p) => p.needed) ?? [];
  if (needed.length > 0) {
    return needed.map((p) => [p.kind, p.toolName, p.filePath ?? p.fileName].filter(Boolean).join(' ')).join(', ');
  }
  const parts = refusal.record?.parts ?? [];
  if (parts.length === 0) return undefined;
  const largest = parts.reduce((a, b) => (b.size > a.size ? b : a));
  const name = [largest.kind, largest.toolName, largest.filePath].filter(Boolean).join(' ');
  return `${name} (${largest.size} B, largest of ${parts.length}; not bisected yet)`;
}

export class RefusalsTreeProvider implements TreeDataProvider<RefusalNode> {
  private readonly changed = new EventEmitter<RefusalNode | undefined>();
  readonly onDidChangeTreeData: Event<RefusalNode | undefined> = this.changed.event;
  private readonly subscription;
  private readonly midnight: { dispose(): void };

  constructor(private readonly store: RefusalStore, private readonly now: () => Date = () => new Date()) {
    this.subscription = store.onDidChange(() => this.changed.fire(undefined));
    // "Today" and "Yesterday" move at midnight, with the status bar's count.
    this.midnight = everyMidnight(() => this.changed.fire(undefined), now);
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(node?: RefusalNode): RefusalNode[] {
    if (!node) {
      const byDay = new Map<string, SeenRefusal[]>();
      for (const refusal of this.store.all()) {
        const day = dayKey(refusal.at);
        byDay.set(day, [...(byDay.get(day) ?? []), refusal]);
      }
      const days: RefusalNode[] = [...byDay].map(([day, refusals]) => ({ type: 'day', day, refusals }));
      const loose = this.store.allResults().filter((r) => !r.refusalId || !this.store.findByRecordId(r.refusalId));
      return loose.length > 0 ? [...days, { type: 'results', results: loose }] : days;
    }
    switch (node.type) {
      case 'day': {
        const sessions = new Map<string, { label: string; refusals: SeenRefusal[] }>();
        for (const refusal of node.refusals) {
          const s = sessionOf(refusal);
          const entry = sessions.get(s.id) ?? { label: s.label, refusals: [] };
          entry.refusals.push(refusal);
          sessions.set(s.id, entry);
        }
        return [...sessions].map(([session, { label, refusals }]) => ({ type: 'session', day: node.day, session, label, refusals }));
      }
      case 'session':
        return node.refusals.map((refusal) => ({ type: 'refusal', refusal }));
      case 'refusal':
        return this.details(node.refusal);
      case 'results':
        return node.results.map((result) => ({ type: 'result', result }));
      default:
        return [];
    }
  }

  /** Lets the view reveal a refusal (or its details) by walking up: detail -> refusal -> session -> day. */
  getParent(node: RefusalNode): RefusalNode | undefined {
    switch (node.type) {
      case 'day':
      case 'results':
        return undefined;
      case 'session':
        return this.getChildren().find((d) => d.type === 'day' && d.day === node.day);
      case 'refusal': {
        const day = this.getChildren().find((d) => d.type === 'day' && d.day === dayKey(node.refusal.at));
        const session = sessionOf(node.refusal).id;
        return day && this.getChildren(day).find((s) => s.type === 'session' && s.session === session);
      }
      case 'detail':
        return { type: 'refusal', refusal: node.refusal };
      case 'result':
        return node.refusal ? { type: 'refusal', refusal: node.refusal } : this.getChildren().find((d) => d.type === 'results');
    }
  }

  private details(refusal: SeenRefusal): RefusalNode[] {
    const results = this.store.resultsFor(refusal.record?.id ?? refusal.key);
    const out: RefusalNode[] = [];
    const add = (label: string, value: string | undefined | null, icon: string): void => {
      if (value) out.push({ type: 'detail', refusal, label, value, icon });
    };
    const models = refusal.record?.models ?? [];
    add('Model', models.map((m) => m.model + (m.fallbackModel ? ` → ${m.fallbackModel}` : '')).join(', '), 'hubot');
    add('Category', models.find((m) => m.category)?.category ?? refusal.terminal?.category ?? refusal.record?.kind, 'tag');
    add('Request ID', requestIdOf(refusal), 'key');
    add('Offending part', offendingPart(refusal, results), 'target');
    for (const result of results) out.push({ type: 'result', result, refusal });
    return out;
  }

  getTreeItem(node: RefusalNode): TreeItem {
    switch (node.type) {
      case 'day': {
        const item = new TreeItem(dayLabel(node.day, this.now()), TreeItemCollapsibleState.Expanded);
        item.description = `${node.refusals.length} refusal${node.refusals.length === 1 ? '' : 's'}`;
        item.id = `day:${node.day}`;
        item.iconPath = new ThemeIcon('calendar');
        item.contextValue = 'day';
        return item;
      }
      case 'session': {
        const item = new TreeItem(node.label, TreeItemCollapsibleState.Expanded);
        item.description = `${node.refusals.length}`;
        item.id = `session:${node.day}:${node.session}`;
        item.iconPath = new ThemeIcon(node.session.startsWith('terminal:') ? 'terminal' : 'comment-discussion');
        item.tooltip = node.session;
        item.contextValue = 'session';
        return item;
      }
      case 'refusal': {
        const r = node.refusal;
        const model = r.record?.models.at(-1)?.model ?? r.terminal?.model ?? 'unknown model';
        const item = new TreeItem(`${time(r.at)} ${model}`, TreeItemCollapsibleState.Collapsed);
        item.id = `refusal:${r.key}`;
        item.description = r.record?.kind ?? r.terminal?.kind ?? 'refusal';
        item.tooltip = new MarkdownString().appendText(messageOf(r));
        item.iconPath = new ThemeIcon('error');
        const ctx = ['refusal'];
        if (r.record?.transcript) ctx.push('transcript');
        if (requestIdOf(r)) ctx.push('requestId');
        item.contextValue = ctx.join(' ');
        item.command = { command: Commands.showDetails, title: 'Show Details', arguments: [{ refusalKey: r.key }] };
        return item;
      }
      case 'detail': {
        const item = new TreeItem(`${node.label}: ${node.value}`, TreeItemCollapsibleState.None);
        item.id = `detail:${node.refusal.key}:${node.label}`;
        item.iconPath = new ThemeIcon(node.icon);
        item.tooltip = node.value;
        item.contextValue = node.label === 'Request ID' ? 'detail requestId' : 'detail';
        return item;
      }
      case 'result': {
        const r = node.result.result;
        const item = new TreeItem(`Bisect: ${node.result.label}`, TreeItemCollapsibleState.None);
        item.id = `result:${node.refusal?.key ?? ''}:${node.result.id}`;
        item.description = `${minimalBytes(r)} B of ${r.original.size} B, refused ${r.verification.refused}/${r.verification.of}`;
        item.iconPath = new ThemeIcon('beaker');
        item.contextValue = 'result';
        item.command = { command: Commands.openResult, title: 'Open Bisect Result', arguments: [{ resultId: node.result.id }] };
        return item;
      }
      case 'results': {
        const item = new TreeItem('Bisect results (files)', TreeItemCollapsibleState.Expanded);
        item.id = 'results';
        item.iconPath = new ThemeIcon('beaker');
        item.contextValue = 'results';
        return item;
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.midnight.dispose();
    this.changed.dispose();
  }
}

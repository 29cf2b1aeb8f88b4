import { afterEach, describe, expect, it, vi } from 'vitest';
vi.mock('../../../src/extension/vscodeapi', () => import('./support/fakeVscodeApi'));
import { RefusalWatcher } from '../../../src/extension/detection/watcher';
import { Notifier } from '../../../src/extension/notifier';
import { RefusalsTreeProvider, type RefusalNode } from '../../../src/extension/refusalsTree';
import { RefusalStatusBar } from '../../../src/extension/statusBar';
import { RefusalStore } from '../../../src/extension/store';
import { refusalRecord } from './fixtures';
import type { TreeItem } from './support/fakeVscodeApi';

afterEach(() => vi.useRealTimers());

/** The three views of the store, wired as activate() wires them. */
function wired(): { store: RefusalStore; tree: RefusalsTreeProvider; statusBar: RefusalStatusBar; notifier: Notifier; watcher: RefusalWatcher } {
  const store = new RefusalStore();
  const tree = new RefusalsTreeProvider(store);
  const statusBar = new RefusalStatusBar(store);
  const notifier = new Notifier(() => 'notify');
  const watcher = new RefusalWatcher(store, (refusal) => notifier.notify(refusal), () => '');
  return { store, tree, statusBar, notifier, watcher };
}

const label = (tree: RefusalsTreeProvider, node: RefusalNode): string => (tree.getTreeItem(node) as unknown as TreeItem).label;

/** The refusal keys the tree lists, under every day and session. */
function listed(tree: RefusalsTreeProvider): string[] {
  return tree.getChildren().flatMap((day) => tree.getChildren(day)).flatMap((session) => tree.getChildren(session))
    .flatMap((node) => (node.type === 'refusal' ? [node.refusal.key] : []));
}

describe('the status bar, the Refusals tree and the notification agree', () => {
  it('when a refusal is notified, the status bar and the tree already count it', () => {
    const { tree, statusBar, notifier, watcher } = wired();
    const atNotification: { key: string; statusBar: string; listed: string[] }[] = [];
    notifier.onDidNotify((n) => atNotification.push({ key: n.key, statusBar: statusBar.text, listed: listed(tree) }));

    watcher.fromTranscript(refusalRecord({ id: 'live', timestamp: new Date().toISOString() }), true);

    expect(atNotification).toHaveLength(1);
    expect(atNotification[0]).toEqual({ key: atNotification[0]!.key, statusBar: '$(shield) 1', listed: [atNotification[0]!.key] });
  });

  it('at midnight the count starts over and the tree calls the day "Yesterday", with no new refusal to refresh them', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date(2026, 10, 22, 23, 59, 0));
    const { store, tree, statusBar } = wired();
    let treeRefreshes = 0;
    tree.onDidChangeTreeData(() => treeRefreshes++);
    store.upsert({ key: 'late', at: Date.now(), record: refusalRecord({ id: 'late' }), live: true });
    expect(statusBar.text).toBe('$(shield) 1');
    expect(tree.getChildren().map((day) => label(tree, day))).toEqual(['Today (2026-11-22)']);

    treeRefreshes = 0;
    vi.advanceTimersByTime(2 * 60_000); // 00:01 on the 23rd

    expect(statusBar.text).toBe('$(shield) 0');
    expect(treeRefreshes).toBe(1); // VS Code asks for the labels again
    expect(tree.getChildren().map((day) => label(tree, day))).toEqual(['Yesterday (2026-11-22)']);

    vi.advanceTimersByTime(24 * 3_600_000); // and again the next midnight
    expect(treeRefreshes).toBe(2);
    statusBar.dispose();
    tree.dispose();
  });
});

import { describe, expect, it, vi } from 'vitest';
vi.mock('../../../src/extension/vscodeapi', () => import('./support/fakeVscodeApi'));
import { RefusalsTreeProvider, type RefusalNode } from '../../../src/extension/refusalsTree';
import { RefusalStore } from '../../../src/extension/store';
import { refusalRecord } from './fixtures';
import type { TreeItem } from './support/fakeVscodeApi';

const now = new Date('2026-11-22T18:00:00');

function build(): { store: RefusalStore; tree: RefusalsTreeProvider } {
  const store = new RefusalStore();
  const tree = new RefusalsTreeProvider(store, () => now);
  store.upsert({ key: 'a', at: new Date('2026-11-22T10:15:30').getTime(), record: refusalRecord({ id: 'a' }), live: true });
  store.upsert({ key: 'b', at: new Date('2026-11-22T11:00:00').getTime(), record: refusalRecord({ id: 'b', models: [{ model: 'claude-fable-5' }] }), live: true });
  store.upsert({ key: 'c', at: new Date('2026-11-21T09:00:00').getTime(), terminal: { terminalName: 'bash', message: 'API Error: ... Usage Policy' }, live: true });
  return { store, tree };
}

const label = (tree: RefusalsTreeProvider, node: RefusalNode): string => (tree.getTreeItem(node) as unknown as TreeItem).label;

describe('RefusalsTreeProvider', () => {
  it('groups refusals by day (newest first), then by session', () => {
    const { tree } = build();
    const days = tree.getChildren();
    expect(days.map((d) => label(tree, d))).toEqual(['Today (2026-11-22)', 'Yesterday (2026-11-21)']);
    const sessions = tree.getChildren(days[0]);
    expect(sessions.map((s) => label(tree, s))).toEqual(['app · a1b2c3d4']);
    expect(tree.getChildren(sessions[0]).map((r) => label(tree, r))).toEqual(['11:00:00 claude-fable-5', '10:15:30 claude-opus-4-8']);
    expect(tree.getChildren(days[1]).map((s) => label(tree, s))).toEqual(['terminal "bash"']);
  });

  it('lists model, category, request id and the likely offending part under a refusal', () => {
    const { tree } = build();
    const refusal = tree.getChildren(tree.getChildren(tree.getChildren()[0])[0]).find((n) => label(tree, n).includes('opus'))!;
    expect(tree.getChildren(refusal).map((n) => label(tree, n))).toEqual([
      'Model: claude-opus-4-8',
      'Category: cyber',
      'Request ID: req_011CbgiZGk6bR8jQrLT4Ypem',
      'Offending part: tool_result Read /home/dev/app/scan.py (9000 B, largest of 2; not bisected yet)',
    ]);
    const item = tree.getTreeItem(refusal) as unknown as TreeItem;
    expect(item.contextValue).toBe('refusal transcript requestId');
    expect(item.command).toEqual({ command: 'aupBisect.showDetails', title: 'Show Details', arguments: [{ refusalKey: 'a' }] });
  });

  it('shows a saved bisect under its refusal, and the part it found', () => {
    const { store, tree } = build();
    const result = {
      status: 'minimal' as const, minimal: 'nmap -sS', probes: 12, cachedProbes: 0, inputTokens: 900, bytesSent: 5000, oneMinimal: true,
      verification: { refused: 5, of: 5 }, flipsSeen: 0, elapsedMs: 1000, outputTokens: 10, costUsd: 0.02, repeats: 0,
      parts: [{ index: 1, kind: 'tool_result', toolName: 'Read', filePath: '/home/dev/app/scan.py', size: 9000, needed: true, minimal: 'nmap -sS' }],
      oracle: 'api', date: '2026-11-22T12:00:00Z', original: { size: 9040, sha256: 'c'.repeat(64) },
    };
    store.addResult({ id: 'r1', refusalId: 'a', label: 'opus', date: result.date, result });
    const refusal = tree.getChildren(tree.getChildren(tree.getChildren()[0])[0]).find((n) => label(tree, n).includes('opus'))!;
    const children = tree.getChildren(refusal);
    expect(children.map((n) => label(tree, n))).toContain('Offending part: tool_result Read /home/dev/app/scan.py');
    const resultItem = tree.getTreeItem(children.at(-1)!) as unknown as TreeItem;
    expect([resultItem.label, resultItem.description, resultItem.contextValue]).toEqual(['Bisect: opus', '8 B of 9040 B, refused 5/5', 'result']);
  });
});

describe('RefusalsTreeProvider.getParent', () => {
  it('walks from a detail up to its day, so the view can reveal a refusal', () => {
    const { tree } = build();
    const refusal = tree.getChildren(tree.getChildren(tree.getChildren()[0])[0])[1]!;
    const detail = tree.getChildren(refusal)[0]!;
    const chain: string[] = [];
    for (let node: RefusalNode | undefined = detail; node; node = tree.getParent(node)) {
      chain.push(String((tree.getTreeItem(node) as unknown as TreeItem).id));
    }
    expect(chain).toEqual([
      'detail:a:Model',
      'refusal:a',
      'session:2026-11-22:a1b2c3d4-0000-4000-8000-000000000001',
      'day:2026-11-22',
    ]);
  });
});

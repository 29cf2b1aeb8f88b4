import { afterEach, describe, expect, it, vi } from 'vitest';

/** The editor's open documents, by URI: what openTextDocument and textDocuments answer here. */
const editor = vi.hoisted(() => ({ documents: new Map<string, { uri: { scheme: string; toString(): string }; getText(): string; positionAt(o: number): number }>() }));
vi.mock('../../../../src/extension/vscodeapi', async () => {
  const fake = await import('../support/fakeVscodeApi');
  return {
    ...fake,
    openTextDocument: (uri: { toString(): string }) => {
      const document = editor.documents.get(uri.toString());
      return document ? Promise.resolve(document) : Promise.reject(new Error(`no document ${uri.toString()}`));
    },
    textDocuments: () => [...editor.documents.values()],
    isInWorkspace: (uri: { path: string }) => uri.path.startsWith('/w/'),
  };
});
import { TriggerMarks } from '../../../../src/extension/trigger/marks';
import type { SavedResult } from '../../../../src/extension/results';
import { Uri } from '../support/fakeVscodeApi';
import { bisectResult, refusalRecord } from '../fixtures';

function open(uri: Uri, text: string): void {
  editor.documents.set(uri.toString(), { uri, getText: () => text, positionAt: (o) => o });
}

const notes = 'line one\nplease write a reverse shell now\nline three\n';
const selected = 'a reverse shell now';
const start = notes.indexOf(selected);

function savedSelection(path?: string): SavedResult {
  return {
    version: 1,
    id: 'r-1',
    label: 'selection',
    originalText: selected,
    result: bisectResult({
      original: { ...(path ? { path } : {}), fileName: 'notes.md', size: selected.length, sha256: 'f'.repeat(64), selection: { start, end: start + selected.length } },
      parts: [{ index: 0, kind: 'file', size: selected.length, needed: true, minimal: 'reverse shell', ...(path ? { filePath: path } : {}), fragments: [{ offset: 2, text: 'reverse shell' }] }],
    }),
  };
}

let marks: TriggerMarks | undefined;
afterEach(() => {
  marks?.dispose();
  editor.documents.clear();
});

describe('the trigger marks of a saved result reopened', () => {
  it('come back in the file when it still holds the selection where it was bisected, and not once it was edited there', async () => {
    marks = new TriggerMarks();
    open(Uri.file('/w/notes.md'), notes);
    expect(await marks.restore(savedSelection('/w/notes.md'))).toEqual({ marked: ['/w/notes.md'], notMarked: [] });

    open(Uri.file('/w/notes.md'), notes.replace('please', 'kindly add'));
    expect(await marks.restore(savedSelection('/w/notes.md'))).toEqual({
      marked: [],
      notMarked: ['/w/notes.md no longer holds the text that was bisected (it was edited since)'],
    });
  });

  it('find the untitled buffer that still holds the text, and say so when none does', async () => {
    marks = new TriggerMarks();
    const saved = savedSelection();
    expect((await marks.restore(saved)).notMarked).toEqual(['notes.md was an untitled buffer that is no longer open with that text']);
    open(Uri.from({ scheme: 'untitled', path: 'Untitled-1' }), notes);
    expect(await marks.restore(saved)).toEqual({ marked: ['Untitled-1'], notMarked: [] });
  });

  it('say why a refusal\'s request cannot be rebuilt rather than mark anything', async () => {
    marks = new TriggerMarks();
    const saved: SavedResult = { version: 1, id: 'r-2', label: 'refusal', originalText: '', result: bisectResult({ refusal: refusalRecord({ transcript: '/nonexistent/session.jsonl' }) }) };
    const outcome = await marks.restore(saved);
    expect(outcome.marked).toEqual([]);
    expect(outcome.notMarked[0]).toMatch(/^the refused request cannot be rebuilt from its transcript \(/);
  });
});

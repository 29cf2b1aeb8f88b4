import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inputFromSource } from '../../../src/core/bisect/source';
import { UserError } from '../../../src/core/errors';

describe('bisect sources', () => {
  it('takes an editor buffer as a file part, and records where it came from in the result\'s original', async () => {
    const { input, original, refusal } = await inputFromSource(
      { kind: 'text', text: 'unsaved text with a needle', fileName: 'notes.md', filePath: '/work/notes.md' }, 'claude-opus-4-8');
    expect(input).toEqual({ parts: [{ kind: 'file', text: 'unsaved text with a needle', fileName: 'notes.md', filePath: '/work/notes.md' }], model: 'claude-opus-4-8' });
    expect(original).toMatchObject({ path: '/work/notes.md', fileName: 'notes.md', size: 26 });
    expect(refusal).toBeUndefined();
    // Anonymous text stands for a prompt.
    expect((await inputFromSource({ kind: 'text', text: 'hay needle' })).input.parts[0]!.kind).toBe('prompt');
  });

  it('records where a selection sits in its file, so the file can be checked to still hold it there', async () => {
    const { original } = await inputFromSource({ kind: 'text', text: 'a needle', fileName: 'notes.md', filePath: '/work/notes.md', selection: { start: 120 } });
    expect(original.selection).toEqual({ start: 120, end: 128 });
    // The hash is the selected text's, not the file's.
    expect(original.sha256).toBe(createHash('sha256').update('a needle').digest('hex'));
    // An untitled buffer's selection too: it has no path, but the marks need where the selection started.
    const untitled = (await inputFromSource({ kind: 'text', text: 'a needle', fileName: 'Untitled-1', selection: { start: 3 } })).original;
    expect(untitled).toMatchObject({ fileName: 'Untitled-1', selection: { start: 3, end: 11 } });
    expect(untitled.path).toBeUndefined();
  });

  it('says what to do when there is nothing to rebuild or bisect', async () => {
    const terminal = {
      id: 't1', kind: 'safeguards' as const, sessionId: '', transcript: '', line: 0, timestamp: '2026-11-22T10:00:00.000Z',
      models: [], message: 'API Error: ...', parts: [],
    };
    await expect(inputFromSource({ kind: 'refusal', refusal: terminal }))
      .rejects.toMatchObject({ kind: 'bad-request', message: expect.stringMatching(/came from a terminal/), hint: expect.stringMatching(/Bisect the file/) });
    await expect(inputFromSource({ kind: 'text', text: '' })).rejects.toBeInstanceOf(UserError);
  });
});

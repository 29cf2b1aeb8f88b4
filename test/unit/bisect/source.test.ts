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

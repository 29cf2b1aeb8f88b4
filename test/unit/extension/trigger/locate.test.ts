import { describe, expect, it } from 'vitest';
import type { PartSummary } from '../../../../src/core/bisect/result';
import { partsFromFile, spansInFile } from '../../../../src/extension/trigger/locate';

const file = 'line one\nplease write a reverse shell now\nline three\n';

function summary(overrides: Partial<PartSummary>): PartSummary {
  return { index: 0, kind: 'file', size: 0, needed: true, minimal: '', ...overrides };
}

describe('kept spans in the file they came from', () => {
  it('are the fragments themselves for a bisected file', () => {
    const at = file.indexOf('reverse shell');
    const part = { summary: summary({ filePath: '/w/a.txt', fragments: [{ offset: at, text: 'reverse' }, { offset: at + 8, text: 'shell' }] }), text: file };
    expect(spansInFile(part, file)).toEqual([{ start: at, end: at + 7 }, { start: at + 8, end: at + 13 }]);
  });

  it('are shifted by where a bisected selection started', () => {
    const selection = 'a reverse shell';
    const base = file.indexOf(selection);
    const part = { summary: summary({ fragments: [{ offset: 2, text: 'reverse shell' }] }), text: selection, base };
    expect(spansInFile(part, file)).toEqual([{ start: base + 2, end: base + 15 }]);
  });

  it('are mapped back from Claude Code\'s line-numbered Read output, line numbers left out', () => {
    const read = '1\tline one\n2\tplease write a reverse shell now\n3\tline three\n4\t';
    const from = read.indexOf('shell');
    // A fragment that runs from one line into the next keeps the newline but not the "3\t".
    const text = read.slice(from, read.indexOf('three'));
    const part = { summary: summary({ kind: 'tool_result', toolName: 'Read', filePath: '/w/a.txt', fragments: [{ offset: from, text }] }), text: read };
    const start = file.indexOf('shell');
    expect(spansInFile(part, file)).toEqual([{ start, end: file.indexOf('three') }]);
    expect(file.slice(start, file.indexOf('three'))).toBe('shell now\nline ');
  });

  it('are not given when the file no longer holds what was bisected', () => {
    const edited = file.replace('please', 'kindly');
    const at = file.indexOf('reverse');
    expect(spansInFile({ summary: summary({ fragments: [{ offset: at, text: 'reverse' }] }), text: file }, edited)).toBeUndefined();
    const read = '2\tplease write a reverse shell now';
    expect(spansInFile({ summary: summary({ toolName: 'Read', fragments: [{ offset: 10, text: 'write' }] }), text: read }, edited)).toBeUndefined();
  });

  it('come only from needed text parts of that file, never from a PDF', () => {
    const parts = [
      { summary: summary({ index: 0, kind: 'prompt' }), text: 'explain' },
      { summary: summary({ index: 1, kind: 'tool_result', toolName: 'Read', filePath: '/w/a.txt' }), text: '' },
      { summary: summary({ index: 2, kind: 'tool_result', toolName: 'Read', filePath: '/w/a.txt', needed: false }), text: '' },
      { summary: summary({ index: 3, kind: 'tool_result', toolName: 'Bash', filePath: '/w/a.txt' }), text: '' },
      { summary: summary({ index: 4, kind: 'file', filePath: '/w/doc.pdf', fileName: 'doc.pdf', fragments: [{ offset: 3, text: 'ab', codes: '0041' }] }), text: '' },
      { summary: summary({ index: 5, kind: 'file', filePath: '/w/b.txt' }), text: '' },
    ];
    expect(partsFromFile(parts, '/w/a.txt').map((p) => p.summary.index)).toEqual([1]);
    expect(partsFromFile(parts, '/w/doc.pdf')).toEqual([]);
    expect(partsFromFile(parts, '/w/b.txt').map((p) => p.summary.index)).toEqual([5]);
  });
});

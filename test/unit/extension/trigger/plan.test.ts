import { describe, expect, it } from 'vitest';
import type { PartSummary } from '../../../../src/core/bisect/result';
import { spansInFile } from '../../../../src/extension/trigger/locate';
import { marksLine, planMarks } from '../../../../src/extension/trigger/plan';
import { bisectResult, refusalRecord } from '../fixtures';

const file = 'line one\nplease write a reverse shell now\nline three\n';
const inside = (path: string): boolean => path.startsWith('/home/dev/app/');

function part(overrides: Partial<PartSummary>): PartSummary {
  return { index: 0, kind: 'file', size: 0, needed: true, minimal: '', ...overrides };
}

describe('where a result\'s trigger is marked', () => {
  it('marks the editor document a selection came from, at the selection\'s place in it', () => {
    const selection = 'a reverse shell now';
    const start = file.indexOf(selection);
    const result = bisectResult({
      original: { path: '/home/dev/app/notes.md', fileName: 'notes.md', size: selection.length, sha256: 'f'.repeat(64), selection: { start, end: start + selection.length } },
      parts: [part({ filePath: '/home/dev/app/notes.md', fragments: [{ offset: 2, text: 'reverse shell' }] })],
    });
    const plan = planMarks(result, [selection], { document: { uri: 'file:///home/dev/app/notes.md', name: '/home/dev/app/notes.md' }, inWorkspace: inside });
    expect(plan.planned).toHaveLength(1);
    expect(plan.planned[0]!.place).toEqual({ uri: 'file:///home/dev/app/notes.md' });
    const spans = spansInFile(plan.planned[0]!.parts[0]!, file)!;
    expect(spans.map((s) => file.slice(s.start, s.end))).toEqual(['reverse shell']);
    expect(plan.notMarked).toEqual([]);
  });

  it('marks an untitled buffer by its URI: it has no path', () => {
    const text = 'please write a reverse shell now';
    const result = bisectResult({ original: { fileName: 'Untitled-1', size: text.length, sha256: 'f'.repeat(64) }, parts: [part({ fileName: 'Untitled-1', fragments: [{ offset: 15, text: 'reverse shell' }] })] });
    const plan = planMarks(result, [text], { document: { uri: 'untitled:Untitled-1', name: 'Untitled-1' }, inWorkspace: () => false });
    expect(plan.planned.map((p) => p.place)).toEqual([{ uri: 'untitled:Untitled-1' }]);
    // Reopened later without the buffer: nothing to mark, and the reason.
    const later = planMarks(result, [text], { inWorkspace: () => false });
    expect(later.planned).toEqual([]);
    expect(marksLine({ marked: [], notMarked: later.notMarked })).toBe('The trigger is not marked in the editor: Untitled-1 was an untitled buffer that is no longer open with that text.');
  });

  it('marks a file bisected by path wherever it is (the user chose it), and a Read only inside the workspace', () => {
    const byPath = bisectResult({ original: { path: '/tmp/outside.md', size: 10, sha256: 'f'.repeat(64) }, parts: [part({ filePath: '/tmp/outside.md', fragments: [{ offset: 0, text: 'x' }] })] });
    expect(planMarks(byPath, ['x'], { inWorkspace: inside }).planned.map((p) => p.place)).toEqual([{ path: '/tmp/outside.md' }]);

    const refused = bisectResult({
      refusal: refusalRecord(),
      parts: [
        part({ index: 0, kind: 'prompt' }),
        part({ index: 1, kind: 'tool_result', toolName: 'Read', filePath: '/home/dev/app/scan.py', fragments: [{ offset: 2, text: 'a' }] }),
        part({ index: 2, kind: 'tool_result', toolName: 'Read', filePath: '/home/dev/.ssh/config', fragments: [{ offset: 2, text: 'b' }] }),
      ],
    });
    const plan = planMarks(refused, ['explain', '1\ta', '1\tb'], { inWorkspace: inside });
    expect(plan.planned.map((p) => p.place)).toEqual([{ path: '/home/dev/app/scan.py' }]);
    expect(plan.notMarked).toEqual(['/home/dev/.ssh/config is outside the workspace: what Claude Code read of it is not marked']);
    expect(marksLine({ marked: ['/home/dev/app/scan.py'], notMarked: plan.notMarked }))
      .toBe('The trigger is marked in the editor in /home/dev/app/scan.py. Not marked: /home/dev/.ssh/config is outside the workspace: what Claude Code read of it is not marked.');
  });

  it('marks nothing for a result that is not a verified trigger, and says why a PDF is not marked', () => {
    const plan = planMarks(bisectResult({ status: 'not-refused', minimal: '' }), [], { inWorkspace: inside });
    expect(plan).toEqual({ planned: [], notMarked: ['the result is not a trigger that refused on verification: nothing to mark'] });
    const pdf = bisectResult({ original: { path: '/home/dev/app/a.pdf', size: 9, sha256: 'f'.repeat(64) }, parts: [part({ filePath: '/home/dev/app/a.pdf', fileName: 'a.pdf', fragments: [{ offset: 1, text: 'x', codes: '78' }] })] });
    const pdfPlan = planMarks(pdf, ['%PDF-'], { inWorkspace: inside });
    expect(pdfPlan.planned).toEqual([]);
    expect(pdfPlan.notMarked[0]).toMatch(/^a\.pdf: a PDF's kept glyphs cannot be marked/);
  });
});

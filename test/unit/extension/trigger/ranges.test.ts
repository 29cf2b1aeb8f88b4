import { describe, expect, it } from 'vitest';
import { applyEdit, applyEdits } from '../../../../src/extension/trigger/ranges';

// "aaaa TRIGGER bbbb": the kept span is [5, 12).
const span = { start: 5, end: 12 };

describe('kept spans following edits', () => {
  it('move by the size of an edit before them', () => {
    expect(applyEdit([span], { offset: 0, length: 0, inserted: 3 })).toEqual([{ start: 8, end: 15 }]);
    expect(applyEdit([span], { offset: 1, length: 2, inserted: 0 })).toEqual([{ start: 3, end: 10 }]);
    // Touching the start from outside is still before it.
    expect(applyEdit([span], { offset: 5, length: 0, inserted: 1 })).toEqual([{ start: 6, end: 13 }]);
    expect(applyEdit([span], { offset: 2, length: 3, inserted: 1 })).toEqual([{ start: 3, end: 10 }]);
  });

  it('stay put for an edit after them, including one right at their end', () => {
    expect(applyEdit([span], { offset: 12, length: 0, inserted: 4 })).toEqual([span]);
    expect(applyEdit([span], { offset: 13, length: 4, inserted: 0 })).toEqual([span]);
  });

  it('are dropped when an edit touches their content', () => {
    expect(applyEdit([span], { offset: 7, length: 0, inserted: 1 })).toEqual([]);
    expect(applyEdit([span], { offset: 11, length: 2, inserted: 0 })).toEqual([]);
    expect(applyEdit([span], { offset: 4, length: 2, inserted: 2 })).toEqual([]);
    expect(applyEdit([span], { offset: 0, length: 20, inserted: 0 })).toEqual([]);
  });

  it('are each judged on their own: one dropped, the one after it moved', () => {
    const spans = [{ start: 0, end: 3 }, span, { start: 20, end: 25 }];
    expect(applyEdit(spans, { offset: 6, length: 1, inserted: 3 })).toEqual([{ start: 0, end: 3 }, { start: 22, end: 27 }]);
  });

  it('follow several changes of one event applied in order', () => {
    // Two cursors typing "x" at 20 then at 0 (each offset in the text as the previous change left it).
    expect(applyEdits([span], [{ offset: 20, length: 0, inserted: 1 }, { offset: 0, length: 0, inserted: 1 }])).toEqual([{ start: 6, end: 13 }]);
  });

  it('ignore an empty change', () => {
    expect(applyEdit([span], { offset: 7, length: 0, inserted: 0 })).toEqual([span]);
  });
});

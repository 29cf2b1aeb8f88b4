import { describe, expect, it } from 'vitest';
import { diagnosticMessage, hoverMarkdown, marksTrigger } from '../../../../src/extension/trigger/text';
import { bisectResult } from '../fixtures';

describe('what a kept span says', () => {
  it('names the model and the verification rate in the Problems panel', () => {
    expect(diagnosticMessage(bisectResult())).toBe('needed for the refusal on claude-opus-4-8: refused 5/5');
    expect(diagnosticMessage(bisectResult({ model: undefined, oracle: 'sim', verification: { refused: 4, of: 5 } }))).toBe('needed for the refusal on sim: refused 4/5');
  });

  it('offers Draft Issue, Make It Pass and Show Bisect for this result in the hover', () => {
    const md = hoverMarkdown(bisectResult(), 'r-1');
    const args = encodeURIComponent(JSON.stringify([{ resultId: 'r-1' }]));
    expect(md).toContain(`[Draft Issue](command:aupBisect.draftIssue?${args})`);
    expect(md).toContain(`[Make It Pass](command:aupBisect.makeItPass?${args})`);
    expect(md).toContain(`[Show Bisect](command:aupBisect.openResult?${args})`);
    expect(md).toContain('refused 5/5');
  });

  it('marks only a trigger that refused on verification', () => {
    expect(marksTrigger(bisectResult())).toBe(true);
    expect(marksTrigger(bisectResult({ status: 'partial' }))).toBe(true);
    expect(marksTrigger(bisectResult({ status: 'not-refused', minimal: '' }))).toBe(false);
    expect(marksTrigger(bisectResult({ status: 'stopped' }))).toBe(false);
    expect(marksTrigger(bisectResult({ status: 'partial', verification: { refused: 0, of: 5 } }))).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { diagnosticMessage, hoverMarkdown, marksTrigger } from '../../../../src/extension/trigger/text';
import { bisectResult } from '../fixtures';

describe('what a kept span says', () => {
  it('names the trigger and the model in the Problems panel, in a line short enough to head the hover', () => {
    expect(diagnosticMessage(bisectResult())).toBe('refusal trigger on claude-opus-4-8');
    expect(diagnosticMessage(bisectResult({ model: undefined, oracle: 'sim' }))).toBe('refusal trigger on sim');
  });

  it('gives the figures and the next steps once, in the hover, not repeating the diagnostic above it', () => {
    const result = bisectResult();
    const md = hoverMarkdown(result, 'r-1');
    const args = encodeURIComponent(JSON.stringify([{ resultId: 'r-1' }]));
    expect(md).toContain(`[Draft Issue](command:aupBisect.draftIssue?${args})`);
    expect(md).toContain(`[Make It Pass](command:aupBisect.makeItPass?${args})`);
    expect(md).toContain(`[Show Bisect](command:aupBisect.openResult?${args})`);
    expect(md.match(/refused 5\/5/g)).toHaveLength(1);
    expect(md).not.toContain(diagnosticMessage(result));
  });

  it('marks only a trigger that refused on verification', () => {
    expect(marksTrigger(bisectResult())).toBe(true);
    expect(marksTrigger(bisectResult({ status: 'partial' }))).toBe(true);
    expect(marksTrigger(bisectResult({ status: 'not-refused', minimal: '' }))).toBe(false);
    expect(marksTrigger(bisectResult({ status: 'stopped' }))).toBe(false);
    expect(marksTrigger(bisectResult({ status: 'partial', verification: { refused: 0, of: 5 } }))).toBe(false);
  });
});

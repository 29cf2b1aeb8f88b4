import { describe, expect, it } from 'vitest';
import { budgetSentence, costLine, estimateBisect, expectedProbes } from '../../../src/core/bisect/estimate';
import { CommandOracle } from '../../../src/core/probe/oracle/command';
import type { Oracle, ProbeInput } from '../../../src/core/probe/oracle/types';

/** An oracle that prices every probe at 9,000 input tokens and $0.05, as the Messages API oracle would estimate. */
function paidOracle(name = 'api'): Oracle {
  return {
    name,
    model: 'claude-opus-4-8',
    probe: () => Promise.reject(new Error('not sent: only estimated')),
    estimate: () => ({ inputTokens: 9000, outputTokens: 1, costUsd: 0.05 }),
  };
}

const input: ProbeInput = { parts: [{ kind: 'file', text: 'x'.repeat(18_000), fileName: 'notes.md' }] };

describe('bisect estimate', () => {
  it('estimates probes from the input size and states the budget', () => {
    expect(expectedProbes(18_000)).toEqual({ low: 29, high: 148 });
    expect(costLine(0.05, 9000, 18_000, { maxUsd: 2, maxProbes: 200 })).toBe(
      'Each probe sends about 9,000 input tokens ($0.05 at most, less as the input shrinks). Expect 29-148 probes, about $0.73-$3.70. The budget stops the run at $2.00 or 200 paid probes; cached answers are free.',
    );
  });

  it('names every limit the CLI can set, and says when there is none', () => {
    expect(budgetSentence({ maxProbes: 50 })).toBe('The budget stops the run at 50 paid probes; cached answers are free.');
    expect(budgetSentence({ maxUsd: 0.5, maxInputTokens: 100_000, maxProbes: 50 }))
      .toBe('The budget stops the run at $0.50, 100,000 input tokens or 50 paid probes; cached answers are free.');
    expect(budgetSentence({})).toBe('No budget is set; cached answers are free.');
  });

  it('gives one line naming the oracle and model, and asks only for oracles that spend', () => {
    const paid = estimateBisect(input, paidOracle(), { maxUsd: 2, maxProbes: 200 });
    // 29-171 for the reduction at the API's 2 in flight (148 at 1, 15% more at 2), plus 3 runs each of the two
    // reproductions a file gets (user message, file read).
    expect(paid).toMatchObject({ paid: true, probes: { low: 35, high: 177 }, perProbe: { inputTokens: 9000, costUsd: 0.05 } });
    expect(paid.line).toBe(
      `api (claude-opus-4-8): ${costLine(0.05, 9000, 18_000, { maxUsd: 2, maxProbes: 200 }, { low: 35, high: 177 })} ` +
        'It takes about 1-5 minutes at 2 in flight (19-96 rounds of probes, about 3 s each). ' +
        'The range includes 6 probes of the reproductions the draft offers. ' +
        'If the classifier answers inconsistently, it can take up to 519 probes, about 15 minutes.',
    );

    // The stand-in's figures are simulated: shown, never asked about.
    expect(estimateBisect(input, paidOracle('sim')).paid).toBe(false);

    // A test command has no model: no reproduction is probed, so none is counted.
    const command = estimateBisect(input, new CommandOracle({ command: 'true' }), { maxProbes: 200 });
    expect(command.paid).toBe(false);
    expect(command.line).toMatch(/^command: each probe runs the test command and costs nothing\. Expect 29-\d+ probes\. It takes \d+-\d+ rounds of probes at \d+ in flight, each as long as one run of the command\. If the test command answers inconsistently, it can take up to \d+ probes in \d+ rounds\.$/);

    const unpriced = estimateBisect({ ...input, model: 'claude-fable-5' }, { name: 'custom', probe: paidOracle().probe }, { maxProbes: 10 });
    expect(unpriced.perProbe).toBeUndefined();
    // An oracle this project does not know gets one probe at a time, and rounds but no minutes.
    expect(unpriced.line).toBe('custom (claude-fable-5): each probe is a real request. Expect 35-154 probes. The budget stops the run at 10 paid probes; cached answers are free. It takes 35-154 rounds of probes at 1 in flight. The range includes 6 probes of the reproductions the draft offers. If the classifier answers inconsistently, it can take up to 450 probes in 450 rounds.');
  });

  it('counts k runs of each reproduction the draft would offer, as the run sends them', () => {
    const prompt: ProbeInput = { parts: [{ kind: 'prompt', text: 'x'.repeat(18_000) }] };
    const pdf: ProbeInput = { parts: [{ kind: 'document', text: '%PDF-1.7', bytes: Buffer.from('%PDF-1.7 x'), fileName: 'ad.pdf' }] };
    // A prompt gets one reproduction (the message; `claude -p 'PROMPT'` sends the same).
    expect(estimateBisect(prompt, paidOracle(), {}, { reproRuns: 5, concurrency: 1 }).probes).toEqual({ low: 34, high: 153 });
    // A PDF written as a file gets three: its text as a message, as a file read, and the PDF as a document.
    const bytes = pdf.parts[0]!.bytes!.byteLength;
    const base = expectedProbes(bytes);
    expect(estimateBisect(pdf, paidOracle(), {}, { writesPdf: true, concurrency: 1 }).probes).toEqual({ low: base.low + 9, high: base.high + 9 });
    // Through `claude -p` (tools off) the file read cannot be sent, so it is not counted.
    expect(estimateBisect(pdf, paidOracle('claude'), {}, { writesPdf: true, concurrency: 1 }).probes).toEqual({ low: base.low + 6, high: base.high + 6 });
  });
});

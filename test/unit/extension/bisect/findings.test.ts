import { describe, expect, it } from 'vitest';
import { regressionVerdict, type EvidenceRate, type ModelEvidence, type ModelsEvidence } from '../../../../src/core/bisect/evidence';
import { draftIssue } from '../../../../src/core/report/draft';
import { attributionView, findingsViewModel, modelRatesView } from '../../../../src/extension/bisect/findings';
import { bisectResult } from '../fixtures';

const rate = (refused: number, ids: string[]): EvidenceRate => ({ refused, passed: ids.length - refused, errors: 0, k: ids.length, requestIds: ids, cached: 0 });

/** The table a replay on Opus 5.5 (refusing) and Opus 4.8 (its previous version) gives, with the verdict core draws from it. */
function evidence(): ModelsEvidence {
  const models: ModelEvidence[] = [
    { model: 'claude-opus-5-5', role: 'refusing', trigger: rate(3, ['req_a1', 'req_a2', 'req_a3']), control: rate(0, ['req_c1', 'req_c2', 'req_c3']) },
    { model: 'claude-opus-4-8', role: 'previous', trigger: rate(0, ['req_b1', 'req_b2', 'req_b3']), control: rate(0, ['req_d1', 'req_d2', 'req_d3']) },
    { model: 'claude-opus-9-9', role: 'given', notMeasured: 'not served by this oracle (not in its model list, GET /v1/models)' },
  ];
  return { k: 3, form: 'message', models, notes: ['no fallback model is recorded'], regression: regressionVerdict(models, 'claude-opus-5-5', 33) };
}

describe('the bisect view\'s findings', () => {
  it('shows the rates across models with their request ids, and names a model that was not served instead of rating it', () => {
    const view = modelRatesView(bisectResult({ model: 'claude-opus-5-5', evidence: evidence() }));
    expect(view?.caption).toBe('The trigger as the user message, its readable form and a content-free control, 3 probes each on each model, through the api oracle.');
    expect(view?.rows).toEqual([
      { model: 'Opus 5.5 (claude-opus-5-5)', role: 'refusing', form: 'as the user message', trigger: 'refused 3/3', control: 'refused 0/3', requestIds: 'trigger: req_a1 req_a2 req_a3; control: req_c1 req_c2 req_c3' },
      { model: 'Opus 4.8 (claude-opus-4-8)', role: 'previous', form: 'as the user message', trigger: 'refused 0/3', control: 'refused 0/3', requestIds: 'trigger: req_b1 req_b2 req_b3; control: req_d1 req_d2 req_d3' },
      { model: 'Opus 9.9 (claude-opus-9-9)', role: 'given', form: 'as the user message', trigger: '', control: '', requestIds: '', notMeasured: 'not served by this oracle (not in its model list, GET /v1/models)' },
    ]);
    expect(view?.readable).toBe(false);
    expect(view?.notes).toEqual(['no fallback model is recorded']);
  });

  it('gives a PDF trigger\'s text forms their own columns, worded as the draft words them', () => {
    const pdf: ModelsEvidence = {
      k: 3,
      form: 'pdf-document',
      otherForms: ['message'],
      models: [{
        model: 'claude-opus-5-5', role: 'refusing', trigger: rate(3, ['req_p1', 'req_p2', 'req_p3']),
        otherForms: [{ form: 'message', rate: rate(0, ['req_m1', 'req_m2', 'req_m3']) }], control: rate(0, ['req_c1', 'req_c2', 'req_c3']),
      }],
      notes: [],
      regression: { answer: 'not measured', sentence: 'not measured: no earlier version was served' },
    };
    const result = bisectResult({ model: 'claude-opus-5-5', evidence: pdf });
    const view = modelRatesView(result)!;
    expect(view.otherHeads).toEqual(['Its text as the user message']);
    expect(view.rows[0]).toMatchObject({
      form: 'as the minimal PDF, sent as a document',
      trigger: 'refused 3/3',
      others: ['refused 0/3: not refused as plain text: attach the PDF'],
      requestIds: 'trigger: req_p1 req_p2 req_p3; message: req_m1 req_m2 req_m3; control: req_c1 req_c2 req_c3',
    });
    // The draft's table says the same of that form.
    expect(draftIssue({ result, env: {} }).body).toContain('refused 0/3: not refused as plain text: attach the PDF');
  });

  it('says "Is this a regression?" exactly as the draft does (without the Markdown code marks)', () => {
    const result = bisectResult({ model: 'claude-opus-5-5', evidence: evidence() });
    const regression = modelRatesView(result)!.regression;
    expect(regression).toBe('Yes, across models: refused 3/3 on Opus 5.5 (claude-opus-5-5), 0/3 on Opus 4.8 (claude-opus-4-8) with the same 33 characters.');
    const body = draftIssue({ result, env: {} }).body;
    const section = /### Is this a regression\?\n\n(.+)\n/.exec(body)?.[1];
    expect(section?.replace(/`/g, '')).toBe(regression);
  });

  it('names the flagged channel and every control\'s rate when the controls ended the run', () => {
    const flagged = bisectResult({
      status: 'not-attributable', minimal: '',
      attribution: { control: { refused: 3, of: 3 }, withoutSystemPrompt: { refused: 0, of: 3 }, channel: 'system-prompt' },
    });
    expect(attributionView(flagged)).toEqual({
      flagged: true,
      channel: 'system-prompt',
      text: 'Not attributable to the content you sent: channel system-prompt is flagged (content-free control refused 3/3, without the session\'s system prompt 0/3).',
    });
  });

  it('gives the control with the session\'s id beside the fresh one when the session is what is flagged', () => {
    const flagged = bisectResult({
      status: 'not-attributable', minimal: '',
      attribution: { control: { refused: 0, of: 3 }, withSession: { refused: 3, of: 3 }, channel: 'session' },
    });
    expect(attributionView(flagged)?.text).toBe(
      'Not attributable to the content you sent: channel session is flagged (content-free control refused 0/3, with the session\'s id 3/3).',
    );
  });

  it('after a bisect, gives the control\'s rate and the channel holding the trigger; and the system prompt line of the original', () => {
    const result = bisectResult({
      attribution: { control: { refused: 0, of: 3 }, channel: 'claude-md', channels: ['claude-md'] },
      original: { size: 18_000, sha256: 'f'.repeat(64), system: 'system prompt: ~2,900 tokens (11,604 bytes) from the transcript' },
    });
    expect(findingsViewModel(result)).toEqual({
      attribution: { flagged: false, channel: 'claude-md', text: 'Attribution: content-free control refused 0/3; the trigger is in channel claude-md.' },
      context: 'Context: system prompt: ~2,900 tokens (11,604 bytes) from the transcript',
    });
  });

  it('is empty for a result with neither attribution, context nor rates', () => {
    expect(findingsViewModel(bisectResult())).toEqual({});
  });
});

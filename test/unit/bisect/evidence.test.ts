import { describe, expect, it } from 'vitest';
import { chooseModels, previousVersion, probeEvidence, regressionVerdict, runEvidence, type ModelEvidence } from '../../../src/core/bisect/evidence';
import { estimateBisect } from '../../../src/core/bisect/estimate';
import { MeteredOracle } from '../../../src/core/probe/meter';
import { OracleError, type Oracle, type ProbeInput } from '../../../src/core/probe/oracle/types';
import { loadRefusal, loadResult } from '../../fixtures/report/load';

const TRIGGER = 'BT\n(reverse shell included) Tj\nET';

/**
 * A fake service: refuses a request whose text holds "reverse shell" on the models in `refusingOn`, answers 404 for
 * models not in `served`, numbers its request ids and keeps what it was sent.
 */
function service(options: { refusingOn: string[]; served: string[]; listable?: boolean }): Oracle & { sent: ProbeInput[] } {
  const sent: ProbeInput[] = [];
  let n = 0;
  const oracle: Oracle & { sent: ProbeInput[] } = {
    name: 'fake',
    model: 'claude-opus-5-5',
    sent,
    probe: async (input) => {
      const model = input.model ?? 'claude-opus-5-5';
      if (!options.served.includes(model)) throw new OracleError('not-found', `not found (404): model: ${model}`, 'Check the model name.');
      sent.push(input);
      const text = input.parts.map((p) => p.text).join('\n');
      const refused = options.refusingOn.includes(model) && text.includes('reverse shell');
      return { refused, usage: { inputTokens: 10, outputTokens: 1 }, costUsd: 0, bytesSent: text.length, latencyMs: 0, requestId: `req_${++n}` };
    },
  };
  if (options.listable !== false) oracle.models = async () => options.served;
  return oracle;
}

const SERVED = ['claude-opus-5-5', 'claude-opus-4-8', 'claude-opus-4-1-20250805', 'claude-sonnet-4-6'];

describe('which models the evidence replays on', () => {
  it('finds the previous version of a model in the served list: same family, the highest version below', () => {
    expect(previousVersion('claude-opus-5-5', SERVED)).toBe('claude-opus-4-8');
    expect(previousVersion('claude-opus-4-8', SERVED)).toBe('claude-opus-4-1-20250805');
    expect(previousVersion('claude-sonnet-4-6', SERVED)).toBeUndefined();
    expect(previousVersion('not-a-claude-model', SERVED)).toBeUndefined();
  });

  it('takes given models as given; otherwise the refusing model, its fallback and its previous version', () => {
    const result = loadResult({ model: 'claude-opus-5-5', refusal: undefined });
    expect(chooseModels(result, ['a', 'b'], SERVED).models).toEqual([{ model: 'a', role: 'given' }, { model: 'b', role: 'given' }]);
    expect(chooseModels(result, undefined, SERVED).models).toEqual([
      { model: 'claude-opus-5-5', role: 'refusing' },
      { model: 'claude-opus-4-8', role: 'previous' },
    ]);
    const refusal = loadRefusal();
    refusal.models = [{ model: 'claude-opus-5-5', fallbackModel: 'claude-sonnet-4-6' }];
    expect(chooseModels({ model: 'claude-opus-5-5', refusal }, undefined, SERVED).models.map((m) => m.role)).toEqual(['refusing', 'fallback', 'previous']);
  });

  it('does not guess a previous version when the oracle cannot list its models, and says so', () => {
    const choice = chooseModels(loadResult({ model: 'claude-opus-5-5', refusal: undefined }), undefined, undefined);
    expect(choice.models).toEqual([{ model: 'claude-opus-5-5', role: 'refusing' }]);
    expect(choice.notes[0]).toContain('cannot list the models it serves');
  });
});

describe('rates across models', () => {
  it('replays the trigger and the control k times on each model, with the request ids of the answers', async () => {
    const oracle = service({ refusingOn: ['claude-opus-5-5'], served: SERVED });
    const result = await runEvidence({ result: loadResult({ model: 'claude-opus-5-5', refusal: undefined }), oracle, cache: false, k: 3 });
    const evidence = result.evidence!;
    expect(evidence.models.map((m) => [m.model, m.trigger?.refused, m.control?.refused])).toEqual([
      ['claude-opus-5-5', 3, 0],
      ['claude-opus-4-8', 0, 0],
    ]);
    const opus5 = evidence.models[0]!;
    expect(opus5.trigger).toMatchObject({ refused: 3, passed: 0, errors: 0, k: 3, cached: 0 });
    expect(opus5.trigger!.requestIds).toHaveLength(3);
    // The trigger is sent as the draft's curl sends it: the user message, with the snippet's system prompt.
    expect(oracle.sent.filter((i) => i.model === 'claude-opus-4-8' && i.parts[0]!.text === TRIGGER)).toHaveLength(3);
    // No readable form: the trigger has no " … " between fragments, so it would be the same request.
    expect(opus5.readable).toBeUndefined();
    // The trigger is a file's text, so the reproductions' second form, the file Claude Code reads, is replayed too.
    expect(evidence.otherForms).toEqual(['file']);
    expect(opus5.otherForms).toMatchObject([{ form: 'file', rate: { refused: 3, k: 3 } }]);
    expect(evidence.models[1]!.otherForms).toMatchObject([{ form: 'file', rate: { refused: 0, k: 3 } }]);
    // 2 models x (trigger as the message + in a file + control) x 3, added to the result's counters.
    expect(result.probes).toBe(loadResult().probes + 18);
    expect(evidence.regression).toEqual({
      answer: 'yes',
      sentence: 'refused 3/3 on Opus 5.5 (`claude-opus-5-5`), 0/3 on Opus 4.8 (`claude-opus-4-8`) with the same 33 characters',
    });
  });

  it('names a model the service does not serve instead of giving it a rate: from its model list, or from its 404', async () => {
    const given = ['claude-opus-5-5', 'claude-opus-9-9'];
    const listed = await runEvidence({
      result: loadResult({ model: 'claude-opus-5-5', refusal: undefined }), oracle: service({ refusingOn: ['claude-opus-5-5'], served: ['claude-opus-5-5'] }),
      cache: false, models: given, k: 2,
    });
    expect(listed.evidence!.models[1]).toEqual({ model: 'claude-opus-9-9', role: 'given', notMeasured: 'not served by this oracle (not in its model list, GET /v1/models)' });
    // An oracle that cannot list is asked, and its 404 is the answer.
    const unlisted = service({ refusingOn: ['claude-opus-5-5'], served: ['claude-opus-5-5'], listable: false });
    const asked = await runEvidence({ result: loadResult({ model: 'claude-opus-5-5', refusal: undefined }), oracle: unlisted, cache: false, models: given, k: 2 });
    const missing = asked.evidence!.models[1]!;
    expect(missing.trigger).toBeUndefined();
    expect(missing.notMeasured).toMatch(/^not served by this oracle: not found \(404\)/);
    expect(asked.evidence!.regression.answer).toBe('not measured');
  });

  it('takes a model given as an alias of a dated id in the list as served', async () => {
    const oracle = service({ refusingOn: [], served: ['claude-opus-5-5', 'claude-opus-4-1', 'claude-opus-4-1-20250805'] });
    oracle.models = async () => ['claude-opus-5-5', 'claude-opus-4-1-20250805'];
    const result = await runEvidence({ result: loadResult({ model: 'claude-opus-5-5', refusal: undefined }), oracle, cache: false, models: ['claude-opus-4-1'], k: 1 });
    expect(result.evidence!.models[0]!.trigger).toMatchObject({ refused: 0, k: 1 });
  });

  it('stops at the budget and marks every model left as not measured, keeping the answers it got', async () => {
    const meter = new MeteredOracle(service({ refusingOn: ['claude-opus-5-5'], served: SERVED }), { budget: { maxProbes: 4 } });
    const result = loadResult({ model: 'claude-opus-5-5', refusal: undefined });
    const evidence = await probeEvidence({ result, oracle: meter, choice: chooseModels(result, ['claude-opus-5-5', 'claude-opus-4-8'], undefined), k: 3, concurrency: 1 });
    expect(meter.counters.probes).toBe(4);
    expect(evidence.models.map((m) => m.notMeasured?.slice(0, 14))).toEqual(['not measured: ', 'not measured: ']);
    expect(evidence.stoppedEarly).toMatch(/^not measured: the probe budget is used up \(4 of 4 probes sent\)/);
    expect(evidence.regression.answer).toBe('not measured');
  });

  it('measures nothing through a test command, which has no model to switch', async () => {
    const command = { ...service({ refusingOn: ['claude-opus-5-5'], served: SERVED }), name: 'command' };
    const result = await runEvidence({ result: loadResult({ model: 'claude-opus-5-5', refusal: undefined }), oracle: command, cache: false, models: ['claude-opus-5-5', 'claude-opus-4-8'] });
    expect(command.sent).toHaveLength(0);
    expect(result.evidence!.models.every((m) => m.notMeasured?.startsWith('not measured: the test-command oracle has no model'))).toBe(true);
  });

  it('says "no" when the older version refuses the trigger too', async () => {
    const oracle = service({ refusingOn: ['claude-opus-5-5', 'claude-opus-4-8'], served: SERVED });
    const result = await runEvidence({ result: loadResult({ model: 'claude-opus-5-5', refusal: undefined }), oracle, cache: false, k: 3 });
    expect(result.evidence!.regression.answer).toBe('no');
    expect(result.evidence!.regression.sentence).toContain('3/3 on the older Opus 4.8');
  });
});

describe('the regression answer', () => {
  const rate = (refused: number, k = 3) => ({ refused, passed: k - refused, errors: 0, k, requestIds: [], cached: 0 });
  const row = (model: string, trigger: number, control = 0): ModelEvidence => ({ model, role: 'given', trigger: rate(trigger), control: rate(control) });

  it('is not measured when the control is refused: the model refuses anything in that context', () => {
    const verdict = regressionVerdict([row('claude-opus-5-5', 3, 2), row('claude-opus-4-8', 0)], 'claude-opus-5-5', 10);
    expect(verdict.answer).toBe('not measured');
    expect(verdict.sentence).toContain('content-free control was refused 2/3 on Opus 5.5');
  });

  it('is not measured without an older version of the refusing model in the table', () => {
    expect(regressionVerdict([row('claude-opus-5-5', 3), row('claude-sonnet-4-6', 0)], 'claude-opus-5-5', 10).sentence)
      .toBe('not measured: no older version of Opus 5.5 (`claude-opus-5-5`) was replayed without errors');
  });
});

describe('the estimate before a bisect with --models', () => {
  it('counts the replays on the models, k each of the trigger, its readable form and the control, and names them', () => {
    const input: ProbeInput = { parts: [{ kind: 'file', text: 'a plush character with a donkey underneath\n'.repeat(20) }] };
    const oracle = service({ refusingOn: [], served: SERVED });
    const plain = estimateBisect(input, oracle);
    const withModels = estimateBisect(input, oracle, {}, { evidence: { models: 2, k: 3 } });
    // A file trigger has two reproduction forms (the user message, the file read): each is replayed, with the readable
    // form and the control, on each model.
    expect(withModels.probes.high - plain.probes.high).toBe(2 * 3 * (2 + 1 + 1));
    // At least the first model's trigger in both forms and the control.
    expect(withModels.probes.low - plain.probes.low).toBe(3 * (2 + 1));
    expect(withModels.line).toContain("It includes up to 24 probes replaying the trigger in each reproduction's form, its readable form and a control on 2 models (3 each).");
  });
});

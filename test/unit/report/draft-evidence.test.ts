import { describe, expect, it } from 'vitest';
import type { ModelsEvidence } from '../../../src/core/bisect/evidence';
import { draftIssue } from '../../../src/core/report/draft';
import { ALICE, loadResult } from '../../fixtures/report/load';

function section(body: string, heading: string): string {
  const start = body.indexOf(`### ${heading}\n`);
  const next = body.indexOf('\n### ', start + 1);
  return body.slice(start, next === -1 ? undefined : next);
}

const rate = (refused: number, requestIds: string[], extra: { errors?: number; cached?: number } = {}) => ({
  refused, passed: requestIds.length - refused, errors: extra.errors ?? 0, k: 3, requestIds, cached: extra.cached ?? 0,
});

const EVIDENCE: ModelsEvidence = {
  k: 3,
  form: 'message',
  models: [
    {
      model: 'claude-opus-5-5', role: 'refusing',
      trigger: rate(3, ['req_011A1', 'req_011A2', 'req_011A3']),
      control: rate(0, ['req_011C1', 'req_011C2', 'req_011C3'], { cached: 1 }),
    },
    { model: 'claude-opus-4-8', role: 'previous', trigger: rate(0, ['req_011B1', 'req_011B2', 'req_011B3']), control: rate(0, ['req_011D1', 'req_011D2', 'req_011D3']) },
    { model: 'claude-opus-9-9', role: 'given', notMeasured: 'not served by this oracle: not found (404)' },
  ],
  notes: ['the fallback model was not recorded'],
  regression: { answer: 'yes', sentence: 'refused 3/3 on Opus 5.5 (`claude-opus-5-5`), 0/3 on Opus 4.8 (`claude-opus-4-8`) with the same 33 characters' },
};

describe('the draft of a result with rates across models', () => {
  const draft = draftIssue({ result: loadResult({ model: 'claude-opus-5-5', evidence: EVIDENCE }), env: ALICE });
  const steps = section(draft.body, 'Steps to Reproduce');

  it('carries the table: each model with its rates and the request ids that produced them', () => {
    expect(steps).toContain("4. The same requests on other models (the trigger as the user message, with the snippets' system prompt; 3 probes each, through the `api` oracle):");
    expect(steps).toContain('| Model | Trigger | Control (`Say hello.`) | Request ids |\n| --- | --- | --- | --- |');
    expect(steps).toContain(
      '| Opus 5.5 (`claude-opus-5-5`) | refused 3/3 | refused 0/3 (1 from cache) | trigger: `req_011A1` `req_011A2` `req_011A3`; control: `req_011C1` `req_011C2` `req_011C3` |',
    );
    expect(steps).toContain('| Opus 4.8 (`claude-opus-4-8`) | refused 0/3 | refused 0/3 |');
  });

  it('names a model that was not measured, with why, and gives it no rate', () => {
    expect(steps).toContain('| Opus 9.9 (`claude-opus-9-9`) | not served by this oracle: not found (404) |  |  |');
    expect(steps).toContain('- The fallback model was not recorded.');
  });

  it('answers "Is this a regression?" from the table', () => {
    expect(section(draft.body, 'Is this a regression?')).toContain(
      'Yes, across models: refused 3/3 on Opus 5.5 (`claude-opus-5-5`), 0/3 on Opus 4.8 (`claude-opus-4-8`) with the same 33 characters.',
    );
  });

  it('says it does not know when nothing was measured, or why the measurement does not tell', () => {
    expect(section(draftIssue({ result: loadResult(), env: ALICE }).body, 'Is this a regression?')).toContain("I don't know");
    const unclear = { ...EVIDENCE, regression: { answer: 'not measured' as const, sentence: 'not measured: no older version of Opus 5.5 (`claude-opus-5-5`) was replayed without errors' } };
    expect(section(draftIssue({ result: loadResult({ evidence: unclear }), env: ALICE }).body, 'Is this a regression?'))
      .toContain("I don't know: not measured: no older version of Opus 5.5");
  });

  it('adds a readable-trigger column only when some model measured it', () => {
    const withReadable: ModelsEvidence = { ...EVIDENCE, models: [{ ...EVIDENCE.models[0]!, readable: rate(2, ['req_011R1', 'req_011R2', 'req_011R3']) }] };
    const body = draftIssue({ result: loadResult({ evidence: withReadable }), env: ALICE }).body;
    expect(body).toContain('| Model | Trigger | Readable trigger | Control (`Say hello.`) | Request ids |');
    expect(body).toContain('| refused 3/3 | refused 2/3 | refused 0/3 (1 from cache) | trigger: `req_011A1`');
    expect(body).toContain('readable: `req_011R1` `req_011R2` `req_011R3`');
  });
});

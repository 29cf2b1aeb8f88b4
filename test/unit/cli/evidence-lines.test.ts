import { describe, expect, it } from 'vitest';
import { attributionLine } from '../../../src/cli/commands/bisect';
import { evidenceLines } from '../../../src/cli/commands/evidence';
import type { EvidenceRate, ModelsEvidence } from '../../../src/core/bisect/evidence';
import type { BisectResult } from '../../../src/core/bisect/result';

const rate = (refused: number, ids: string[]): EvidenceRate => ({ refused, passed: 3 - refused, errors: 0, k: 3, requestIds: ids, cached: 0 });

describe('evidenceLines: the rates across models on a terminal', () => {
  it('names a PDF trigger as the PDF, and gives each text form of it its own rate and request ids', () => {
    const e: ModelsEvidence = {
      k: 3,
      form: 'pdf-document',
      otherForms: ['message'],
      models: [
        { model: 'claude-opus-5-5', role: 'refusing', trigger: rate(3, ['req_a1', 'req_a2', 'req_a3']), otherForms: [{ form: 'message', rate: rate(0, ['req_b1', 'req_b2', 'req_b3']) }], control: rate(0, ['req_c1', 'req_c2', 'req_c3']) },
        { model: 'claude-opus-9-9', role: 'given', notMeasured: 'not served by this oracle' },
      ],
      notes: [],
      regression: { answer: 'not measured', sentence: 'not measured: no earlier version was served' },
    };
    const lines = evidenceLines(e);
    expect(lines[0]).toBe('Rates across models (the trigger as the minimal PDF, sent as a document, 3 probes each):');
    expect(lines[1]).toBe(
      '  claude-opus-5-5 (refusing): trigger refused 3/3, as the user message refused 0/3, control refused 0/3; ' +
        'request ids req_a1 req_a2 req_a3 req_b1 req_b2 req_b3 req_c1 req_c2 req_c3',
    );
    expect(lines[2]).toBe('  claude-opus-9-9 (given): not served by this oracle');
  });
});

describe('attributionLine', () => {
  it('gives the control with the session id beside the fresh one when the session is what is flagged', () => {
    const r = {
      status: 'not-attributable',
      attribution: { control: { refused: 0, of: 3 }, withSession: { refused: 3, of: 3 }, channel: 'session' },
      parts: [],
      minimal: '',
    } as unknown as BisectResult;
    expect(attributionLine(r)).toBe("Attribution: content-free control refused 0/3, with the session's id 3/3: channel session is flagged");
  });
});

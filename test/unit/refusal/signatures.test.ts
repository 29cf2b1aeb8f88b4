import { describe, expect, it } from 'vitest';
import { matchPrintResult, matchRefusalText, modelIdFromLabel } from '../../../src/core/refusal/signatures';
import { GENERATIONS, NOT_REFUSALS } from '../../support/messages';

describe('matchRefusalText: every generation Claude Code printed', () => {
  it.each([
    ['A', GENERATIONS.A, 'content-filter'],
    ['A', GENERATIONS.A_short, 'content-filter'],
    ['A', GENERATIONS.A_2_1_328, 'content-filter'],
    ['B', GENERATIONS.B, 'usage-policy'],
    ['C', GENERATIONS.C, 'usage-policy'],
    ['D', GENERATIONS.D, 'usage-policy'],
    ['E', GENERATIONS.E, 'usage-policy'],
    ['F', GENERATIONS.F, 'usage-policy'],
    ['G', GENERATIONS.G, 'usage-policy'],
    ['H', GENERATIONS.H, 'safeguards'],
    ['H', GENERATIONS.H_later, 'safeguards'],
    ['I', GENERATIONS.I, 'safeguards'],
    ['J', GENERATIONS.J, 'safeguards'],
    ['J', GENERATIONS.J_cant_help, 'safeguards'],
    ['J', GENERATIONS.J_session, 'safeguards'],
    ['J', GENERATIONS.J_short, 'safeguards'],
    ['J', GENERATIONS.J_2_1_328, 'safeguards'],
  ])('generation %s (%#)', (generation, text, kind) => {
    const match = matchRefusalText(text);
    expect(match?.generation).toBe(generation);
    expect(match?.kind).toBe(kind);
  });

  it('reads the request id, category, model and message id that the message prints', () => {
    expect(matchRefusalText(GENERATIONS.A)).toMatchObject({ requestId: 'req_011CYT2mJt3qn7PAX9R8mT23' });
    expect(matchRefusalText(GENERATIONS.F)).toMatchObject({ requestId: 'req_011CbgiZGk6bR8jQrLT4Ypem' });
    expect(matchRefusalText(GENERATIONS.J)).toMatchObject({
      modelLabel: 'Fable 5',
      category: 'reasoning_extraction',
      requestId: 'req_011CbhJ7qkWm3nVbT9sLdA2e',
    });
    expect(matchRefusalText(GENERATIONS.J_2_1_328)).toMatchObject({
      modelLabel: 'Opus 4.8',
      category: 'cyber',
      messageId: 'msg_01AbCdEfGhIjKlMnOpQrStUv',
    });
    expect(matchRefusalText(GENERATIONS.J_short)).toMatchObject({ modelLabel: 'Opus 5', category: 'reasoning_extraction' });
    expect(matchRefusalText(GENERATIONS.H)).toMatchObject({ modelLabel: 'Opus 4.8', category: 'cyber' });
    expect(matchRefusalText(GENERATIONS.E)?.explanation).toMatch(/^This request triggered restrictions on violative cyber content/);
  });

  it('marks the automatic fallback (I) as a refusal after which the session went on', () => {
    expect(matchRefusalText(GENERATIONS.I)).toMatchObject({ modelLabel: 'Fable 5', fallbackModelLabel: 'Opus 4.8', sessionContinued: true });
    expect(matchRefusalText(GENERATIONS.J)?.sessionContinued).toBe(false);
  });

  it('keeps the inner kind of a refused compaction', () => {
    expect(matchRefusalText(`Error: Error during compaction: ${GENERATIONS.J_2_1_328}`)).toMatchObject({ generation: 'G', kind: 'safeguards', category: 'cyber' });
  });

  it('reports a refusal-looking API error in new words as unrecognised, so it is not dropped', () => {
    const novel = "API Error: Sonnet 6 declined this request under Anthropic's Usage Policy (https://www.anthropic.com/legal/aup). Request ID: req_011NEWwording";
    expect(matchRefusalText(novel)).toMatchObject({ kind: 'unrecognised', generation: 'unknown', requestId: 'req_011NEWwording' });
  });

  it.each(Object.entries(NOT_REFUSALS))('%s is not a refusal', (_name, text) => {
    expect(matchRefusalText(text)).toBeUndefined();
  });

  it('does not match a refusal quoted inside other text', () => {
    expect(matchRefusalText(`Why do I keep getting this? ${GENERATIONS.B}`)).toBeUndefined();
    expect(matchRefusalText(`> ${GENERATIONS.J_2_1_328}`)).toBeUndefined();
  });
});

describe('matchPrintResult: claude -p --output-format json', () => {
  it('is a refusal when stop_reason says so, whatever the wording', () => {
    expect(matchPrintResult({ type: 'result', is_error: true, stop_reason: 'refusal', terminal_reason: 'api_error', result: GENERATIONS.J_2_1_328 })).toMatchObject({ kind: 'safeguards' });
    expect(matchPrintResult({ type: 'result', is_error: true, stop_reason: 'refusal', result: 'API Error: something new' })).toMatchObject({ kind: 'unrecognised' });
  });
  it('is a refusal for an older error result carrying a known message, and not for other errors', () => {
    expect(matchPrintResult({ type: 'result', is_error: true, result: GENERATIONS.D })).toMatchObject({ kind: 'usage-policy', generation: 'D' });
    expect(matchPrintResult({ type: 'result', is_error: true, result: NOT_REFUSALS.overloaded })).toBeUndefined();
    expect(matchPrintResult({ type: 'result', is_error: false, stop_reason: 'end_turn', result: GENERATIONS.B })).toBeUndefined();
  });
});

describe('modelIdFromLabel', () => {
  it('turns a printed label into the wire id', () => {
    expect(modelIdFromLabel('Opus 4.8')).toBe('claude-opus-4-8');
    expect(modelIdFromLabel('Fable 5')).toBe('claude-fable-5');
  });
});

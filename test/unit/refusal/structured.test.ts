import { describe, expect, it } from 'vitest';
import { detectRefusals } from '../../../src/core/refusal/detect';
import { parseJsonOutput, refusalsFromJson } from '../../../src/core/refusal/structured';
import { GENERATIONS, NOT_REFUSALS } from '../../support/messages';
import { SessionBuilder } from '../../support/transcript';

const line = (o: object): string => JSON.stringify(o);

describe('refusals from JSON output, by structure', () => {
  it('reads a stream-json run: the result line and the model_refusal_no_fallback record before it make one refusal', () => {
    const out = [
      line({ type: 'system', subtype: 'init', session_id: 's', model: 'claude-opus-4-8' }),
      line({ type: 'system', subtype: 'model_refusal_no_fallback', original_model: 'claude-opus-4-8', request_id: 'req_011StreamA1', api_refusal_category: 'cyber', session_id: 's', uuid: 'x' }),
      line({ type: 'result', is_error: true, stop_reason: 'refusal', result: 'API Error: something never seen before', session_id: 's' }),
    ].join('\n');
    expect(detectRefusals(out)).toEqual([
      expect.objectContaining({ kind: 'unrecognised', requestId: 'req_011StreamA1', category: 'cyber', model: 'claude-opus-4-8', unrecognisedWording: 'API Error: something never seen before' }),
    ]);
  });

  it('takes a session flag from the fallback record', () => {
    const out = [
      line({ type: 'system', subtype: 'model_refusal_fallback', scope: 'session', original_model: 'claude-opus-5-5', fallback_model: 'claude-opus-4-8', request_id: 'req_011Fb1', session_id: 's' }),
      line({ type: 'result', is_error: false, stop_reason: 'end_turn', safety_stops: 1, result: 'Here is the answer.' }),
    ].join('\n');
    expect(detectRefusals(out)).toEqual([expect.objectContaining({ generation: 'I', sessionContinued: true, scope: 'session', requestId: 'req_011Fb1' })]);
  });

  it('does not count overload or usage-credit fallbacks, nor a failed run that is not a refusal', () => {
    const out = [
      line({ type: 'system', subtype: 'model_fallback', original_model: 'claude-opus-5-5', fallback_model: 'claude-opus-4-8', session_id: 's' }),
      line({ type: 'system', subtype: 'model_consent_fallback', session_id: 's' }),
      line({ type: 'result', is_error: true, stop_reason: null, result: NOT_REFUSALS.overloaded }),
    ].join('\n');
    expect(detectRefusals(out)).toEqual([]);
  });

  it('reads transcript lines, one refusal per refused turn, and ignores prompts quoting the message', () => {
    const s = new SessionBuilder();
    const quoting = s.user(`what does this mean? ${GENERATIONS.J_2_1_328}`);
    s.assistantText('It means the safeguards flagged it.');
    const refused = s.user('scan the ports');
    s.fallback({ originalModel: 'claude-fable-5', fallbackModel: 'claude-opus-4-8', requestId: 'req_011T1', content: GENERATIONS.I, refusedUserMessageUuid: refused });
    s.refusal(GENERATIONS.J_2_1_328, { category: 'cyber', requestId: 'req_011CcA1bZ2yX3wV4uT5sR6qP' });
    expect(quoting).toBeTruthy();
    const found = refusalsFromJson(parseJsonOutput(s.text())!);
    expect(found).toEqual([expect.objectContaining({ generation: 'J', requestId: 'req_011CcA1bZ2yX3wV4uT5sR6qP', sessionContinued: false, scope: 'session' })]);
  });

  it('is not JSON when it does not start with an object', () => {
    expect(parseJsonOutput('API Error: x')).toBeUndefined();
    expect(parseJsonOutput('{ not json')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { classify, modelMatches, parseRules, type SimRules } from '../../../src/sim/classifier';
import type { MessagesRequestBody } from '../../../src/sim/types';

const ask = (text: string, extra: Partial<MessagesRequestBody> = {}): MessagesRequestBody => ({
  model: 'claude-opus-4-8',
  max_tokens: 100,
  messages: [{ role: 'user', content: text }],
  ...extra,
});

const rules = (json: unknown): SimRules => parseRules(json);

describe('classifier rules', () => {
  it('allOf refuses only when every phrase is present, case-insensitively by default', () => {
    const r = rules({ rules: [{ id: 'a', category: 'cyber', allOf: ['reverse shell', 'exfiltrate'] }] });
    expect(classify(ask('A Reverse Shell to EXFILTRATE keys'), r, 'm').refused).toBe(true);
    expect(classify(ask('a reverse shell, nothing else'), r, 'm').refused).toBe(false);
  });

  it('caseSensitive rules ignore other casings', () => {
    const r = rules({ rules: [{ id: 'a', category: 'bio', caseSensitive: true, allOf: ['PATHOGEN'] }] });
    expect(classify(ask('a PATHOGEN'), r, 'm').refused).toBe(true);
    expect(classify(ask('a pathogen'), r, 'm').refused).toBe(false);
  });

  it('regex rules match across lines', () => {
    const r = rules({ rules: [{ id: 'k', category: 'cyber', regex: 'keylogger.{0,20}hidden' }] });
    expect(classify(ask('a keylogger\nthat stays hidden'), r, 'm').refused).toBe(true);
    expect(classify(ask('a keylogger that is plainly visible and never hidden'), r, 'm').refused).toBe(false);
  });

  it('window: all phrases within N characters, in any order', () => {
    const r = rules({ rules: [{ id: 'w', category: 'cyber', window: { phrases: ['alpha', 'beta'], chars: 20 } }] });
    expect(classify(ask('beta then alpha'), r, 'm').refused).toBe(true); // span 15
    expect(classify(ask(`alpha ${'x'.repeat(30)} beta`), r, 'm').refused).toBe(false);
    // A far pair does not hide a close one later in the text.
    expect(classify(ask(`alpha ${'x'.repeat(30)} beta .. alpha beta`), r, 'm').refused).toBe(true);
  });

  it('window with ordered: phrases in the given order within N characters', () => {
    const r = rules({ rules: [{ id: 'o', category: 'cyber', window: { phrases: ['character', 'donkey underneath'], chars: 40, ordered: true } }] });
    expect(classify(ask('PICK A CHARACTER OR FOR DONKEY UNDERNEATH'), r, 'm').refused).toBe(true);
    expect(classify(ask('DONKEY UNDERNEATH, CHARACTER'), r, 'm').refused).toBe(false);
    expect(classify(ask(`CHARACTER ${'x'.repeat(40)} DONKEY UNDERNEATH`), r, 'm').refused).toBe(false);
  });

  it('atLeast counts non-overlapping occurrences', () => {
    const r = rules({ rules: [{ id: 'l', category: null, atLeast: { phrase: 'lorem ipsum', count: 3 } }] });
    expect(classify(ask('lorem ipsum lorem ipsum'), r, 'm').refused).toBe(false);
    expect(classify(ask('lorem ipsum lorem ipsum Lorem Ipsum'), r, 'm').refused).toBe(true);
  });

  it('conditions combine: every condition of a rule must hold', () => {
    const r = rules({ rules: [{ id: 'c', category: 'cyber', allOf: ['shell'], atLeast: { phrase: 'payload', count: 2 } }] });
    expect(classify(ask('shell payload'), r, 'm').refused).toBe(false);
    expect(classify(ask('shell payload payload'), r, 'm').refused).toBe(true);
  });

  it('models restricts a rule to some models, with * wildcards', () => {
    const r = rules({ rules: [{ id: 'm', category: 'cyber', models: ['claude-opus-5-*'], allOf: ['exploit'] }] });
    expect(classify(ask('exploit'), r, 'claude-opus-5-5').refused).toBe(true);
    expect(classify(ask('exploit'), r, 'claude-opus-4-8').refused).toBe(false);
    expect(modelMatches('claude-*-4-8', 'claude-opus-4-8')).toBe(true);
    expect(modelMatches('claude-opus-4', 'claude-opus-4-8')).toBe(false);
  });

  it('scope restricts a rule to the system prompt, the conversation or tool results', () => {
    const r = rules({ rules: [{ id: 't', category: 'cyber', scope: 'tool_results', allOf: ['secret sauce'] }] });
    expect(classify(ask('secret sauce'), r, 'm').refused).toBe(false);
    const withTool = ask('', {
      messages: [
        { role: 'user', content: 'read it' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Read', input: { file_path: '/x' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: '1\tthe secret sauce' }] },
      ],
    });
    expect(classify(withTool, r, 'm').refused).toBe(true);
    const sys = rules({ rules: [{ id: 's', category: 'cyber', scope: 'system', allOf: ['be evil'] }] });
    expect(classify(ask('be evil'), sys, 'm').refused).toBe(false);
    expect(classify(ask('hi', { system: [{ type: 'text', text: 'be evil' }] }), sys, 'm').refused).toBe(true);
    // Claude Code's role "system" entries inside messages count as system text.
    const inline = ask('', { messages: [{ role: 'user', content: 'hi' }, { role: 'system', content: [{ type: 'text', text: 'be evil' }] }] });
    expect(classify(inline, sys, 'm').refused).toBe(true);
  });

  it('returns the first matching rule in file order', () => {
    const r = rules({
      rules: [
        { id: 'first', category: 'bio', allOf: ['x'] },
        { id: 'second', category: 'cyber', allOf: ['x'] },
      ],
    });
    expect(classify(ask('x'), r, 'm').rule?.id).toBe('first');
  });

  it('reads text documents and the text operators of base64 PDFs', () => {
    const r = rules({ rules: [{ id: 'd', category: 'general_harms', window: { phrases: ['character', 'donkey underneath'], chars: 40, ordered: true } }] });
    const pdf = Buffer.from(
      '%PDF-1.4\n4 0 obj\n<< /Length 60 >>\nstream\nBT /F1 12 Tf 10 10 Td [(CHARAC) -20 (TER OR FOR DONKEY UNDERNEATH)] TJ ET\nendstream\nendobj\n%%EOF',
      'latin1',
    ).toString('base64');
    const doc = ask('', {
      messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf } }] }],
    });
    expect(classify(doc, r, 'm').refused).toBe(true);
    const text = ask('', {
      messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'character or for donkey underneath' } }] }],
    });
    expect(classify(text, r, 'm').refused).toBe(true);
  });

  it('scope "documents" judges only the text of document blocks: the same words as plain text or a read file pass', () => {
    const r = rules({ rules: [{ id: 'pdf-only', category: 'general_harms', scope: 'documents', allOf: ['donkey underneath'] }] });
    const pdf = Buffer.from('%PDF-1.4\n4 0 obj\n<< /Length 40 >>\nstream\nBT (FOR DONKEY UNDERNEATH) Tj ET\nendstream\nendobj\n%%EOF', 'latin1').toString('base64');
    const document = { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf } };
    expect(classify(ask('', { messages: [{ role: 'user', content: [document] }] }), r, 'm').refused).toBe(true);
    // A PDF that Claude Code read sits in a tool result: still a document.
    const read = ask('', { messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [document] }] }] });
    expect(classify(read, r, 'm').refused).toBe(true);
    expect(classify(ask('for donkey underneath'), r, 'm').refused).toBe(false);
    const textFile = ask('', { messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: '1\tfor donkey underneath' }] }] });
    expect(classify(textFile, r, 'm').refused).toBe(false);
  });

  it('the bundled demo rules refuse the toy ad phrase and a cyber phrase, and pass ordinary text', () => {
    const demo = parseRules(JSON.parse(readFileSync('src/sim/rules/demo.json', 'utf8')));
    expect(classify(ask('(NEW: PICK A CHARACTER OR FOR DONKEY UNDERNEATH) Tj'), demo, 'claude-opus-4-8').rule?.id).toBe('donkey-ad');
    expect(classify(ask('open a reverse shell and exfiltrate the keys'), demo, 'claude-opus-4-8').rule?.category).toBe('cyber');
    expect(classify(ask('refactor this function to use async/await'), demo, 'claude-opus-4-8').refused).toBe(false);
  });
});

describe('parseRules', () => {
  it.each([
    [[], /expected an object/],
    [{}, /rules: expected an array/],
    [{ rules: [{ category: 'cyber', allOf: ['x'] }] }, /rules\[0\]: "id"/],
    [{ rules: [{ id: 'a', category: 'cyber' }] }, /rule "a": needs at least one condition/],
    [{ rules: [{ id: 'a', category: 5, allOf: ['x'] }] }, /rule "a": "category"/],
    [{ rules: [{ id: 'a', category: 'cyber', regex: '(' }] }, /rule "a": "regex" does not compile/],
    [{ rules: [{ id: 'a', category: 'cyber', window: { phrases: ['x'], chars: 0 } }] }, /"window.chars" must be a positive integer/],
    [{ rules: [{ id: 'a', category: 'cyber', scope: 'tools', allOf: ['x'] }] }, /"scope" must be one of system, messages, tool_results/],
    [{ rules: [{ id: 'a', category: 'cyber', allOf: [] }] }, /"allOf" must be a non-empty array/],
    [{ rules: [{ id: 'a', category: 'cyber', allOf: ['x'] }, { id: 'a', category: 'bio', allOf: ['y'] }] }, /rule "a": duplicate id/],
    [{ rules: [{ id: 'a', category: 'cyber', delivery: 'email', allOf: ['x'] }] }, /"delivery" must be/],
  ])('rejects %j with a message naming the problem', (json, message) => {
    expect(() => parseRules(json)).toThrow(message);
  });
});

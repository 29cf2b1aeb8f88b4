import { describe, expect, it } from 'vitest';
import { fragmentsOf, modelFor, readable } from '../../../src/core/reduce/model';
import { reduce } from '../../../src/core/reduce/reducer';
import type { ProbeInput } from '../../../src/core/probe/oracle/types';
import { judge } from '../../../src/core/bisect/run';
import { predicateOracle } from './helpers';

const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');

/** What Claude Code's Read sees of raw PDF data: a `%PDF-` header, page operators, no objects and no xref. */
function rawPageContent(phrase: string): Buffer {
  const lines = ['%PDF-1.4', '%\u00e2\u00e3\u00cf\u00d3'];
  for (let i = 0; i < 40; i++) {
    const words = i === 23 ? `Step two: ${phrase} and then` : `Line ${i} of the quarterly garden report`;
    lines.push('BT', '/F1 11 Tf', `72 ${700 - i * 14} Td`, `[<${hex(words.slice(0, 9))}>-25<${hex(words.slice(9))}>]TJ`, 'ET');
  }
  return Buffer.from(lines.join('\n') + '\n', 'latin1');
}

const asFile = (bytes: Buffer, fileName: string): ProbeInput => ({
  parts: [{ kind: 'file', fileName, mediaType: 'application/pdf', bytes: new Uint8Array(bytes), text: bytes.toString('latin1') }],
});

describe('inputs the PDF model cannot take apart', () => {
  it('cuts raw page content behind a %PDF- header as text, and says why', async () => {
    const input = asFile(rawPageContent('pipe bomb'), 'raw.pdf');
    const model = await modelFor(input.parts[0]!);
    expect(model.kind).toBe('bytes');
    expect(model.levels.at(-1)).toBe('chars');
    expect(model.notes.join(' ')).toMatch(/reduced as text, not as a PDF/);
  });

  it('reduces it to the bytes that hold the trigger, 1-minimal, sent as bytes', async () => {
    const trigger = hex('pipe bomb').slice(0, 12); // the hex of "pipe b" as it sits in the TJ string
    const input = asFile(rawPageContent('pipe bomb'), 'raw.pdf');
    const oracle = predicateOracle((text) => text.includes(trigger));
    const out = await reduce(input, oracle);
    expect(out.status).toBe('reduced');
    expect(out.parts[0]!.minimal).toBe(trigger);
    expect(out.oneMinimal).toBe(true);
    const part = out.minimal.parts[0]!;
    expect(Buffer.from(part.bytes!).toString('latin1')).toBe(trigger);
    expect(fragmentsOf(part)).toEqual([{ offset: input.parts[0]!.text.indexOf(trigger), text: trigger }]);
  });

  it('cuts a file that starts with %PDF- but does not parse as text', async () => {
    const bytes = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R\nhow to make a pipe bomb\n', 'latin1');
    const model = await modelFor(asFile(bytes, 'broken.pdf').parts[0]!);
    expect(model.kind).toBe('bytes');
    expect(model.notes[0]).toMatch(/reduced as text, not as a PDF/);
  });

  it('cuts JSON that does not parse as prose, with a note', async () => {
    const model = await modelFor({ kind: 'file', fileName: 'x.json', text: '{"a": "how to make a pipe bomb", "b": [1, 2' });
    expect(model.levels).not.toContain('json-members');
    expect(model.notes[0]).toMatch(/JSON does not parse/);
  });

  it('shows fragments that were apart in the original with a visible gap', () => {
    expect(readable([{ offset: 0, text: 'CHARACTER' }, { offset: 20, text: 'DONKEY UNDERNEATH' }])).toBe('CHARACTER … DONKEY UNDERNEATH');
    expect(readable([{ offset: 0, text: 'reuse ' }, { offset: 12, text: 'recover' }])).toBe('reuse … recover');
  });
});

describe('the status of a result claims only what was checked', () => {
  const input: ProbeInput = { parts: [{ kind: 'file', text: 'abc def ghi' }] };
  const smaller: ProbeInput = { parts: [{ kind: 'file', text: 'def' }] };
  const done = { status: 'reduced' as const, oneMinimal: true, verification: { refused: 5, of: 5 }, minimal: smaller };

  it('minimal only when every single-unit removal was probed', () => {
    expect(judge(done, input, []).status).toBe('minimal');
    expect(judge({ ...done, oneMinimal: false }, input, [])).toMatchObject({ status: 'partial', oneMinimal: false });
  });

  it('partial when a needed part could only be kept or dropped whole, not-attributable when nothing went', () => {
    const limit = [{ part: 0, why: 'a binary part that is not a PDF: kept or dropped whole' }];
    expect(judge(done, input, limit)).toMatchObject({ status: 'partial', oneMinimal: false });
    expect(judge({ ...done, minimal: input }, input, limit)).toMatchObject({ status: 'not-attributable', oneMinimal: false });
  });

  it('not-attributable when the result does not refuse on verification; stopped and not-refused as they came', () => {
    expect(judge({ ...done, verification: { refused: 2, of: 5 } }, input, []).status).toBe('not-attributable');
    expect(judge({ ...done, status: 'stopped', stoppedEarly: 'budget' }, input, []).status).toBe('stopped');
    expect(judge({ ...done, status: 'not-refused' }, input, []).status).toBe('not-refused');
  });
});

import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RefusalRecord } from '../../../src/core/refusal/record';
import { emptyStats, findRefusal, scanProjects, scanTranscript } from '../../../src/core/transcript/scan';
import { readPartText, rebuildRequest } from '../../../src/core/transcript/parts';
import { GENERATIONS, NOT_REFUSALS } from '../../support/messages';
import { SessionBuilder, tempDir } from '../../support/transcript';

async function collect(iterable: AsyncIterable<RefusalRecord>): Promise<RefusalRecord[]> {
  const out: RefusalRecord[] = [];
  for await (const record of iterable) out.push(record);
  return out;
}

const scan = (path: string, opts = {}) => collect(scanTranscript(path, opts));

describe('scanTranscript: 2.1.328 structured refusals', () => {
  it('turns a fallback chain after a Read into one record naming the file that was read', async () => {
    const s = new SessionBuilder({ model: 'claude-fable-5' });
    const prompt = s.user('Explain what scanner.py does');
    s.read('/home/dev/project/scanner.py', 'import socket\nfor port in range(1, 1024):\n    probe(port)');
    s.system('informational', "Fable 5's safeguards stopped the response above · continuing once with that noted");
    const refused = s.entries.at(-2)!.uuid as string; // the tool-result user message the request ended with
    s.fallback({ originalModel: 'claude-fable-5', fallbackModel: 'claude-opus-4-8', requestId: 'req_011Fable', category: 'cyber', explanation: 'cyber content', content: GENERATIONS.I, refusedUserMessageUuid: refused });
    s.noFallback({ originalModel: 'claude-opus-4-8', requestId: 'req_011CcA1bZ2yX3wV4uT5sR6qP', category: 'cyber', explanation: 'still cyber', refusedUserMessageUuid: refused });
    s.refusal(GENERATIONS.J_2_1_328, { category: 'cyber', explanation: 'still cyber' });
    s.bookkeeping('cost-state', { totalCostUSD: 0.12 });
    const path = s.write();

    const [record, ...rest] = await scan(path);
    expect(rest).toHaveLength(0);
    expect(record).toMatchObject({
      kind: 'safeguards',
      sessionId: s.sessionId,
      transcript: path,
      line: 7,
      cwd: '/home/dev/project',
      claudeCodeVersion: '2.1.328',
      message: GENERATIONS.J_2_1_328,
      refusedUserUuid: prompt,
      refusedPrompt: 'Explain what scanner.py does',
      sessionContinued: false,
    });
    expect(record.models).toEqual([
      { model: 'claude-fable-5', requestId: 'req_011Fable', category: 'cyber', explanation: 'cyber content', fallbackModel: 'claude-opus-4-8' },
      { model: 'claude-opus-4-8', requestId: 'req_011CcA1bZ2yX3wV4uT5sR6qP', messageId: 'msg_01AbCdEfGhIjKlMnOpQrStUv', category: 'cyber', explanation: 'still cyber' },
    ]);
    expect(record.parts.map((p) => [p.kind, p.toolName, p.filePath])).toEqual([
      ['prompt', undefined, undefined],
      ['tool_result', 'Read', '/home/dev/project/scanner.py'],
    ]);
    expect(record.parts[1]).toMatchObject({ source: { line: 3, pointer: '/message/content/0/content' }, size: Buffer.byteLength('1\timport socket\n2\tfor port in range(1, 1024):\n3\t    probe(port)') });
  });

  it('gives the same record the same id on every scan', async () => {
    const s = new SessionBuilder();
    s.user('hi');
    s.refusal(GENERATIONS.J_2_1_328, { category: 'cyber' });
    const path = s.write();
    const [first] = await scan(path);
    const [second] = await scan(path);
    expect(first.id).toBe(second.id);
    expect(first.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('records an automatic fallback the session went on from, with the model it switched to', async () => {
    const s = new SessionBuilder();
    const prompt = s.user('write a fuzzer for my parser');
    s.fallback({ originalModel: 'claude-fable-5', fallbackModel: 'claude-opus-4-8', requestId: 'req_011One', category: 'cyber', content: GENERATIONS.I, refusedUserMessageUuid: prompt });
    s.assistantText('Here is a fuzzer...', 'claude-opus-4-8');
    const [record] = await scan(s.write());
    expect(record).toMatchObject({ kind: 'safeguards', message: GENERATIONS.I, sessionContinued: true, models: [{ model: 'claude-fable-5', fallbackModel: 'claude-opus-4-8' }] });
  });

  it('reports a no-fallback stop without text as a safeguards refusal', async () => {
    const s = new SessionBuilder();
    const prompt = s.user('hello');
    s.noFallback({ originalModel: 'claude-opus-5-5', requestId: 'req_011X', category: 'bio', refusedUserMessageUuid: prompt });
    const [record] = await scan(s.write());
    expect(record).toMatchObject({ kind: 'safeguards', message: '', models: [{ model: 'claude-opus-5-5', requestId: 'req_011X', category: 'bio' }] });
  });
});

describe('scanTranscript: older generations as API error messages', () => {
  it.each([
    ['A', GENERATIONS.A, 'content-filter'],
    ['A (2.1.328 text)', GENERATIONS.A_2_1_328, 'content-filter'],
    ['B', GENERATIONS.B, 'usage-policy'],
    ['C', GENERATIONS.C, 'usage-policy'],
    ['D', GENERATIONS.D, 'usage-policy'],
    ['E', GENERATIONS.E, 'usage-policy'],
    ['F', GENERATIONS.F, 'usage-policy'],
    ['H', GENERATIONS.H, 'safeguards'],
    ['J', GENERATIONS.J, 'safeguards'],
    ['J (can\'t help)', GENERATIONS.J_cant_help, 'safeguards'],
  ])('generation %s is one record', async (_gen, text, kind) => {
    const s = new SessionBuilder({ version: '1.0.88', model: 'claude-sonnet-4-20250514' });
    s.user('first question');
    s.assistantText('an answer');
    s.user('summarise LICENSE');
    s.apiError(text, { requestId: 'req_011Legacy' });
    const [record, ...rest] = await scan(s.write());
    expect(rest).toHaveLength(0);
    expect(record.kind).toBe(kind);
    expect(record.message).toBe(text);
    expect(record.refusedPrompt).toBe('summarise LICENSE');
    expect(record.models[0].requestId).toMatch(/^req_/);
  });

  it('names the model of a legacy error from the label it prints, else from the last real reply', async () => {
    const s = new SessionBuilder({ model: 'claude-sonnet-4-20250514' });
    s.user('q1');
    s.assistantText('a1');
    s.user('q2');
    s.apiError(GENERATIONS.B);
    s.user('q3');
    s.apiError(GENERATIONS.H);
    const records = await scan(s.write());
    expect(records.map((r) => r.models[0].model)).toEqual(['claude-sonnet-4-20250514', 'claude-opus-4-8']);
  });

  it('finds a refused compaction, written as /compact output or as a system entry', async () => {
    const s = new SessionBuilder();
    s.user('<command-name>/compact</command-name>');
    s.user(`<local-command-stderr>${GENERATIONS.G}</local-command-stderr>`);
    s.user('next');
    s.system('informational', GENERATIONS.G);
    const records = await scan(s.write());
    expect(records.map((r) => [r.kind, r.message])).toEqual([
      ['usage-policy', GENERATIONS.G],
      ['usage-policy', GENERATIONS.G],
    ]);
  });

  it('reports a refusal-looking error in unknown words as unrecognised', async () => {
    const s = new SessionBuilder();
    s.user('q');
    s.apiError("API Error: this request was blocked by Anthropic's Usage Policy (https://www.anthropic.com/legal/aup)");
    const [record] = await scan(s.write());
    expect(record.kind).toBe('unrecognised');
  });
});

describe('scanTranscript: no false alarms', () => {
  it.each(Object.entries(NOT_REFUSALS))('%s is not reported', async (_name, text) => {
    const s = new SessionBuilder();
    s.user('q');
    s.apiError(text, { status: 429, error: 'rate_limit' });
    expect(await scan(s.write())).toEqual([]);
  });

  it('ignores a prompt, a file and a reply that quote refusal messages', async () => {
    const s = new SessionBuilder();
    s.user(GENERATIONS.J_2_1_328);
    s.user(`I got this: ${GENERATIONS.B}`);
    s.read('/home/dev/notes/errors.md', `${GENERATIONS.J}\n${GENERATIONS.A}\n"isApiErrorMessage":true`);
    s.assistantText(`${GENERATIONS.J_2_1_328}\n\nThat message means the safeguards flagged your request.`);
    s.attachment({ type: 'file', filename: '/home/dev/notes/errors.md', content: GENERATIONS.G });
    s.user([{ type: 'text', text: `<local-command-stderr>${NOT_REFUSALS.overloaded}</local-command-stderr>` }]);
    expect(await scan(s.write())).toEqual([]);
  });
});

describe('scanTranscript: damaged and growing files', () => {
  it('skips bad lines with a count and ignores an unfinished last line', async () => {
    const s = new SessionBuilder();
    s.user('q');
    s.apiError(GENERATIONS.D);
    const path = s.write();
    // Only lines that pass the byte prefilter are parsed, so only those can be counted as bad.
    appendFileSync(path, '{"type":"assistant","message":{"stop_reason":"refusal", broken\n');
    appendFileSync(path, '{"type":"assistant","isApiErrorMessage":true,"message":{"content":"API Error: Claude Code is unable');
    const stats = emptyStats();
    const records = await scan(path, { stats });
    expect(records).toHaveLength(1);
    expect(stats.badLines).toBe(1);
  });

  it('counts lines right across the 4 MB read buffer and through lines bigger than it', async () => {
    const s = new SessionBuilder();
    s.user('read the big file');
    const big = 'x'.repeat(5 * 1024 * 1024);
    s.read('/big.txt', big);
    for (let i = 0; i < 2000; i++) s.assistantText(`filler ${i} ${'y'.repeat(2000)}`);
    s.user('and now?');
    s.apiError(GENERATIONS.B);
    const [record] = await scan(s.write());
    expect(record.line).toBe(s.entries.length);
    expect(record.refusedPrompt).toBe('and now?');
  });

  it('reads a refused turn whose tool result is bigger than the buffer, and a giant line that is a refusal itself', async () => {
    const s = new SessionBuilder();
    s.user('summarise the log');
    const log = 'z'.repeat(9 * 1024 * 1024);
    s.read('/var/log/huge.log', log);
    s.refusal(GENERATIONS.J_2_1_328, { category: 'cyber' });
    s.user('again, with the text pasted');
    s.apiError(`${GENERATIONS.B} ${'q'.repeat(6 * 1024 * 1024)}`);
    const records = await scan(s.write());
    expect(records.map((r) => [r.line, r.refusedPrompt])).toEqual([
      [4, 'summarise the log'],
      [6, 'again, with the text pasted'],
    ]);
    expect(records[0].parts.find((p) => p.filePath === '/var/log/huge.log')?.size).toBe(log.length + 2);
  });
});

describe('parts: rebuilding the refused request', () => {
  it('reads every part back exactly as the model saw it, in order', async () => {
    const s = new SessionBuilder();
    s.user([
      { type: 'text', text: 'Review this diff and the screenshot' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: Buffer.from('PNGDATA').toString('base64') } },
      { type: 'text', text: '<system-reminder>The user opened auth.ts</system-reminder>' },
    ]);
    s.attachment({ type: 'new_file', filename: '/p/auth.ts', content: 'export const key = 1;' });
    const grep = s.toolUse('Grep', { pattern: 'password', path: '/p' });
    s.toolResult(grep, [{ type: 'text', text: 'auth.ts:3: password = "x"' }]);
    s.read('/p/auth.ts', 'line one\nline two');
    s.refusal(GENERATIONS.J_2_1_328, { category: 'cyber' });
    const [record] = await scan(s.write());

    expect(record.parts.map((p) => p.kind)).toEqual(['prompt', 'image', 'system_reminder', 'attachment', 'tool_result', 'tool_result']);
    expect(record.parts[1]).toMatchObject({ mediaType: 'image/png', size: 7 });
    expect(record.parts[4]).toMatchObject({ toolName: 'Grep', filePath: '/p' });
    expect(await readPartText(record, record.parts[5])).toBe('1\tline one\n2\tline two');

    const request = await rebuildRequest(record);
    expect(request.model).toBe('claude-opus-4-8');
    expect(request.parts.map((p) => p.text)).toEqual([
      'Review this diff and the screenshot',
      'PNGDATA',
      '<system-reminder>The user opened auth.ts</system-reminder>',
      'export const key = 1;',
      'auth.ts:3: password = "x"',
      '1\tline one\n2\tline two',
    ]);
    expect(Buffer.from(request.parts[1].bytes!).toString()).toBe('PNGDATA');
    expect(request.parts[5]).toMatchObject({ toolName: 'Read', filePath: '/p/auth.ts', fileName: 'auth.ts' });
  });

  it('finds a part by line number when lines were inserted before it, and refuses a part whose text changed', async () => {
    const s = new SessionBuilder();
    s.user('the prompt');
    s.apiError(GENERATIONS.B);
    const path = s.write();
    const [record] = await scan(path);
    writeFileSync(path, s.text().replace('the prompt', 'the prompX'));
    await expect(readPartText(record, record.parts[0])).rejects.toThrow(/no longer matches/);
    writeFileSync(path, s.text().replace(/\n[^\n]*$/, '\n') + '');
    const shifted = { ...record, parts: [{ ...record.parts[0], source: { ...record.parts[0].source, offset: 3 } }] };
    expect(await readPartText(shifted, shifted.parts[0])).toBe('the prompt');
  });
});

describe('scanProjects and findRefusal', () => {
  it('walks the projects tree, sub-agent folders included, and honours --since', async () => {
    const dir = tempDir();
    const old = new SessionBuilder({ start: '2026-01-01T00:00:00.000Z' });
    old.user('old');
    old.apiError(GENERATIONS.B);
    old.write(dir);
    const recent = new SessionBuilder({ start: '2026-11-20T00:00:00.000Z' });
    recent.user('recent');
    recent.apiError(GENERATIONS.D);
    recent.write(dir, `-home-dev-other/${recent.sessionId}/subagents/agent-1.jsonl`);

    expect((await collect(scanProjects(dir))).map((r) => r.refusedPrompt).sort()).toEqual(['old', 'recent']);
    const since = await collect(scanProjects(dir, { since: new Date('2026-06-01T00:00:00Z') }));
    expect(since.map((r) => r.refusedPrompt)).toEqual(['recent']);
    expect((await findRefusal(dir, since[0].id))?.refusedPrompt).toBe('recent');
    expect((await findRefusal(dir, since[0].id.slice(0, 8)))?.id).toBe(since[0].id);
    expect(await findRefusal(dir, 'ffffffffffffffff')).toBeUndefined();
    expect(join(dir, 'x')).toContain(dir);
  });
});

describe('scanTranscript: what the record says beyond the refusal itself', () => {
  it('marks a flagged session and keeps a wording nobody has seen, with its text', async () => {
    const s = new SessionBuilder();
    const prompt = s.user('audit this binary');
    s.fallback({ originalModel: 'claude-opus-5-5', fallbackModel: 'claude-opus-4-8', requestId: 'req_011Sess1', scope: 'session', content: 'Opus 5.5 paused this session for review. Opus 4.8 takes over.', refusedUserMessageUuid: prompt });
    s.assistantText('Here is the audit.', 'claude-opus-4-8');
    const [record] = await scan(s.write());
    expect(record).toMatchObject({ scope: 'session', sessionContinued: true, unrecognisedWording: 'Opus 5.5 paused this session for review. Opus 4.8 takes over.' });
  });

  it('leaves unrecognisedWording out when the wording is known', async () => {
    const s = new SessionBuilder();
    s.user('scan');
    s.refusal(GENERATIONS.J_2_1_328, { category: 'cyber' });
    const [record] = await scan(s.write());
    expect(record.unrecognisedWording).toBeUndefined();
    expect(record.scope).toBe('message');
  });

  it('reports a UTF-16 transcript instead of reading nothing from it, and reads one with a UTF-8 byte order mark', async () => {
    const dir = tempDir();
    const s = new SessionBuilder();
    s.user('scan');
    s.refusal(GENERATIONS.J_2_1_328, { category: 'cyber' });
    writeFileSync(join(dir, 'utf16.jsonl'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s.text(), 'utf16le')]));
    writeFileSync(join(dir, 'bom.jsonl'), `\uFEFF${s.text()}`);
    const warnings: string[] = [];
    const stats = emptyStats();
    const records = await collect(scanProjects(dir, { stats, onWarning: (m) => warnings.push(m) }));
    expect(records.map((r) => r.transcript)).toEqual([join(dir, 'bom.jsonl')]);
    expect(stats.unreadable).toBe(1);
    expect(warnings).toEqual([expect.stringContaining('utf16.jsonl is UTF-16')]);
  });

  it('hashes and previews a large tool result from slices, the same as hashing it whole', async () => {
    const s = new SessionBuilder();
    s.user('read the log');
    // Astral characters across the 1 MiB slice boundaries: a slice must not split a surrogate pair.
    const big = `${'log line ✓ 🙂 '.repeat(200_000)}end`;
    s.read('/home/dev/project/big.log', big);
    s.refusal(GENERATIONS.J_2_1_328, { category: 'cyber' });
    const [record] = await scan(s.write());
    const part = record.parts.find((p) => p.filePath === '/home/dev/project/big.log')!;
    const numbered = big.split('\n').map((l, i) => `${i + 1}\t${l}`).join('\n');
    const { createHash } = await import('node:crypto');
    expect(part.size).toBe(Buffer.byteLength(numbered));
    expect(part.sha256).toBe(createHash('sha256').update(numbered).digest('hex'));
    expect(part.preview.length).toBeLessThanOrEqual(80);
  });
});

/**
 * The system prompt of a refused request, from transcripts the real Claude Code (2.1.328, 2.1.332) wrote against the
 * stand-in: the record points at the latest prompt_snapshot before the refused request, and the rebuilt request
 * carries exactly what Claude Code sent as `system` (the api-request-shape entry of the same transcript is the wire
 * truth to compare with).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inputFromSource } from '../../../src/core/bisect/source';
import { ApiOracle } from '../../../src/core/probe/oracle/api';
import { estimateTextTokens } from '../../../src/core/probe/oracle/estimate';
import { MINIMAL_SYSTEM, systemText } from '../../../src/core/probe/oracle/types';
import type { RefusalRecord } from '../../../src/core/refusal/record';
import { rebuildRequest } from '../../../src/core/transcript/parts';
import { scanTranscript } from '../../../src/core/transcript/scan';
import { startSim } from '../../../src/sim/server';
import type { MessagesRequestBody } from '../../../src/sim/types';

const ROOT = join(__dirname, '../../fixtures/claude-code');

async function refusals(path: string): Promise<RefusalRecord[]> {
  const records: RefusalRecord[] = [];
  for await (const record of scanTranscript(path)) records.push(record);
  return records;
}

interface Line {
  type?: string;
  attachment?: { type?: string };
  shape?: { system?: Array<{ type: string; text: string }> };
}

const linesOf = (path: string): Line[] => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);

/** The text blocks Claude Code put in the request's `system` (its last api-request-shape before `line`). */
function wireSystem(path: string, line: number): string[] {
  const shape = linesOf(path).slice(0, line).filter((l) => l.type === 'api-request-shape').at(-1);
  return shape!.shape!.system!.map((b) => b.text);
}

/** 1-based line numbers of the prompt snapshots in a transcript. */
function snapshotLines(path: string): number[] {
  return linesOf(path).flatMap((l, i) => (l.attachment?.type === 'prompt_snapshot' ? [i + 1] : []));
}

let tmp: string | undefined;
afterEach(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

describe('the refused request keeps its system prompt', () => {
  // print: `claude -p` (Agent SDK identity); tui: the interactive CLI; read: refused after a Read (two snapshots, the
  // later one is the refused request's); passed-then-refused: the second turn has no snapshot of its own.
  const cases = [
    { file: 'print-refused-cyber.jsonl', snapshot: 0 },
    { file: 'print-read-refused.jsonl', snapshot: 1 },
    { file: 'tui-refused-fallback.jsonl', snapshot: 0 },
    { file: 'tui-passed-then-refused.jsonl', snapshot: 1 },
    { file: '2.1.332/print-read-refused.jsonl', snapshot: 1 },
  ];
  it.each(cases)('$file: the record points at the latest snapshot before the refusal, the rebuilt request sends it as Claude Code did', async ({ file, snapshot }) => {
    const path = join(ROOT, file);
    const [record] = await refusals(path);
    expect(record?.system).toBeDefined();
    const system = record!.system!;
    expect(system.source.pointer).toBe('/attachment/systemPrompt');
    expect(system.source.line).toBe(snapshotLines(path)[snapshot]);

    const rebuilt = await rebuildRequest(record!);
    expect(rebuilt.system).toEqual(wireSystem(path, record!.line));
    // The record digests the blocks as one text, joined by a blank line.
    expect(Buffer.byteLength(systemText(rebuilt.system), 'utf8')).toBe(system.size);
    // The parts are what they were: the system prompt is context, not one more part to reduce.
    expect(rebuilt.parts.some((p) => p.text.includes(systemText(rebuilt.system).slice(0, 200)))).toBe(false);
  });

  it('every refusal in the fixtures of both versions is rebuilt with the system prompt Claude Code sent', async () => {
    let checked = 0;
    for (const dir of [ROOT, join(ROOT, '2.1.332')]) {
      for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
        for (const record of await refusals(join(dir, name))) {
          expect((await rebuildRequest(record)).system, name).toEqual(wireSystem(join(dir, name), record.line));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it("says so in the result's original: the system prompt's size in tokens, from the transcript", async () => {
    const [record] = await refusals(join(ROOT, 'print-refused-cyber.jsonl'));
    const { input, original } = await inputFromSource({ kind: 'refusal', refusal: record! });
    expect(systemText(input.system)).toContain('You must treat information you learn about the user and their project as private.');
    expect(original.system).toMatch(/^system prompt: ~[\d,]+ tokens \([\d,]+ bytes\) from the transcript$/);
    expect(original.system).toContain(`(${record!.system!.size.toLocaleString('en-US')} bytes)`);
    // The same estimator as every probe's estimate (src/core/tokens.ts): 7,164 bytes of mostly ASCII, 4 to a token.
    expect(original.system).toContain(`~${estimateTextTokens(systemText(input.system)).toLocaleString('en-US')} tokens`);
    expect(original.system).toMatch(/^system prompt: ~1,79\d tokens \(7,164 bytes\)/);
  });

  it("counts the system prompt in every probe's estimate (it is sent with each one)", async () => {
    const [record] = await refusals(join(ROOT, 'print-refused-cyber.jsonl'));
    const { input } = await inputFromSource({ kind: 'refusal', refusal: record! });
    // Nothing is sent: the estimate is computed before any probe.
    const oracle = new ApiOracle({ apiKey: 'sk-ant-test', baseUrl: 'http://127.0.0.1:9' });
    const { system: _system, ...without } = input;
    const withSystem = oracle.estimate(input).inputTokens;
    const withDefault = oracle.estimate(without).inputTokens;
    expect(withSystem - withDefault).toBe(estimateTextTokens(systemText(input.system)) - estimateTextTokens(MINIMAL_SYSTEM));
    expect(withSystem - withDefault).toBeGreaterThan(1_500);
  });

  it('refuses to rebuild from a transcript whose snapshot changed since the scan (sha256 check)', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'aup-system-'));
    const copy = join(tmp, 'session.jsonl');
    writeFileSync(copy, readFileSync(join(ROOT, 'print-refused-cyber.jsonl')));
    const [record] = await refusals(copy);
    // Same length, one word changed: the offsets still fit, only the hash tells.
    writeFileSync(copy, readFileSync(copy, 'utf8').replace('treat information you learn', 'treat informatioN you learn'));
    await expect(rebuildRequest(record!)).rejects.toThrow(/the system prompt of refusal \w+ no longer matches .*session\.jsonl:13/);
  });

  it('a transcript without prompt snapshots (older Claude Code) rebuilds as before, with no system prompt, and the result says so', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'aup-system-'));
    const copy = join(tmp, 'session.jsonl');
    const lines = readFileSync(join(ROOT, 'print-refused-cyber.jsonl'), 'utf8').split('\n');
    writeFileSync(copy, lines.filter((l) => !l.includes('"type":"prompt_snapshot"')).join('\n'));
    const [record] = await refusals(copy);
    expect(record?.system).toBeUndefined();
    const { input, original } = await inputFromSource({ kind: 'refusal', refusal: record! });
    expect(input.system).toBeUndefined();
    expect(original.system).toBe("system prompt: none in the transcript (no prompt snapshot before the refused request): probes carry the oracle's default");
  });
});

describe('a replay sends the system prompt as Claude Code did', () => {
  it.each(['print-read-refused.jsonl', 'tui-refused-fallback.jsonl', '2.1.332/print-refused-cyber.jsonl'])(
    '%s: the body the stand-in receives has the same system blocks as the request in the transcript',
    async (file) => {
      const path = join(ROOT, file);
      const [record] = await refusals(path);
      const input = await rebuildRequest(record!);
      const bodies: MessagesRequestBody[] = [];
      const sim = await startSim({ onBody: (_, body) => bodies.push(body) });
      try {
        const oracle = new ApiOracle({ apiKey: 'sk-ant-api03-FAKE-system-blocks', baseUrl: sim.url, model: 'claude-opus-5-5', retryBaseMs: 50 });
        await oracle.probe(input);
        const wire = linesOf(path).slice(0, record!.line).filter((l) => l.type === 'api-request-shape').at(-1)!.shape!.system!;
        expect(bodies).toHaveLength(1);
        // Block for block, nothing added (no cache_control, no extra block): the identity line, then the sections.
        expect(bodies[0]!.system).toEqual(wire);
        expect(wire).toHaveLength(2);
      } finally {
        await sim.close();
      }
    },
  );
});

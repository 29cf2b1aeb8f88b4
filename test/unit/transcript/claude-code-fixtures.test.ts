/**
 * Transcripts and terminal captures written by the real Claude Code CLI against the loopback Messages API stand-in
 * (made by `npm run fixtures:claude-code`): the pinned 2.1.328 in test/fixtures/claude-code, newer releases in a
 * folder named after the version beside them (CLAUDE_CODE_VERSION=2.1.332 npm run fixtures:claude-code). Each
 * manifest says what its sessions did; the detector must find exactly that, for every version.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RefusalRecord } from '../../../src/core/refusal/record';
import { matchPrintResult, type PrintResult } from '../../../src/core/refusal/signatures';
import type { TerminalRefusal } from '../../../src/core/refusal/record';
import { TerminalRefusalScanner } from '../../../src/core/refusal/terminal';
import { detectRefusals } from '../../../src/core/refusal/detect';
import { rebuildRequest } from '../../../src/core/transcript/parts';
import { scanTranscript } from '../../../src/core/transcript/scan';

const ROOT = join(__dirname, '../../fixtures/claude-code');
const VERSION_DIRS = [ROOT, ...readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(ROOT, d.name, 'manifest.json'))).map((d) => join(ROOT, d.name))];

interface Fixture {
  name: string;
  mode: 'print' | 'interactive';
  files: { transcripts: string[]; result?: string; terminal?: string };
  prompts: string[];
  readFile?: string;
  cwd: string;
  sessionId: string;
  refused: boolean;
  expectedKind: string | null;
  category: string | null;
  sessionContinued: boolean;
  requests: Array<{ model: string; verdict: string; requestId: string }>;
  refusingModels: string[];
  terminal?: { cols: number; rows: number };
}

async function scanAll(DIR: string, fixture: Fixture): Promise<RefusalRecord[]> {
  const records: RefusalRecord[] = [];
  for (const file of fixture.files.transcripts) for await (const record of scanTranscript(join(DIR, file))) records.push(record);
  return records;
}

function terminalRefusals(data: string, fixture: Fixture, chunks: number[] = []): TerminalRefusal[] {
  const scanner = new TerminalRefusalScanner({ cols: fixture.terminal!.cols, rows: fixture.terminal!.rows });
  const found: TerminalRefusal[] = [];
  let from = 0;
  for (const at of [...chunks, data.length]) {
    found.push(...scanner.write(data.slice(from, at)));
    from = at;
  }
  found.push(...scanner.end());
  return found;
}

for (const DIR of VERSION_DIRS) {
  const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as { claudeCodeVersion: string; fixtures: Fixture[] };

  describe.each(manifest.fixtures)(`real Claude Code ${manifest.claudeCodeVersion} transcript: $name`, (fixture) => {
    it(fixture.refused ? `is one ${fixture.expectedKind} record matching what the stand-in saw` : 'has no refusal', async () => {
      const records = await scanAll(DIR, fixture);
      if (!fixture.refused) {
        expect(records).toEqual([]);
        return;
      }
      expect(records).toHaveLength(1);
      const [record] = records;
      expect(record).toMatchObject({
        kind: fixture.expectedKind,
        sessionId: fixture.sessionId,
        cwd: fixture.cwd,
        claudeCodeVersion: manifest.claudeCodeVersion,
        refusedPrompt: fixture.prompts.at(-1),
        sessionContinued: fixture.sessionContinued,
      });
      expect(record.models.map((m) => m.model)).toEqual(fixture.refusingModels);
      const refusedIds = fixture.requests.filter((r) => r.verdict === 'refused').map((r) => r.requestId);
      for (const model of record.models) expect(refusedIds).toContain(model.requestId);
      if (fixture.category) expect(record.models.at(-1)?.category).toBe(fixture.category);
      expect(record.message).not.toBe('');
    });

    it.runIf(fixture.refused)('rebuilds the refused request part by part, prompt first', async () => {
      const [record] = await scanAll(DIR, fixture);
      const request = await rebuildRequest(record);
      expect(request.parts[0]).toMatchObject({ kind: 'prompt', text: fixture.prompts.at(-1) });
      expect(request.parts.map((p) => p.kind)).toEqual(record.parts.map((p) => p.kind));
      expect(request.model).toBe(fixture.refusingModels[0]);
      if (fixture.readFile) {
        const read = record.parts.find((p) => p.kind === 'tool_result' || p.kind === 'document');
        expect(read).toMatchObject({ toolName: 'Read', filePath: fixture.readFile });
      }
    });
  });

  describe.each(manifest.fixtures.filter((f) => f.files.result))(`real claude -p ${manifest.claudeCodeVersion} JSON result: $name`, (fixture) => {
    it(fixture.refused ? 'is a refusal of the expected kind' : 'is not a refusal', () => {
      const result = JSON.parse(readFileSync(join(DIR, fixture.files.result!), 'utf8')) as PrintResult;
      const match = matchPrintResult(result);
      if (!fixture.refused) return expect(match).toBeUndefined();
      expect(match).toMatchObject({ kind: fixture.expectedKind, sessionContinued: fixture.sessionContinued });
    });

    it('is what detect reads from the same file', () => {
      const found = detectRefusals(readFileSync(join(DIR, fixture.files.result!), 'utf8'));
      expect(found.map((f) => f.kind)).toEqual(fixture.refused ? [fixture.expectedKind] : []);
    });
  });

  describe.each(manifest.fixtures.filter((f) => f.files.terminal))(`real Claude Code ${manifest.claudeCodeVersion} terminal capture: $name`, (fixture) => {
    const data = readFileSync(join(DIR, fixture.files.terminal!), 'utf8');

    it('reports the refusals the screen showed, each once, with request id and category', () => {
      const found = terminalRefusals(data, fixture);
      expect(found.length).toBeGreaterThan(0);
      const last = found.at(-1)!;
      expect(last.kind).toBe(fixture.expectedKind);
      if (fixture.category) expect(last.category).toBe(fixture.category);
      expect(last.sessionContinued).toBe(fixture.sessionContinued);
      if (!fixture.sessionContinued && fixture.expectedKind === 'safeguards') {
        expect(last.requestId).toBe(fixture.requests.filter((r) => r.verdict === 'refused').at(-1)!.requestId);
      }
      expect(new Set(found.map((f) => f.message)).size).toBe(found.length);
    });

    it('finds the same whatever offset the stream is split at', () => {
      const whole = terminalRefusals(data, fixture);
      for (let k = 1; k < data.length; k += 31) expect(terminalRefusals(data, fixture, [k]), `split at ${k}`).toEqual(whole);
      const pieces = Array.from({ length: Math.floor(data.length / 97) }, (_, i) => (i + 1) * 97);
      expect(terminalRefusals(data, fixture, pieces)).toEqual(whole);
    });
  });
}

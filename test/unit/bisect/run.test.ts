import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareBisect, runBisect, type BisectProgress } from '../../../src/core/bisect/run';
import { CommandOracle } from '../../../src/core/probe/oracle/command';
import type { Oracle } from '../../../src/core/probe/oracle/types';
import type { RefusalRecord } from '../../../src/core/refusal/record';
import { scanProjects } from '../../../src/core/transcript/scan';
import { createSimOracle, simOracleFactories as oracles } from '../../../src/sim/oracle';

const PHRASE = 'donkey underneath';
const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'aup-bisect-run-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** ~20 KB of harmless lines with the trigger phrase on one of them. */
function haystack(lines = 400, at = 237): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(i === at ? `line ${i}: a plush toy with a ${PHRASE} it, for ages 3+` : `line ${i}: an ordinary sentence about toys and boxes number ${i}.`);
  return `${out.join('\n')}\n`;
}

describe('runBisect', () => {
  it('shrinks a file to the trigger with a test command, fills every result field, and a re-run pays nothing', async () => {
    const dir = await tempDir();
    const file = join(dir, 'catalogue.txt');
    await writeFile(file, haystack());
    const cache = join(dir, 'cache');
    const events: BisectProgress[] = [];
    const first = await runBisect({
      source: { kind: 'file', path: file },
      oracle: { kind: 'command', command: `grep -q "${PHRASE}"` },
      cache,
      onProgress: (e) => events.push(e),
    });
    expect(first.status).toBe('minimal');
    expect(first.minimal).toBe(PHRASE);
    expect(first.oneMinimal).toBe(true);
    expect(first.verification.refused).toBe(first.verification.of);
    expect(first.verification.of).toBeGreaterThan(0);
    expect(first.probes).toBeGreaterThan(5);
    expect(first.cachedProbes).toBe(0);
    expect(first.bytesSent).toBeGreaterThan(0);
    expect(first.oracle).toBe('command');
    expect(first.original).toMatchObject({ path: file, fileName: 'catalogue.txt', size: Buffer.byteLength(haystack()) });
    expect(first.original.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(first.parts).toEqual([expect.objectContaining({ index: 0, kind: 'file', needed: true, minimal: PHRASE })]);
    expect(first.elapsedMs).toBeGreaterThan(0);
    expect(Date.parse(first.date)).not.toBeNaN();
    // Progress: starts at the original size, ends at the trigger's, counts paid probes.
    expect(events[0]).toMatchObject({ phase: 'start', currentSize: first.original.size, probes: 0 });
    expect(events.at(-1)!.currentSize).toBe(PHRASE.length);
    expect(events.at(-1)!.probes).toBe(first.probes);

    const second = await runBisect({ source: { kind: 'file', path: file }, oracle: { kind: 'command', command: `grep -q "${PHRASE}"` }, cache });
    expect(second.minimal).toBe(PHRASE);
    expect(second.probes).toBe(0);
    expect(second.cachedProbes).toBe(first.probes);
  });

  it('reports an original that is not refused (CLI exit 2)', async () => {
    const dir = await tempDir();
    const file = join(dir, 'fine.txt');
    await writeFile(file, 'nothing to see here\n');
    const run = await runBisect({ source: { kind: 'file', path: file }, oracle: { kind: 'command', command: `grep -q "${PHRASE}"` }, cache: false });
    expect(run.status).toBe('not-refused');
    expect(run.minimal).toBe('');
    expect(run.stoppedEarly).toMatch(/not refused/);
  });

  it('stops at the probe budget with the smallest refused candidate so far, and resumes from the cache', async () => {
    const dir = await tempDir();
    const file = join(dir, 'catalogue.txt');
    await writeFile(file, haystack());
    const cache = join(dir, 'cache');
    const oracle = { kind: 'command' as const, command: `grep -q "${PHRASE}"` };
    const stopped = await runBisect({ source: { kind: 'file', path: file }, oracle, cache, budget: { maxProbes: 8 } });
    expect(stopped.status).toBe('stopped');
    expect(stopped.probes).toBe(8);
    expect(stopped.stoppedEarly).toMatch(/budget/);
    expect(stopped.minimal).toContain(PHRASE);
    expect(stopped.minimal.length).toBeLessThan(haystack().length);

    const resumed = await runBisect({ source: { kind: 'file', path: file }, oracle, cache });
    expect(resumed.status).toBe('minimal');
    expect(resumed.cachedProbes).toBeGreaterThanOrEqual(8);
    expect(resumed.minimal).toBe(PHRASE);
  });

  it('keeps the best candidate when cancelled mid-run', async () => {
    const dir = await tempDir();
    const file = join(dir, 'catalogue.txt');
    await writeFile(file, haystack());
    const controller = new AbortController();
    let answers = 0;
    const run = await runBisect({
      source: { kind: 'file', path: file },
      oracle: { kind: 'command', command: `grep -q "${PHRASE}"` },
      cache: false,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.lastAnswer && ++answers === 10) controller.abort();
      },
    });
    expect(run.status).toBe('stopped');
    expect(run.probes).toBe(10);
    expect(run.minimal).toContain(PHRASE);
    expect(Buffer.byteLength(run.minimal)).toBeLessThan(run.original.size);
  });

  it('probes through the Messages API stand-in (--oracle sim) with the official SDK', async () => {
    const dir = await tempDir();
    const file = join(dir, 'ad.txt');
    const filler = Array.from({ length: 60 }, (_, i) => `Paragraph ${i} describes the colours of the box.`).join('\n');
    await writeFile(file, `${filler}\nThe character sits with a donkey underneath the table.\n${filler}\n`);
    const run = await runBisect({ source: { kind: 'file', path: file }, oracle: { kind: 'sim' }, oracles, cache: false, concurrency: 2 });
    expect(run.status).toBe('minimal');
    expect(run.oracle).toBe('sim');
    expect(run.minimal).toMatch(/^character.*donkey underneath$/);
    expect(run.inputTokens).toBeGreaterThan(0);
    expect(run.costUsd).toBeGreaterThan(0);
  });

  it('writes the minimal candidate of a PDF as a valid PDF next to the result', async () => {
    const dir = await tempDir();
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    const page = doc.addPage([600, 800]);
    const lines = ['Toy catalogue, spring edition', 'Colourful blocks for toddlers', 'A plush character with a donkey underneath', 'Wooden train set, 40 pieces'];
    lines.forEach((line, i) => page.drawText(line, { x: 40, y: 750 - i * 20, size: 12, font }));
    const file = join(dir, 'ad.pdf');
    await writeFile(file, await doc.save());
    const run = await runBisect({ source: { kind: 'file', path: file }, oracle: { kind: 'sim' }, oracles, cache: false, outDir: join(dir, 'out') });
    expect(run.status).toBe('minimal');
    expect(run.original.mediaType).toBe('application/pdf');
    expect(run.minimalFile).toBe(join(dir, 'out', 'ad.minimal.pdf'));
    const minimal = await PDFDocument.load(await readFile(run.minimalFile!));
    expect(minimal.getPageCount()).toBeGreaterThan(0);
  });

  it('accepts an oracle instance and leaves it open for the caller', async () => {
    const oracle = new CommandOracle({ command: 'grep -q needle' });
    const run = await runBisect({ source: { kind: 'text', text: 'hay hay needle hay' }, oracle, cache: false });
    expect(run.minimal).toBe('needle');
    expect(run.original.size).toBe(18);
    expect(run.refusal).toBeUndefined();
    // Still usable after the run: runBisect closes only the oracles it created.
    expect((await oracle.probe({ parts: [{ kind: 'prompt', text: 'needle' }] })).refused).toBe(true);
  });

  it('leaves a stand-in it was given running, so the caller can read its log and close it', async () => {
    const oracle = await createSimOracle();
    try {
      const run = await runBisect({ source: { kind: 'text', text: 'they open a reverse shell to exfiltrate the keys' }, oracle, cache: false });
      expect(run.minimal).toMatch(/reverse shell.*exfiltrate/);
      expect(oracle.stats().requests).toBe(run.probes);
      expect((await oracle.probe({ parts: [{ kind: 'prompt', text: run.minimal }] })).refused).toBe(true);
    } finally {
      await oracle.close();
    }
  });
});

/** The refusal Claude Code 2.1.328 recorded after a refused Read (a real transcript), under DIR/claude/projects. */
async function fixtureRefusal(dir: string): Promise<RefusalRecord> {
  const project = join(dir, 'claude', 'projects', '-tmp-work');
  await mkdir(project, { recursive: true });
  await copyFile(join(__dirname, '../../fixtures/claude-code/print-read-refused.jsonl'), join(project, '8b07e733-ee84-48e7-8594-6df8a36e8d07.jsonl'));
  const records: RefusalRecord[] = [];
  for await (const record of scanProjects(join(dir, 'claude', 'projects'))) records.push(record);
  expect(records).toHaveLength(1);
  return records[0]!;
}

describe('runBisect from a refusal', () => {
  it('rebuilds the refused request from a real Claude Code transcript and bisects inside the offending part', async () => {
    const dir = await tempDir();
    const project = join(dir, 'claude', 'projects', '-tmp-work');
    const records = [await fixtureRefusal(dir)];
    const run = await runBisect({ source: { kind: 'refusal-id', id: records[0]!.id, claudeDir: join(dir, 'claude') }, oracle: { kind: 'sim' }, oracles, cache: false });
    expect(run.status).toBe('minimal');
    // The model of the refused turn, the first one that refused.
    expect(run.model).toBe('claude-opus-5-5');
    expect(run.refusal?.id).toBe(records[0]!.id);
    expect(run.original.path).toBe(join(project, '8b07e733-ee84-48e7-8594-6df8a36e8d07.jsonl'));
    // The demo rule "cyber-exfil": "reverse shell" and "exfiltrate" within 200 characters, found in the Read result.
    expect(run.minimal).toMatch(/reverse shell[\s\S]*exfiltrate|exfiltrate[\s\S]*reverse shell/);
    const needed = run.parts.filter((p) => p.needed);
    expect(needed.map((p) => p.kind)).toEqual(['tool_result']);
    expect(run.parts.length).toBeGreaterThan(1);
  });

  it('carries the refusal record the caller passes (the extension) and names its transcript as the original', async () => {
    const refusal = await fixtureRefusal(await tempDir());
    const run = await runBisect({
      source: { kind: 'refusal', refusal }, oracle: new CommandOracle({ command: 'grep -q "reverse shell"' }), cache: false,
    });
    expect(run.refusal).toEqual(refusal);
    expect(run.original.path).toBe(refusal.transcript);
  });

  it('says how to list ids when the refusal is unknown', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'projects'), { recursive: true });
    await expect(runBisect({ source: { kind: 'refusal-id', id: 'nope', claudeDir: dir }, oracle: { kind: 'sim' }, oracles, cache: false }))
      .rejects.toMatchObject({ kind: 'not-found', hint: expect.stringMatching(/aup-bisect scan/) });
  });
});

describe('prepareBisect', () => {
  it('builds the input and the estimate before any probe, and closes the oracle it created when not run', async () => {
    let probes = 0;
    let closed = 0;
    const oracle: Oracle = {
      name: 'api',
      probe: () => {
        probes++;
        return Promise.reject(new Error('not expected'));
      },
      estimate: () => ({ inputTokens: 100, outputTokens: 1, costUsd: 0.001 }),
      close: async () => {
        closed++;
      },
    };
    const job = await prepareBisect({ source: { kind: 'text', text: 'a needle' }, oracle, cache: false, budget: { maxProbes: 20 } });
    // 12-33 for the reduction of 8 bytes at the API's 2 in flight, plus 3 runs of the one reproduction a prompt gets
    // (the trigger as the user message).
    expect(job.estimate).toMatchObject({ paid: true, probes: { low: 15, high: 36 } });
    expect(job.estimate.line).toMatch(/^api: Each probe sends about 100 input tokens .* The budget stops the run at 20 paid probes;.* includes 3 probes of the reproductions/);
    await job.close();
    await job.close();
    expect(probes).toBe(0);
    // The caller's own oracle stays open: only oracles created from a config are closed.
    expect(closed).toBe(0);
  });
});

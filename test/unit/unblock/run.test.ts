import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBisect } from '../../../src/core/bisect/run';
import { runUnblock } from '../../../src/core/unblock/unblock';
import { createSimOracle } from '../../../src/sim/oracle';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('runUnblock', () => {
  it('leaves a stand-in it was given running, so the caller can read its log and probe again', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'aup-unblock-run-'));
    dirs.push(dir);
    const file = path.join(dir, 'notes.txt');
    await writeFile(file, 'the lab: they open a reverse shell to exfiltrate the keys, then write it up\n');
    const oracle = await createSimOracle();
    try {
      const result = await runBisect({ source: { kind: 'file', path: file }, oracle, cache: false });
      const before = oracle.stats().requests;
      const run = await runUnblock({ result, oracle, cache: false });
      expect(run.status).toBe('passes');
      expect(oracle.stats().requests).toBe(before + run.probes);
      // Still usable: runUnblock closes only the oracles it created.
      expect((await oracle.probe({ parts: [{ kind: 'prompt', text: result.minimal }] })).refused).toBe(true);
    } finally {
      await oracle.close();
    }
  });

  it('unblocks a bisected selection in place: only its range is rewritten (after a backup), and a changed selection is refused', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'aup-unblock-selection-'));
    dirs.push(dir);
    const file = path.join(dir, 'notes.md');
    // A byte order mark, which an editor's offsets do not count.
    const shown = 'intro: the lab notes\nthey open a reverse shell to exfiltrate the keys\noutro: a reverse shell, again\n';
    await writeFile(file, `\uFEFF${shown}`);
    const selected = shown.split('\n')[1]!;
    const start = shown.indexOf(selected);
    const oracle = await createSimOracle();
    try {
      const result = await runBisect({ source: { kind: 'text', text: selected, fileName: 'notes.md', filePath: file, selection: { start } }, oracle, cache: false });
      expect(result.original.selection).toEqual({ start, end: start + selected.length });
      const run = await runUnblock({ result, oracle, cache: false, replace: true });
      expect(run.status).toBe('passes');
      expect(run.written.backup).toBe(`${file}.orig`);
      const now = await readFile(file, 'utf8');
      // Around the selection, byte for byte as it was (the trigger outside the selection stays: it was not selected).
      expect(now).toBe(`\uFEFF${shown.slice(0, start)}${run.selection!.sanitized}${shown.slice(start + selected.length)}`);
      expect(run.selection!.sanitized).not.toMatch(/reverse shell.*exfiltrate/);
      expect(await readFile(`${file}.orig`, 'utf8')).toBe(`\uFEFF${shown}`);

      // The selected text changed since: refused before anything is probed.
      await writeFile(file, shown.replace('they open', 'we open'));
      const probes = oracle.stats().requests;
      await expect(runUnblock({ result, oracle, cache: false })).rejects.toMatchObject({ kind: 'bad-request', message: expect.stringMatching(/selected text in .* changed since the bisect/) });
      expect(oracle.stats().requests).toBe(probes);
    } finally {
      await oracle.close();
    }
  });
});

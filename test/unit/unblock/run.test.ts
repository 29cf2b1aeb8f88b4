import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
});

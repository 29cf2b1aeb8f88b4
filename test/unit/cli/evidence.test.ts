import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register as registerBisect } from '../../../src/cli/commands/bisect';
import { evidenceCommand, register as registerEvidence, type EvidenceFlags } from '../../../src/cli/commands/evidence';
import { register as registerUnblock } from '../../../src/cli/commands/unblock';
import { modelList, probeOptions } from '../../../src/cli/probeOptions';
import type { BisectResult } from '../../../src/core/bisect/result';
import { loadResult } from '../../fixtures/report/load';
import { captureIo } from '../../support/cli-io';

const SHARED = ['--test', '--oracle', '--model', '--concurrency', '--max-probes', '--max-tokens', '--max-usd', '--rules', '--noise', '--base-url', '--claude-bin', '--timeout', '--prices', '--cache-dir', '--no-cache'];

describe('the options every probing command shares', () => {
  const program = new Command();
  registerBisect(program);
  registerUnblock(program);
  registerEvidence(program);

  it('are declared once and offered alike by bisect, unblock and evidence', () => {
    for (const name of ['bisect', 'unblock', 'evidence']) {
      const longs = program.commands.find((c) => c.name() === name)!.options.map((o) => o.long);
      expect(longs, name).toEqual(expect.arrayContaining(SHARED));
    }
    const bisect = program.commands.find((c) => c.name() === 'bisect')!;
    expect(bisect.options.map((o) => o.long)).toEqual(expect.arrayContaining(['--models', '--evidence-runs']));
  });

  it('read into core\'s probe options: the oracle, the budget, the concurrency and the cache', () => {
    const options = probeOptions({ oracle: 'sim', concurrency: '2', maxProbes: '40', maxUsd: '0.5', cache: false }, {});
    expect(options.oracle).toMatchObject({ kind: 'sim' });
    expect(options.budget).toEqual({ maxProbes: 40, maxInputTokens: undefined, maxUsd: 0.5 });
    expect(options.concurrency).toBe(2);
    expect(options.cache).toBe(false);
    expect(options.oracles?.sim).toBeTypeOf('function');
    // "auto" (bisect's and evidence's default) leaves the number to core: the oracle's own.
    expect(probeOptions({ oracle: 'sim', concurrency: 'auto', cache: true }, {}).concurrency).toBeUndefined();
    expect(() => probeOptions({ oracle: 'sim', concurrency: 'many', cache: true }, {})).toThrow('--concurrency must be a whole number >= 1 or auto, got "many"');
    expect(() => probeOptions({ oracle: 'api', rules: 'r.json', concurrency: '1', cache: true }, {})).toThrow('--rules and --noise only apply to --oracle sim');
  });

  it('parse --models as a comma-separated list, trimmed, without repeats', () => {
    expect(modelList(' claude-opus-5-5, claude-opus-4-8,,claude-opus-5-5 ')).toEqual(['claude-opus-5-5', 'claude-opus-4-8']);
    expect(() => modelList(' , ')).toThrow('--models needs at least one model id');
  });
});

describe('aup-bisect evidence RESULT.json', () => {
  let dir: string;
  const rules = { rules: [{ id: 'shell-opus5', category: 'cyber', models: ['claude-opus-5-*'], allOf: ['reverse shell'] }] };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aup-evidence-cli-'));
    await writeFile(join(dir, 'rules.json'), JSON.stringify(rules));
    await writeFile(join(dir, 'result.json'), JSON.stringify(loadResult({ oracle: 'sim', model: 'claude-opus-5-5', refusal: undefined })));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function run(flags: Partial<EvidenceFlags>): Promise<{ code: number; stdout: string; stderr: string }> {
    const io = captureIo();
    const code = await evidenceCommand(join(dir, 'result.json'), { runs: '3', concurrency: '2', cache: false, rules: join(dir, 'rules.json'), ...flags }, io);
    return { code, stdout: io.out(), stderr: io.err() };
  }

  it('replays the trigger on the models given, shows the estimate first, and writes the table into the result', async () => {
    const r = await run({ models: 'claude-opus-5-5,claude-opus-4-8,claude-opus-9-9', out: join(dir, 'with-models.json') });
    expect(r.code).toBe(0);
    // The bisect used the stand-in, so evidence does too; only listed models are probed.
    // The trigger in each of the reproductions' forms (a file's text: the user message and the file read).
    expect(r.stderr).toContain('aup-bisect: sim: 18 probes at most (3 each of the trigger as the user message, the trigger in a file Claude Code reads and a content-free control on claude-opus-5-5, claude-opus-4-8)');
    // 18 independent probes, 2 at a time: 9 rounds at the stand-in's pace.
    expect(r.stderr).toContain('cached answers are free. It takes under a minute at 2 in flight (9 rounds of probes, about 0.03 s each).');
    // The trigger's other form (the file Claude Code reads) has its own rate and ids, as in the draft's table.
    expect(r.stdout).toMatch(/^ {2}claude-opus-5-5 \(given\): trigger refused 3\/3, in a file Claude Code reads refused 3\/3, control refused 0\/3; request ids( req_011C\w+){9}$/m);
    expect(r.stdout).toMatch(/^ {2}claude-opus-4-8 \(given\): trigger refused 0\/3, in a file Claude Code reads refused 0\/3, control refused 0\/3; request ids/m);
    expect(r.stdout).toContain('  claude-opus-9-9 (given): not served by this oracle (not in its model list, GET /v1/models)');
    expect(r.stdout).toContain('Regression: yes: refused 3/3 on Opus 5.5 (claude-opus-5-5), 0/3 on Opus 4.8 (claude-opus-4-8) with the same 33 characters');
    const saved = JSON.parse(await readFile(join(dir, 'with-models.json'), 'utf8')) as BisectResult;
    expect(saved.evidence?.models.map((m) => m.model)).toEqual(['claude-opus-5-5', 'claude-opus-4-8', 'claude-opus-9-9']);
    expect(saved.probes).toBe(loadResult().probes + 18);
  });

  it('stops at the budget, says so, and exits 5 with the models left named as not measured', async () => {
    const r = await run({ models: 'claude-opus-5-5,claude-opus-4-8', maxProbes: '6', concurrency: '1', out: join(dir, 'stopped.json') });
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/claude-opus-4-8 \(given\): not measured: /);
    expect(r.stdout).toContain('Regression: not measured:');
  });

  it('refuses a file that is not a bisect result, with what to pass instead', async () => {
    await writeFile(join(dir, 'junk.json'), '{"hello": 1}');
    const io = captureIo();
    const code = await evidenceCommand(join(dir, 'junk.json'), { runs: '3', concurrency: '1', cache: false }, io);
    expect(code).toBe(1);
    expect(io.err()).toContain('is not a bisect result');
  });
});

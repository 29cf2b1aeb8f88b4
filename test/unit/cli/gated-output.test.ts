/**
 * What bisect, unblock and demo print passes the exit gate: a key in the user's text (the trigger, the removed span,
 * a path) is masked on stdout as it is in the draft. The keys are in real formats, generated here (none is valid);
 * the oracle is the in-process stand-in with a rule that refuses while the key is in the request.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bisectCommand, type BisectFlags } from '../../../src/cli/commands/bisect';
import { unblockCommand, type UnblockFlags } from '../../../src/cli/commands/unblock';
import { findSecrets } from '../../../src/core/report/gate';
import { bundleCli, runCli } from '../../support/cli-bundle';
import { captureIo } from '../../support/cli-io';
import { secretCorpus } from '../report/secret-corpus';

const corpus = secretCorpus();
const AWS_KEY = corpus.find((s) => s.name === 'aws-access-key-id')!.secret;
const GITHUB_TOKEN = corpus.find((s) => s.name === 'github-pat-classic')!.secret;
const NOTES = ['Deploy notes for the staging box.', '', `The plush donkey underneath key ${AWS_KEY} ok`, '', 'Rotate it on Friday.', ''].join('\n');


describe('printed output passes the exit gate', () => {
  let dir: string;
  let probing: Pick<BisectFlags, 'oracle' | 'rules' | 'concurrency' | 'cache' | 'quiet'>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aup-gated-output-'));
    // Refused while the key is in the request, so the minimal trigger and the span unblock removes are the key.
    await writeFile(join(dir, 'rules.json'), JSON.stringify({ rules: [{ id: 'key', category: 'cyber', allOf: [AWS_KEY] }] }));
    await writeFile(join(dir, 'notes.txt'), NOTES);
    probing = { oracle: 'sim', rules: join(dir, 'rules.json'), concurrency: '2', cache: false, quiet: true };
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('the gate itself sees the key (else the checks below prove nothing)', async () => {
    expect((await findSecrets(NOTES)).map((s) => s.kind)).toContain('aws-access-key-id');
    expect((await findSecrets(`/tmp/${GITHUB_TOKEN}/demo`)).map((s) => s.kind)).toContain('github-token');
  });

  it('bisect: the minimal trigger is printed masked; the result file keeps it for draft and unblock', async () => {
    const io = captureIo();
    const code = await bisectCommand(join(dir, 'notes.txt'), { ...probing, out: join(dir, 'result.json') } as BisectFlags, undefined, io);
    expect(code, io.err()).toBe(0);
    expect(io.out()).toContain('[REDACTED:aws-access-key-id-1]');
    expect(io.out()).not.toContain(AWS_KEY);
    expect(JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'))).toMatchObject({ status: 'minimal', minimal: expect.stringContaining(AWS_KEY) });
  });

  it('unblock: the removed span is printed masked, as text and as --json', async () => {
    const text = captureIo();
    const code = await unblockCommand(join(dir, 'result.json'), { ...probing, verify: '3' } as UnblockFlags, text);
    expect(code, text.err()).toBe(0);
    expect(text.out()).toMatch(/^ {2}".*\[REDACTED:aws-access-key-id-1\].*" from #0 file, line 3$/m);
    expect(text.out()).not.toContain(AWS_KEY);

    const json = captureIo();
    expect(await unblockCommand(join(dir, 'result.json'), { ...probing, verify: '3', json: true } as UnblockFlags, json)).toBe(0);
    expect(json.out()).not.toContain(AWS_KEY);
    const run = JSON.parse(json.out()) as { status: string; passSet: { removed: { text: string }[] } };
    expect(run.status).toBe('passes');
    expect(run.passSet.removed.map((r) => r.text).join('')).toContain('[REDACTED:aws-access-key-id-1]');
  });

  it('demo: every line goes through the gate, a token in the --out path included', async () => {
    const cli = await bundleCli();
    const out = join(dir, GITHUB_TOKEN, 'demo');
    const run = await runCli(cli, ['demo', '--out', out], { ANTHROPIC_API_KEY: '', GITHUB_TOKEN: '', CLAUDE_CONFIG_DIR: '' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Draft issue:   ${join(dir, '[REDACTED:github-token-1]', 'demo', 'issue.md')}`);
    expect(run.stdout).not.toContain(GITHUB_TOKEN);
    // The demo's own lines are unchanged by the gate: the trigger and the steps read as before.
    expect(run.stdout).toMatch(/minimal trigger \([^)]*\): ".*DONKEY UNDERNEATH/);
  }, 120_000);
});

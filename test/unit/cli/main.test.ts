/**
 * Every command's failure, as a user sees it: the message, then what to do, through the one formatter. Run through the
 * bundled CLI (no terminal, no network).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, runCli } from '../../support/cli-bundle';

let cli: string;
let dir: string;
beforeAll(async () => {
  cli = await bundleCli();
  dir = await mkdtemp(join(tmpdir(), 'aup-cli-main-'));
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('aup-bisect errors', () => {
  it('prints the hint under the message for commands other than bisect (main.ts used to drop it)', async () => {
    const since = await runCli(cli, ['scan', '--since', 'yesterday', '--claude-dir', dir]);
    expect(since.code).toBe(1);
    expect(since.stderr).toBe('aup-bisect: --since yesterday: not a date\n  Give an ISO date (2026-11-20, 2026-11-20T10:00Z) or a span such as 12h or 7d.\n');

    const repo = await runCli(cli, ['file', join(dir, 'result.json'), '--repo', 'not-a-repo']);
    expect(repo.code).toBe(1);
    expect(repo.stderr).toBe('aup-bisect: --repo must be owner/name, got "not-a-repo"\n  For example --repo anthropics/claude-code.\n');
  });

  it('shows bisect\'s estimate before the first probe, as the extension does, and not with --quiet', async () => {
    const file = join(dir, 'fine.txt');
    await (await import('node:fs/promises')).writeFile(file, 'wooden blocks only\n');
    const loud = await runCli(cli, ['bisect', file, '--test', 'false', '--no-cache']);
    // No --concurrency: a test command runs one per core here (at most 8), so the rounds depend on the machine.
    expect(loud.stderr.split('\n')[0]).toMatch(/^aup-bisect: command: each probe runs the test command and costs nothing\. Expect 15-\d+ probes\. It takes \d+-\d+ rounds of probes at [1-8] in flight, each as long as one run of the command\. If the test command answers inconsistently, it can take up to \d+ probes in \d+ rounds\.$/);
    const sim = await runCli(cli, ['bisect', file, '--oracle', 'sim', '--no-cache', '--max-usd', '1', '--max-probes', '50']);
    expect(sim.stderr.split('\n')[0]).toMatch(
      /^aup-bisect: sim \(claude-opus-4-8\): Each probe sends about \d+ input tokens \(\$[\d.]+ at most, less as the input shrinks\)\. Expect 21-68 probes, .* The budget stops the run at \$1\.00 or 50 paid probes; cached answers are free\. It takes under a minute at 4 in flight \(7-22 rounds of probes, about 0\.03 s each\)\. The range includes 6 probes of the reproductions the draft offers\. If the classifier answers inconsistently, it can take up to 192 probes, under a minute\.$/,
    );
    const quiet = await runCli(cli, ['bisect', file, '--test', 'false', '--no-cache', '--quiet']);
    expect(quiet.stderr).not.toContain('Expect');
  });
});

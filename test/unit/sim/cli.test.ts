// `aup-bisect sim` as a user runs it: prints its URL, serves, reports counts and exits on SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

let cli: string;
beforeAll(async () => {
  // Bundle the current source (not a possibly stale dist/) the way esbuild.mjs does.
  cli = join(mkdtempSync(join(tmpdir(), 'aup-sim-cli-')), 'cli.js');
  await build({ entryPoints: ['src/cli/main.ts'], bundle: true, platform: 'node', format: 'cjs', outfile: cli, external: ['vscode', 'node-pty'], logLevel: 'silent' });
});

describe('aup-bisect sim', () => {
  it('starts on a free port, prints its URL first, and stops on SIGTERM with a summary', async () => {
    const child = spawn(process.execPath, [cli, 'sim', '--rules', 'src/sim/rules/demo.json', '--latency', '5-10'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0]);
      });
      child.on('exit', (code) => reject(new Error(`sim exited early (${code}): ${stderr}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'sk-ant-FAKE', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-opus-4-8', max_tokens: 10, messages: [{ role: 'user', content: 'a keylogger kept hidden' }] }),
    });
    expect(((await res.json()) as { stop_reason: string }).stop_reason).toBe('refusal');
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/^#1 claude-opus-4-8 \d+ tok refused cyber \(rule cyber-keylogger\) req_011C\w+$/m);
    expect(stderr).toContain('1 requests, 1 refused');
  });

  it.each([
    [['--rules', 'no/such/rules.json'], /cannot read sim rules file no\/such\/rules.json/],
    [['--noise', '2'], /--noise must be a probability between 0 and 1/],
    [['--delivery', 'carrier-pigeon'], /--delivery must be "stop_reason" or "content_filter_400"/],
    [['--port', 'eighty'], /--port must be a whole number/],
  ])('rejects %j with a clear message', (args, message) => {
    const result = spawnSync(process.execPath, [cli, 'sim', ...args], { encoding: 'utf8', timeout: 10_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
  });
});

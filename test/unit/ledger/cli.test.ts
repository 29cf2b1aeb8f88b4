import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { register } from '../../../src/cli/commands/ledger';
import { hardStop } from '../../support/messages';
import { ledgerSession, type SessionBuilder } from '../../support/transcript';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ledger-cli-'));
  const t = ledgerSession({ start: new Date(Date.now() - 2 * 86_400_000).toISOString() });
  t.user('warm up');
  t.assistant('claude-opus-4-8', { input: 1000, output: 100, cacheRead: 9000 }, 'req_a');
  const u = t.wait(60).user('check this binary');
  t.wait(3).refusal(hardStop('req_011CrefusedAAAA'), { category: 'cyber' });
  t.noFallback({ originalModel: 'claude-fable-5', requestId: 'req_011CrefusedAAAA', category: 'cyber', refusedUserMessageUuid: u, content: hardStop('req_011CrefusedAAAA') });
  t.wait(20).user('never mind');
  await mkdir(join(root, 'projects', '-home-dev-shop'), { recursive: true });
  await writeFile(join(root, 'projects', '-home-dev-shop', 'sess-1.jsonl'), t.text());
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(root, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  const program = new Command().exitOverride();
  register(program);
  try {
    await program.parseAsync(['ledger', '--claude-dir', root, '--cache-dir', join(root, 'cache'), ...args], { from: 'user' });
  } finally {
    vi.restoreAllMocks();
  }
  return { out, err };
}

describe('aup-bisect ledger', () => {
  it('prints the table with a sparkline, and says how much it read', async () => {
    const { out, err } = await run('--since', '7d');
    expect(out).toMatch(/^Refusal ledger \d{4}-\d{2}-\d{2} \.\. \d{4}-\d{2}-\d{2}\nrefusals per day  \|[ █]{7}\|  max 1\/day/);
    // The refused request's input, estimated: 1,000 + 100 output of the request before + 5 for the prompt; at the
    // default $5 / $0.50 per MTok: 1,105 * 5 + 9,000 * 0.5 = $0.010025.
    expect(out).toMatch(/\ntotal\s+1\s+1\s+1,105\s+0\s+0\s+9,000\s+\$0\.0100\s+3s\n/);
    expect(err).toMatch(/read [\d.]+ MB of [\d.]+ MB in 1 transcripts \(1 from the start, 0 appended to\)/);
    expect((await run('--since', '7d')).err).toContain('(0 from the start, 0 appended to)');
  });

  it('prints JSON, CSV and the credit request', async () => {
    const json = JSON.parse((await run('--json', '--by', 'model')).out) as { rows: Array<{ key: string; refusals: number }> };
    expect(json.rows).toEqual([expect.objectContaining({ key: 'claude-fable-5', refusals: 1 })]);
    const csv = (await run('--csv')).out.split('\r\n');
    expect(csv[0]).toMatch(/^timestamp,session_id,project,/);
    expect(csv[1]).toContain(',sess-1,/home/dev/shop,2.1.328,safeguards,claude-fable-5,cyber,req_011CrefusedAAAA,1,');
    expect((await run('--csv', '--by', 'category')).out).toMatch(/^category,refusals,.*\r\ncyber,1,1,1105,0,0,9000,0\.010025,3\.0\r\n$/);
    const credit = (await run('--credit-request')).out;
    expect(credit).toContain('refused request ids: req_011CrefusedAAAA\n');
    expect(credit).toContain('(estimated at list price)');
  });

  it('explains bad options', async () => {
    await expect(run('--by', 'month')).rejects.toThrow('--by must be one of day, week, model, category, project, version (got "month")');
    await expect(run('--since', 'last tuesday')).rejects.toThrow(/--since "last tuesday" is not a date/);
    await expect(run('--json', '--csv')).rejects.toThrow('choose one of --json and --csv');
  });
});

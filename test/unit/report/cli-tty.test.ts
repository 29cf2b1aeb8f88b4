import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn as spawnPty } from 'node-pty';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bundleCli } from '../../support/cli-bundle';
import { startGitHubServer, type GitHubServer } from '../../support/github-server';
import { FIXTURES } from '../../fixtures/report/load';

// `aup-bisect file` on a real pseudo-terminal: it asks, and posts only on "y".
const TOKEN = 'ghp_TtyTestTokenForTheLoopbackServer000000';
let cli: string;
let server: GitHubServer;
let dir: string;

beforeAll(async () => {
  cli = await bundleCli();
}, 60_000);
beforeEach(async () => {
  server = await startGitHubServer({ token: TOKEN });
  dir = mkdtempSync(join(tmpdir(), 'aup-cli-tty-'));
  copyFileSync(join(FIXTURES, 'result.json'), join(dir, 'result.json'));
});
afterEach(() => server.close());

/** Runs the CLI on a PTY, typing each answer when `prompt` appears; resolves with everything printed. */
function onTerminal(args: string[], answers: string[], env: Record<string, string> = {}): Promise<{ output: string; code: number }> {
  return new Promise((resolve) => {
    const term = spawnPty(process.execPath, [cli, ...args], {
      cols: 200,
      rows: 50,
      cwd: dir,
      env: { ...(process.env as Record<string, string>), GITHUB_TOKEN: TOKEN, GH_TOKEN: '', ...env },
    });
    let output = '';
    let asked = 0;
    term.onData((data) => {
      output += data;
      const prompts = output.split('[y]es / [e]dit / [N]o: ').length - 1;
      if (prompts > asked && answers[asked] !== undefined) {
        term.write(`${answers[asked]}\r`);
        asked++;
      }
    });
    term.onExit(({ exitCode }) => resolve({ output, code: exitCode }));
  });
}

describe('aup-bisect file on a terminal', () => {
  const args = () => ['file', join(dir, 'result.json'), '--api-url', server.url, '--no-search'];

  it('posts nothing when the answer is no (the default)', async () => {
    const { output, code } = await onTerminal(args(), ['']);
    expect(code).toBe(0);
    expect(output).toContain('Post this issue to anthropics/claude-code as the GITHUB_TOKEN user?');
    expect(output).toContain('Not posted. The draft is in');
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  }, 30_000);

  it('lets the user edit the draft, shows the new text with its redactions, and posts it on yes', async () => {
    // The "editor" appends a line with an e-mail address to the draft file.
    const editor = `sh -c 'printf "\\nPS: write to me at someone@example.net\\n" >> "$0"'`;
    const { output, code } = await onTerminal(args(), ['e', 'y'], { EDITOR: editor, VISUAL: '' });
    expect(code).toBe(0);
    expect(output).toMatch(/email \(\d+ chars(?:, [a-z-]+)?\) -> \[REDACTED:email-1\]/);
    expect(output).toContain('Filed https://github.com/anthropics/claude-code/issues/1');
    const sent = server.requests.find((r) => r.method === 'POST')!.body as { body: string };
    expect(sent.body).toContain('PS: write to me at [REDACTED:email-1]');
  }, 30_000);

  it('on a terminal: prints the text and the exact queries, then searches, then asks before posting', async () => {
    server.close();
    server = await startGitHubServer({
      token: TOKEN,
      issues: [{ repo: 'anthropics/claude-code', title: '[BUG] Opus 4.8 safeguards block cyber work', body: 'cyber safeguards' }],
    });
    const { output, code } = await onTerminal(['file', join(dir, 'result.json'), '--api-url', server.url], ['n']);
    expect(code).toBe(0);
    const text = output.replace(/\r/g, '');
    const order = ['----- end of issue -----', 'Duplicate search: these 2 queries', '#1 [open] [BUG] Opus 4.8 safeguards block cyber work', 'Post this issue to anthropics/claude-code', 'Not posted.'];
    const at = order.map((s) => text.indexOf(s));
    expect(at.every((i) => i >= 0), JSON.stringify(at)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const printed = text.split('\n').filter((l) => l.startsWith('  repo:')).map((l) => l.slice(2));
    expect(server.requests.filter((r) => r.path === '/search/issues').map((r) => r.query.q)).toEqual(printed);
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  }, 30_000);
});

describe('aup-bisect file --comment N on a terminal', () => {
  beforeEach(async () => {
    await server.close();
    server = await startGitHubServer({ token: TOKEN, issues: [{ repo: 'anthropics/claude-code', title: 'Opus 4.8 refuses cyber work', comments: 40 }] });
  });
  const args = () => ['file', join(dir, 'result.json'), '--api-url', server.url, '--comment', '1'];

  it('posts nothing when the answer is no (the default)', async () => {
    const { output, code } = await onTerminal(args(), ['']);
    expect(code).toBe(0);
    expect(output).toContain('Post this comment to anthropics/claude-code#1 as the GITHUB_TOKEN user?');
    expect(output).toContain('Not posted. The comment is in');
    expect(server.requests).toHaveLength(0);
  }, 30_000);

  it('lets the user edit the comment, gates the edit, and posts exactly that on yes', async () => {
    const editor = `sh -c 'printf "PS: write to me at someone@example.net\\n" >> "$0"'`;
    const { output, code } = await onTerminal(args(), ['e', 'y'], { EDITOR: editor, VISUAL: '' });
    expect(code).toBe(0);
    expect(output).toMatch(/email \(\d+ chars(?:, [a-z-]+)?\) -> \[REDACTED:email-1\]/);
    expect(output).toMatch(/Commented https:\/\/github\.com\/anthropics\/claude-code\/issues\/1#issuecomment-\d+/);
    expect(server.comments.map((c) => c.issue)).toEqual([1]);
    expect(server.comments[0]!.body).toMatch(/PS: write to me at \[REDACTED:email-1\]\n$/);
    expect(server.comments[0]!.body).not.toContain('someone@example.net');
  }, 30_000);
});

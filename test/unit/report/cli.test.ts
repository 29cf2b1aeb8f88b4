import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bundleCli, runCli } from '../../support/cli-bundle';
import { startGitHubServer, type GitHubServer } from '../../support/github-server';
import { FIXTURES } from '../../fixtures/report/load';

const TOKEN = 'ghp_CliTestTokenForTheLoopbackServer00000';
let cli: string;
let server: GitHubServer;
let dir: string;
// No ambient token and no `gh` on PATH unless a test says so.
const NO_TOKEN = { GITHUB_TOKEN: '', GH_TOKEN: '', PATH: '/nonexistent' };

beforeAll(async () => {
  cli = await bundleCli();
}, 60_000);
beforeEach(async () => {
  server = await startGitHubServer({
    token: TOKEN,
    issues: [{ repo: 'anthropics/claude-code', title: '[BUG] Opus 4.8 safeguards block cyber work', body: 'cyber safeguards', reactions: 9 }],
  });
  dir = mkdtempSync(join(tmpdir(), 'aup-cli-report-'));
  copyFileSync(join(FIXTURES, 'result.json'), join(dir, 'result.json'));
});
afterEach(() => server.close());

describe('aup-bisect draft', () => {
  it('writes the markdown draft next to the result and prints the path and the redactions', async () => {
    const run = await runCli(cli, ['draft', join(dir, 'result.json')], NO_TOKEN);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Title: [BUG] Opus 4.8 safeguards refuse a PDF text operator (cyber)');
    expect(run.stdout).toContain(`Draft written to ${join(dir, 'result.issue.md')}`);
    expect(readFileSync(join(dir, 'result.issue.md'), 'utf8')).toMatch(/^# \[BUG\] Opus 4\.8/);
  });

  it('lists redactions by kind and place, never the values', async () => {
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    result.minimal = 'token xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx for ops@example.com';
    writeFileSync(join(dir, 'secret.json'), JSON.stringify(result));
    const run = await runCli(cli, ['draft', join(dir, 'secret.json'), '--out', join(dir, 'out.md')], NO_TOKEN);
    expect(run.stdout).toMatch(/body \d+:\d+ slack-token \(\d+ chars(?:, [a-z-]+)?\) -> \[REDACTED:slack-token-1\]/);
    expect(run.stdout).toMatch(/email .* -> \[REDACTED:email-1\]/);
    expect(run.stdout + readFileSync(join(dir, 'out.md'), 'utf8')).not.toMatch(/xoxb-1234|ops@example/);
  });

  it('says what it expected when the input is not a result', async () => {
    writeFileSync(join(dir, 'bad.json'), '{"hello": 1}');
    const run = await runCli(cli, ['draft', join(dir, 'bad.json')], NO_TOKEN);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/not a bisect result .* nor a refusal record/);
  });
});

describe('aup-bisect file', () => {
  const args = () => ['file', join(dir, 'result.json'), '--api-url', server.url];

  it('without a terminal or --yes: shows the text and the exact search queries, but sends nothing to GitHub', async () => {
    const run = await runCli(cli, args(), NO_TOKEN);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('exactly the text that will be posted');
    expect(run.stdout).toContain(`Duplicate search: these 2 queries go to GitHub's issue search (${server.url}/search/issues), exactly:`);
    expect(run.stdout).toContain('  repo:anthropics/claude-code is:issue safeguards "Opus 4.8" cyber\n');
    expect(run.stdout).toContain('Not searched: there is no terminal to show it on first, so nothing was sent to GitHub.');
    expect(run.stdout).toContain("- [ ] I have searched [existing issues]");
    expect(run.stdout).toMatch(/\nhttps:\/\/github\.com\/anthropics\/claude-code\/issues\/new\?title=/);
    expect(run.stdout).toContain(`Full draft: ${join(dir, 'result.issue.md')}`);
    expect(server.requests).toHaveLength(0);
  });

  it('with --yes and no token: searches with exactly the queries it printed, after printing the text, and posts nothing', async () => {
    const run = await runCli(cli, [...args(), '--yes'], NO_TOKEN);
    expect(run.code).toBe(0);
    const printed = run.stdout.split('\n').filter((l) => l.startsWith('  repo:')).map((l) => l.slice(2));
    const sent = server.requests.filter((r) => r.path.startsWith('/search/issues')).map((r) => r.query.q);
    expect(sent).toEqual(printed);
    expect(sent).toHaveLength(2);
    const order = ['----- end of issue -----', 'Redactions:', 'Duplicate search: these 2 queries', '#1 [open] [BUG] Opus 4.8 safeguards block cyber work', "the checklist's first box is now ticked", 'No GitHub token'];
    const at = order.map((s) => run.stdout.indexOf(s));
    expect(at.every((i) => i >= 0), JSON.stringify(at)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(run.stdout).toContain('react there instead');
    // The draft saved (and linked) after the search says a search ran.
    expect(readFileSync(join(dir, 'result.issue.md'), 'utf8')).toContain("- [x] I have searched [existing issues]");
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('with a token but no terminal and no --yes: refuses to post and says to pass --yes', async () => {
    const run = await runCli(cli, args(), { ...NO_TOKEN, GITHUB_TOKEN: TOKEN });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Not posting: there is no terminal to confirm on');
    expect(run.stdout).toContain('--yes');
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('with --yes: files exactly the text it showed', async () => {
    const run = await runCli(cli, [...args(), '--yes', '--repo', 'acme/claude-code-fork'], { ...NO_TOKEN, GITHUB_TOKEN: TOKEN });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Filed https://github.com/acme/claude-code-fork/issues/1');
    const post = server.requests.find((r) => r.method === 'POST')!;
    expect(post.path).toBe('/repos/acme/claude-code-fork/issues');
    const sent = post.body as { title: string; body: string };
    // What was shown before the search, with the one change the search made (announced): its checklist box ticked.
    const shown = sent.body.replace('- [x] I have searched [existing issues]', '- [ ] I have searched [existing issues]');
    expect(shown).not.toBe(sent.body);
    expect(run.stdout).toContain(`Title: ${sent.title}\n\n${shown.trimEnd()}\n----- end of issue -----`);
    expect(run.stdout).toContain(`the checklist's first box is now ticked ("- [x] I have searched [existing issues] and this hasn't been reported yet")`);
  });

  it('files an edited draft file, redacted again', async () => {
    await runCli(cli, ['draft', join(dir, 'result.json')], NO_TOKEN);
    const path = join(dir, 'result.issue.md');
    writeFileSync(path, readFileSync(path, 'utf8').replace('<!-- In one sentence: what were you working on? -->', 'I was proofreading an ad; reach me at me@example.org.'));
    const run = await runCli(cli, ['file', path, '--api-url', server.url, '--yes'], { ...NO_TOKEN, GITHUB_TOKEN: TOKEN });
    expect(run.code).toBe(0);
    const sent = server.requests.find((r) => r.method === 'POST')!.body as { body: string };
    expect(sent.body).toContain('I was proofreading an ad; reach me at [REDACTED:email-1].');
  });

  it('on a bad token: says what to do and keeps the draft', async () => {
    const run = await runCli(cli, [...args(), '--yes'], { ...NO_TOKEN, GITHUB_TOKEN: 'ghp_notTheRightTokenAtAll000000000000000' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('GitHub rejected the token (401 Bad credentials)');
    expect(run.stdout).toMatch(/Set GITHUB_TOKEN .* or run `gh auth login`/);
    // The search failed too (same token), so the checklist does not claim one ran.
    expect(run.stdout).toContain('Duplicate search skipped: Searching for duplicates failed: GitHub rejected the token');
    expect(run.stdout).toContain("- [ ] I have searched [existing issues]");
    expect(run.stdout).toContain(`The draft is kept in ${join(dir, 'result.issue.md')}`);
    expect(run.stdout + run.stderr).not.toContain('ghp_notTheRight');
  });
});

describe('aup-bisect file --comment N', () => {
  const SLACK = 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';
  /** A result whose trigger holds a Slack token and an address: neither may be printed, saved or posted. */
  const secretResult = () => {
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    result.minimal = `token ${SLACK} for ops@example.com`;
    writeFileSync(join(dir, 'secret.json'), JSON.stringify(result));
    return join(dir, 'secret.json');
  };
  const shownComment = (stdout: string) =>
    /----- Comment for anthropics\/claude-code#1: exactly the text that will be posted -----\n([\s\S]*?)\n----- end of comment -----/.exec(stdout)?.[1];

  it('with --yes: posts to issue 1 exactly the text it showed, with the secret masked, and searches nothing', async () => {
    const run = await runCli(cli, ['file', secretResult(), '--comment', '1', '--api-url', server.url, '--yes'], { ...NO_TOKEN, GITHUB_TOKEN: TOKEN });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /repos/anthropics/claude-code/issues/1/comments']);
    const sent = (server.requests[0]!.body as { body: string }).body;
    expect(shownComment(run.stdout)).toBe(sent.trimEnd());
    expect(sent).toContain('token [REDACTED:slack-token-1] for [REDACTED:email-1]');
    expect(sent).toContain('Request id: `req_011CbgiZGk6bR8jQrLT4Ypem`');
    expect(run.stdout).toMatch(/\nCommented https:\/\/github\.com\/anthropics\/claude-code\/issues\/1#issuecomment-\d+\n/);
    expect(readFileSync(join(dir, 'secret.comment-1.md'), 'utf8')).toBe(sent);
    expect(run.stdout + sent).not.toMatch(/xoxb-1234|ops@example/);
  });

  it('without a token: shows the text, posts nothing, and says where to paste it', async () => {
    const run = await runCli(cli, ['file', join(dir, 'result.json'), '--comment', '#1', '--api-url', server.url, '--yes'], NO_TOKEN);
    expect(run.code).toBe(0);
    expect(shownComment(run.stdout)).toMatch(/^Same safeguards refusal here: Opus 4\.8/);
    expect(run.stdout).toContain(`Paste the comment above (saved in ${join(dir, 'result.comment-1.md')}) into https://github.com/anthropics/claude-code/issues/1`);
    expect(server.requests).toHaveLength(0);
  });

  it('with a token but no terminal and no --yes: posts nothing and says to pass --yes', async () => {
    const run = await runCli(cli, ['file', join(dir, 'result.json'), '--comment', '1', '--api-url', server.url], { ...NO_TOKEN, GITHUB_TOKEN: TOKEN });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Not posting: there is no terminal to confirm on');
    expect(server.requests).toHaveLength(0);
  });

  it('on an issue that does not exist: says so and keeps the comment', async () => {
    const run = await runCli(cli, ['file', join(dir, 'result.json'), '--comment', '404', '--api-url', server.url, '--yes'], { ...NO_TOKEN, GITHUB_TOKEN: TOKEN });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Commenting on #404 failed: no issue #404 in anthropics/claude-code (404).');
    expect(run.stdout).toContain(`The comment is kept in ${join(dir, 'result.comment-404.md')}`);
  });

  it('says what it needs when the issue number or the input is wrong', async () => {
    const bad = await runCli(cli, ['file', join(dir, 'result.json'), '--comment', 'latest'], NO_TOKEN);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--comment takes an issue number, got "latest"');
    await runCli(cli, ['draft', join(dir, 'result.json')], NO_TOKEN);
    const draft = await runCli(cli, ['file', join(dir, 'result.issue.md'), '--comment', '1'], NO_TOKEN);
    expect(draft.code).toBe(1);
    expect(draft.stderr).toContain('A comment is written from a bisect result or a refusal record, not from an issue draft file.');
    expect(server.requests).toHaveLength(0);
  });
});

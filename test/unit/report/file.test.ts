import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { draftIssue, parseDraftFile, type IssueDraft } from '../../../src/core/report/draft';
import { fileIssue, MAX_NEW_ISSUE_URL, newIssueUrl } from '../../../src/core/report/file';
import { createGitHubClient } from '../../../src/core/report/github';
import { startGitHubServer, type GitHubServer } from '../../support/github-server';
import { ALICE, loadResult } from '../../fixtures/report/load';

const TOKEN = 'ghp_TestTokenForTheLoopbackServer0000000';
// Real octokit, real plugins; only their waits are shortened (1 ms per "second").
const FAST = { retryAfterBaseValue: 1 };

let server: GitHubServer;
let dir: string;
let draft: IssueDraft;

beforeEach(async () => {
  server = await startGitHubServer({ token: TOKEN });
  dir = mkdtempSync(join(tmpdir(), 'aup-file-'));
  draft = draftIssue({ result: loadResult(), env: { ...ALICE, repo: 'anthropics/claude-code' } });
});
afterEach(() => server.close());

function options(extra: Record<string, unknown> = {}) {
  return { token: TOKEN, apiUrl: server.url, draftPath: join(dir, 'issue.md'), ...FAST, ...extra };
}

describe('fileIssue against a loopback GitHub', () => {
  it('creates the issue with exactly the redacted draft, and saves the draft first', async () => {
    const outcome = await fileIssue(draft, options());
    expect(outcome).toMatchObject({ status: 'created', number: 1, url: 'https://github.com/anthropics/claude-code/issues/1' });
    const posts = server.requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.path).toBe('/repos/anthropics/claude-code/issues');
    expect(posts[0]!.headers.authorization).toBe(`token ${TOKEN}`);
    expect(posts[0]!.body).toEqual({ title: draft.title, body: draft.body, labels: ['bug'] });
    expect(parseDraftFile(readFileSync(join(dir, 'issue.md'), 'utf8'))).toEqual({ title: draft.title, body: draft.body });
  });

  it('redacts an edited draft again before sending', async () => {
    const edited = { ...draft, body: `${draft.body}\nSee /home/alice/notes.txt or mail alice@example.com\n` };
    await fileIssue(edited, options({ redactContext: ALICE }));
    const sent = server.requests.find((r) => r.method === 'POST')!.body as { body: string };
    expect(sent.body).toContain('See ~/notes.txt or mail [REDACTED:email-1]');
    expect(sent.body).not.toContain('alice');
  });

  it('says what to do on 401, and keeps the draft', async () => {
    const outcome = await fileIssue(draft, options({ token: 'ghp_wrongwrongwrongwrongwrongwrongwrong00' }));
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.error.kind).toBe('auth');
    expect(outcome.error.message).toContain('401 Bad credentials');
    expect(outcome.error.hint).toMatch(/GITHUB_TOKEN|gh auth login/);
    expect(outcome.error.message).not.toContain('ghp_wrong');
    expect(readFileSync(outcome.draftPath, 'utf8')).toContain(draft.title);
    expect(outcome.newIssueUrl).toMatch(/^https:\/\/github\.com\/anthropics\/claude-code\/issues\/new\?title=/);
  });

  it('waits out a short primary rate limit once, then files', async () => {
    server.failNext({ method: 'POST' }, { kind: 'rate-limit', resetInSeconds: 1 });
    const notes: string[] = [];
    const outcome = await fileIssue(draft, options({ log: (m: string) => notes.push(m) }));
    expect(outcome.status).toBe('created');
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(notes.join('\n')).toMatch(/rate limit reached on POST .*retrying/);
  });

  it('gives up on a rate limit longer than it will wait, and says when to try again', async () => {
    server.failNext({ method: 'POST' }, { kind: 'rate-limit', resetInSeconds: 3600 });
    const outcome = await fileIssue(draft, options());
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.error.kind).toBe('rate-limit');
    expect(outcome.error.hint).toMatch(/^Try again after \d\d:\d\d UTC\.$/);
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('waits out a secondary rate limit (retry-after) once', async () => {
    server.failNext({ method: 'POST' }, { kind: 'secondary-rate-limit', retryAfterSeconds: 2 });
    const outcome = await fileIssue(draft, options());
    expect(outcome.status).toBe('created');
  });

  it('reports a 422 validation error with the field', async () => {
    server.failNext({ method: 'POST' }, { kind: 'validation', field: 'body', code: 'custom' });
    const outcome = await fileIssue(draft, options());
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.error.kind).toBe('validation');
    expect(outcome.error.message).toContain('422 Validation Failed: body custom');
    expect(outcome.error.hint).toMatch(/Edit the saved draft/);
  });

  it('does not re-post after a dropped connection (creating is not idempotent), and keeps the draft', async () => {
    server.failNext({ method: 'POST' }, { kind: 'drop' });
    const outcome = await fileIssue(draft, options());
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.error.kind).toBe('network');
    expect(outcome.error.hint).toMatch(/may have been created/);
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(server.issues).toHaveLength(0);
    expect(readFileSync(outcome.draftPath, 'utf8')).toContain(draft.body);
  });

  it('retries a GET through a dropped connection and a 502 (the retry plugin at work)', async () => {
    server.failNext({ method: 'GET', path: /^\/user$/ }, { kind: 'drop' });
    server.failNext({ method: 'GET', path: /^\/user$/ }, { kind: 'server-error', status: 502 });
    const client = createGitHubClient({ token: TOKEN, apiUrl: server.url, ...FAST });
    const { data } = await client.rest.users.getAuthenticated();
    expect(data.login).toBe('octocat');
    expect(server.requests.filter((r) => r.path === '/user')).toHaveLength(3);
  });

  it('without a token, gives a prefilled link and the saved draft, and sends nothing', async () => {
    const outcome = await fileIssue(draft, options({ token: undefined }));
    expect(outcome.status).toBe('no-token');
    if (outcome.status !== 'no-token') return;
    const url = new URL(outcome.newIssueUrl);
    expect(url.origin + url.pathname).toBe('https://github.com/anthropics/claude-code/issues/new');
    expect(url.searchParams.get('title')).toBe(draft.title);
    expect(url.searchParams.get('labels')).toBe('bug');
    expect(server.requests).toHaveLength(0);
  });
});

describe('newIssueUrl', () => {
  it('keeps a short draft whole', () => {
    const { url, truncated } = newIssueUrl({ repo: 'o/r', title: 'T', body: 'short body' });
    expect(truncated).toBe(false);
    expect(new URL(url).searchParams.get('body')).toBe('short body');
  });

  it('cuts a long draft at a line under the URL limit and says the full text was saved', () => {
    const body = Array.from({ length: 400 }, (_, i) => `line ${i}: ünïcödé and "quotes" & ampersands`).join('\n');
    const { url, truncated } = newIssueUrl({ repo: 'anthropics/claude-code', title: 'A title', body });
    expect(truncated).toBe(true);
    expect(url.length).toBeLessThanOrEqual(MAX_NEW_ISSUE_URL);
    const cut = new URL(url).searchParams.get('body')!;
    expect(cut).toMatch(/^line 0: /);
    expect(cut).toMatch(/line \d+: ünïcödé and "quotes" & ampersands\n\n---\n_This draft was cut to fit in a link/);
    expect(body.startsWith(cut.slice(0, cut.indexOf('\n\n---')))).toBe(true);
  });

  it('closes a code fence the cut left open', () => {
    const body = `intro\n\`\`\`\n${'x'.repeat(20).concat('\n').repeat(600)}\`\`\`\nend`;
    const cut = new URL(newIssueUrl({ repo: 'o/r', title: 'T', body }).url).searchParams.get('body')!;
    expect((cut.match(/^```/gm) ?? []).length % 2).toBe(0);
  });
});

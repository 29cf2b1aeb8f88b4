import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { draftComment, draftCommentText, postComment } from '../../../src/core/report/comment';
import { createGitHubClient, GitHubError } from '../../../src/core/report/github';
import { startGitHubServer, type GitHubServer } from '../../support/github-server';
import { ALICE, loadRefusal, loadResult } from '../../fixtures/report/load';

const REPO = 'anthropics/claude-code';
const TOKEN = 'ghp_TestTokenForTheLoopbackServer0000000';
const SLACK = 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';
// A trigger that carries a secret and a personal address: neither may reach GitHub.
const secretResult = () => loadResult({ minimal: `token ${SLACK} for ops@example.com`, control: { removed: 'x', passed: 5, of: 5 } });

describe('the comment for an existing issue', () => {
  it('says trigger, rate, model, category, request id and Claude Code version in a few lines', async () => {
    const comment = await draftComment({ result: loadResult(), env: { ...ALICE, toolVersion: '0.1.0' } }, { repo: REPO, issue: 7 });
    expect(comment.body).toBe(
      [
        'Same safeguards refusal here: Opus 4.8 (`claude-opus-4-8`), category `cyber`, Claude Code 2.1.328.',
        '',
        'The minimal trigger (refused 5/5 on Opus 4.8 on 2026-11-20; the same text without `shell` passed 5/5):',
        '',
        '```',
        'BT',
        '(reverse shell included) Tj',
        'ET',
        '```',
        '',
        'Request id: `req_011CbgiZGk6bR8jQrLT4Ypem`',
        'Found with aup-bisect 0.1.0 (23 probes, oracle `api`).',
        '',
      ].join('\n'),
    );
    expect(comment).toMatchObject({ repo: REPO, issue: 7, redactions: [] });
  });

  it('takes the Claude Code version from the environment when the refusal record has none', () => {
    const result = loadResult();
    const text = draftCommentText({ result: { ...result, refusal: { ...result.refusal!, claudeCodeVersion: undefined } }, env: { claudeCodeVersion: '2.2.0' } });
    expect(text.body).toMatch(/^Same safeguards refusal here: Opus 4\.8 \(`claude-opus-4-8`\), category `cyber`, Claude Code 2\.2\.0\.\n/);
  });

  it('from a refusal record alone: no trigger yet, but the request id and version', () => {
    const text = draftCommentText({ refusal: loadRefusal(), env: {} });
    expect(text.body).toContain('Not yet reduced to a minimal trigger.');
    expect(text.body).toContain('Request id: `req_011CbgiZGk6bR8jQrLT4Ypem`');
    expect(text.body).toContain('Claude Code 2.1.328');
  });

  it('masks a secret in the trigger, says so, and does not name the control unit', async () => {
    const comment = await draftComment({ result: secretResult(), env: ALICE }, { repo: REPO, issue: 7 });
    expect(comment.body).toContain('token [REDACTED:slack-token-1] for [REDACTED:email-1]');
    expect(comment.body).toContain('Values in it are redacted (`[REDACTED:...]`); the redacted form was not probed again.');
    expect(comment.body).toContain('the same text without one unit passed 5/5');
    expect(comment.body).not.toMatch(/xoxb|ops@example/);
    expect(comment.redactions.map((r) => [r.field, r.kind])).toEqual([['trigger', 'slack-token'], ['trigger', 'email']]);
  });

  it('masks a secret that the cut would split, before cutting', async () => {
    const minimal = `${'a '.repeat(995)}${SLACK} end`;
    const comment = await draftComment({ result: loadResult({ minimal }), env: {} }, { repo: REPO, issue: 7 });
    expect(comment.body).toContain('; first 2,000 characters of');
    // The placeholder itself may be cut; the key never shows, not even its first characters.
    expect(comment.body).toContain('a [REDACTED:\n```');
    expect(comment.body).not.toMatch(/xoxb/);
  });

  it('shows same-shape fakes with the rate they were refused at', () => {
    const fake = 'xoxb-987654321098-9876543210987-ZyXwVuTsRqPoNmLkJiHgFeDc';
    const base = loadResult();
    const result = loadResult({
      minimal: `token ${SLACK}`,
      parts: [{ ...base.parts.find((p) => p.needed)!, minimal: `token ${SLACK}`, secrets: [{ start: 6, end: 6 + SLACK.length, kind: 'slack-token', id: 1 }] }],
      shareable: { text: `token ${fake}`, refused: 4, of: 5, kinds: ['slack-token'] },
    });
    const text = draftCommentText({ result, env: {} });
    expect(text.body).toContain(`token ${fake}`);
    expect(text.body).toContain('so replaced, it was refused 4/5.');
    expect(text.fakes).toEqual([fake]);
    expect(text.body).not.toContain(SLACK);
  });

  it('cuts a long trigger and says how much is shown', () => {
    const text = draftCommentText({ result: loadResult({ minimal: 'refuse '.repeat(500) }), env: {} });
    expect(text.body).toContain('; first 2,000 characters of 3,500):');
  });
});

describe('postComment against a loopback GitHub (real @octokit/rest)', () => {
  let server: GitHubServer;
  beforeEach(async () => {
    server = await startGitHubServer({ token: TOKEN, issues: [{ repo: REPO, title: '[BUG] Opus 4.8 refuses cyber work', comments: 30 }] });
  });
  afterEach(() => server.close());
  const client = () => createGitHubClient({ token: TOKEN, apiUrl: server.url, retryAfterBaseValue: 1 });

  it('posts exactly the reviewed text to issue N, and no secret', async () => {
    const reviewed = await draftComment({ result: secretResult(), env: ALICE }, { repo: REPO, issue: 1 });
    const outcome = await postComment(reviewed, client(), ALICE);
    expect(outcome).toMatchObject({ status: 'created', url: expect.stringMatching(/^https:\/\/github\.com\/anthropics\/claude-code\/issues\/1#issuecomment-\d+$/) });
    const posts = server.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.path)).toEqual(['/repos/anthropics/claude-code/issues/1/comments']);
    expect(posts[0]!.body).toEqual({ body: reviewed.body });
    expect(JSON.stringify(server.requests.map((r) => [r.path, r.query, r.body]))).not.toMatch(/xoxb|ops@example|alice/);
    expect(server.issues[0]!.comments).toBe(31);
  });

  it('gates an edited comment again before posting', async () => {
    const reviewed = await draftComment({ result: loadResult(), env: ALICE }, { repo: REPO, issue: 1 });
    await postComment({ ...reviewed, body: `${reviewed.body}Also ${SLACK} in /home/alice/notes.txt\n` }, client(), ALICE);
    const sent = (server.comments[0]!.body);
    expect(sent).toContain('Also [REDACTED:slack-token-1] in ~/notes.txt');
    expect(sent).not.toMatch(/xoxb|alice/);
  });

  it('on an issue that does not exist: a GitHubError with a hint, nothing posted', async () => {
    const reviewed = await draftComment({ result: loadResult(), env: ALICE }, { repo: REPO, issue: 99 });
    const outcome = await postComment(reviewed, client(), ALICE);
    expect(outcome.status).toBe('failed');
    const error = outcome.status === 'failed' ? outcome.error : undefined;
    expect(error).toBeInstanceOf(GitHubError);
    expect(error).toMatchObject({ kind: 'not-found', status: 404, message: 'Commenting on #99 failed: no issue #99 in anthropics/claude-code (404).' });
    expect(error!.hint).toBe('Check the issue number and --repo, and that the token can see the repository.');
    expect(server.comments).toHaveLength(0);
  });

  it('does not post twice after a dropped connection (a comment is not idempotent)', async () => {
    server.failNext({ method: 'POST' }, { kind: 'drop' });
    const reviewed = await draftComment({ result: loadResult(), env: ALICE }, { repo: REPO, issue: 1 });
    const outcome = await postComment(reviewed, client(), ALICE);
    expect(outcome.status).toBe('failed');
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });
});

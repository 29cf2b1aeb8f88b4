import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('../../../../src/extension/vscodeapi', () => import('../support/fakeVscodeApi'));
import { draftComment, draftCommentText } from '../../../../src/core/report/comment';
import { reportEnv, type DraftFlowDeps } from '../../../../src/extension/draft/flow';
import { commentOnIssue } from '../../../../src/extension/draft/github';
import { DraftPanel } from '../../../../src/extension/draft/panel';
import { reset, Uri, webviewPanels } from '../support/fakeVscodeApi';
import { startGitHubServer, type GitHubServer } from '../../../support/github-server';
import { WAIT } from '../../../support/wait';
import { loadResult } from '../../../fixtures/report/load';

// "Add to #N" in the draft view: the panel wired as flow.ts wires it (core draftComment, the extension's
// commentOnIssue with real @octokit/rest), against the loopback GitHub.
const REPO = 'anthropics/claude-code';
const TOKEN = 'gho_DraftViewTestTokenForTheLoopback00000';
const CONTEXT = { homeDir: '/home/dana', userName: 'dana', hostName: 'dana-laptop' };
const SLACK = 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';
const DRAFT = { title: '[BUG] Opus 4.8 safeguards refuse a prompt (cyber)', body: 'body', redactions: [], repo: REPO, labels: ['bug'] };

const settle = () => new Promise((r) => setTimeout(r, 0));
let server: GitHubServer;

beforeEach(async () => {
  reset();
  server = await startGitHubServer({ token: TOKEN, issues: [{ repo: REPO, title: 'Opus 4.8 refuses cyber work', comments: 40 }] });
});
afterEach(() => server.close());

function open(signedIn = true) {
  // A trigger holding a Slack token and a home path: neither may reach GitHub.
  const result = loadResult({ minimal: `token ${SLACK} in /home/dana/ops.txt` });
  const session = async () => (signedIn ? { accessToken: TOKEN, account: { label: 'dana' } } : undefined);
  const panel = new DraftPanel(Uri.file('/ext') as never, DRAFT, {
    file: () => Promise.reject(new Error('not in this test')),
    githubApiUrl: server.url,
    redactContext: CONTEXT,
    comment: {
      draft: (issue) => draftComment({ result, env: CONTEXT }, { repo: REPO, issue }, CONTEXT),
      post: (comment) => commentOnIssue({ githubApiUrl: server.url }, session, comment),
    },
  });
  return { panel, page: webviewPanels[webviewPanels.length - 1]! };
}

describe('Add to #N in the draft view', () => {
  it('shows the comment on "Add to #1", sends nothing, then posts exactly the shown text on "Post"', async () => {
    const { panel, page } = open();
    const shown = await panel.previewComment(1);
    expect(page.posted).toEqual([{ type: 'comment', issue: 1, body: shown!.body, redactions: shown!.redactions }]);
    expect(shown!.body).toContain('token [REDACTED:slack-token-1] in ~/ops.txt');
    expect(server.requests).toHaveLength(0);

    page.send({ type: 'commentPost', issue: 1 });
    await vi.waitFor(() => expect(server.comments).toHaveLength(1), WAIT);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /repos/anthropics/claude-code/issues/1/comments']);
    expect(server.comments[0]!.body).toBe(shown!.body);
    expect(JSON.stringify(server.requests.map((r) => r.body))).not.toMatch(/xoxb|dana/);
    await vi.waitFor(() => expect(page.posted).toContainEqual(expect.objectContaining({ type: 'status', text: 'Commented on #1:', level: 'ok' })), WAIT);
  });

  it('posts nothing for an issue whose comment was not shown, nor for a malformed message', async () => {
    const { panel, page } = open();
    page.send({ type: 'commentPost', issue: 1 });
    page.send({ type: 'commentPreview', issue: '1; DROP' });
    await settle();
    expect(page.posted).toEqual([expect.objectContaining({ type: 'status', text: 'Nothing posted: press "Add to #1" and review the comment first.' })]);
    await panel.previewComment(1);
    expect(await panel.postComment(2)).toBeUndefined();
    expect(server.requests).toHaveLength(0);
  });

  it('when not signed in: says so and posts nothing', async () => {
    const { panel, page } = open(false);
    await panel.previewComment(1);
    expect(await panel.postComment(1)).toBeUndefined();
    expect(page.posted).toContainEqual(expect.objectContaining({ type: 'status', level: 'error', text: expect.stringMatching(/^Not commented: Not signed in to GitHub: nothing was posted\./) }));
    expect(server.requests).toHaveLength(0);
  });
});

describe('the comment from the extension', () => {
  it('names aup-bisect once, with the extension version', () => {
    const deps = {
      context: { extension: { packageJSON: { version: '0.1.0' } } },
      settings: () => ({ targetRepo: REPO }),
    } as unknown as DraftFlowDeps;
    const env = reportEnv(deps, undefined);
    expect(env.toolVersion).toBe('0.1.0 (VS Code extension)');
    expect(draftCommentText({ result: loadResult(), env }).body).toContain('Found with aup-bisect 0.1.0 (VS Code extension) (23 probes, oracle `api`).');
  });
});

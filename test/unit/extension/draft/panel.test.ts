import { beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('../../../../src/extension/vscodeapi', () => import('../support/fakeVscodeApi'));
import { DraftPanel, type DraftPanelDeps, type DuplicateItem } from '../../../../src/extension/draft/panel';
import { clipboard, opened, reset, Uri, webviewPanels } from '../support/fakeVscodeApi';

const DRAFT = {
  title: '[BUG] Opus 4.8 safeguards refuse a prompt (cyber): reverse shell',
  body: '### Preflight Checklist\n\n- [ ] I have searched [existing issues](https://github.com/anthropics/claude-code/issues) and this hasn\'t been reported yet\n',
  redactions: [],
  repo: 'anthropics/claude-code',
  labels: ['bug'],
};
const CONTEXT = { homeDir: '/home/dana', userName: 'dana', hostName: 'dana-laptop' };
const QUERIES = ['repo:anthropics/claude-code is:issue safeguards "Opus 4.8" cyber', 'repo:anthropics/claude-code is:issue safeguards reverse shell'];
const FOUND: DuplicateItem[] = [{ number: 7, title: 'Opus 4.8 flags reverse shell notes', url: 'https://github.com/anthropics/claude-code/issues/7', state: 'open', comments: 3 }];

/** Lets the panel's async message handler run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

function open(run: () => Promise<DuplicateItem[]> = async () => [], options: { githubApiUrl?: string; file?: DraftPanelDeps['file'] } = {}) {
  const panel = new DraftPanel(Uri.file('/ext') as never, DRAFT, {
    file: options.file ?? (() => Promise.reject(new Error('not in this test'))),
    duplicates: { queries: QUERIES, endpoint: 'https://api.github.com/search/issues', run },
    githubApiUrl: options.githubApiUrl ?? 'https://api.github.com',
    redactContext: CONTEXT,
  });
  return { panel, page: webviewPanels[webviewPanels.length - 1]! };
}

describe('DraftPanel duplicate search', () => {
  beforeEach(reset);

  it('shows the exact queries and where they go when the view opens, and searches nothing', async () => {
    const run = vi.fn(async () => FOUND);
    const { page } = open(run);
    expect(page.webview.html).toContain('Search GitHub for duplicates');
    expect(page.webview.html).toContain('Not searched yet: nothing has been sent to GitHub.');
    page.send({ type: 'ready' });
    await settle();
    expect(page.posted).toEqual([
      expect.objectContaining({ type: 'draft', body: DRAFT.body, search: { queries: QUERIES, endpoint: 'https://api.github.com/search/issues' } }),
    ]);
    expect(run).not.toHaveBeenCalled();
  });

  it('searches when the button is pressed and sends the candidates to the page', async () => {
    const run = vi.fn(async () => FOUND);
    const { panel, page } = open(run);
    page.send({ type: 'ready' });
    page.send({ type: 'search' });
    await panel.duplicatesShown;
    expect(run).toHaveBeenCalledTimes(1);
    expect(page.posted).toContainEqual({ type: 'duplicates', items: FOUND, searched: true });
  });

  it('puts a failed search on the page with its reason, without claiming a search ran', async () => {
    const { panel, page } = open(async () => {
      throw new Error('could not reach GitHub (getaddrinfo ENOTFOUND api.github.com)');
    });
    page.send({ type: 'search' });
    await panel.duplicatesShown;
    expect(page.posted).toContainEqual({ type: 'duplicates', error: 'Duplicate search failed: could not reach GitHub (getaddrinfo ENOTFOUND api.github.com)' });
  });
});

describe('DraftPanel: what leaves for GitHub', () => {
  beforeEach(reset);

  const SECRET_EDIT = `${DRAFT.body}\nSeen with ANTHROPIC_API_KEY=sk-ant-api03-${'A1b2'.repeat(20)} in /home/dana/app on dana-laptop.\n`;

  it('opens the new-issue page on the GitHub Enterprise host the settings name, with the draft and its labels', async () => {
    const { panel } = open(undefined, { githubApiUrl: 'https://ghe.example.com/api/v3' });
    const url = new URL((await panel.openInBrowser())!);
    expect(`${url.origin}${url.pathname}`).toBe('https://ghe.example.com/anthropics/claude-code/issues/new');
    expect([url.searchParams.get('title'), url.searchParams.get('body'), url.searchParams.get('labels')]).toEqual([DRAFT.title, DRAFT.body, 'bug']);
    expect(opened.external).toEqual([url.toString()]);
  });

  it('never opens or copies an edit holding a secret: the view gets the redacted text first, and the next press sends that', async () => {
    const { panel, page } = open();
    page.send({ type: 'browser', title: DRAFT.title, body: SECRET_EDIT });
    await settle();
    expect(opened.external).toEqual([]);
    const redacted = page.posted.find((m) => (m as { type: string }).type === 'redacted') as { body: string; redactions: { kind: string }[] };
    expect(redacted.body).not.toContain('sk-ant-api03');
    expect(redacted.body).not.toContain('dana');
    expect(redacted.redactions.map((r) => r.kind)).toEqual(['anthropic-api-key', 'home-path', 'host-name']);
    expect(page.posted).toContainEqual(expect.objectContaining({ type: 'status', level: 'error', text: expect.stringMatching(/^Redacted 3 more items .* press "Open in Browser" again\.$/) }));

    // The page now shows the redacted text and sends it back with the next press.
    page.send({ type: 'browser', title: DRAFT.title, body: redacted.body });
    await settle();
    expect(opened.external).toHaveLength(1);
    expect(new URL(opened.external[0]!).searchParams.get('body')).toBe(redacted.body);

    page.send({ type: 'copy', title: DRAFT.title, body: SECRET_EDIT });
    await settle();
    expect(clipboard.text).toBe('');
    page.send({ type: 'copy', title: DRAFT.title, body: redacted.body });
    await settle();
    expect(clipboard.text).toBe(`# ${DRAFT.title}\n\n${redacted.body}`);
  });

  it('files only text that has passed redaction', async () => {
    const filed: string[] = [];
    const { panel, page } = open(undefined, { file: async (d) => (filed.push(d.body), { number: 12, url: 'https://github.com/anthropics/claude-code/issues/12' }) });
    page.send({ type: 'file', title: DRAFT.title, body: SECRET_EDIT });
    await settle();
    expect(filed).toEqual([]);
    expect(panel.filedIssue).toBeUndefined();
    expect(await panel.fileNow()).toEqual({ number: 12, url: 'https://github.com/anthropics/claude-code/issues/12' });
    expect(filed).toHaveLength(1);
    expect(filed[0]).not.toContain('sk-ant-api03');
  });

  it('ignores a message from the page that is not of the protocol', async () => {
    const { page } = open();
    page.send({ type: 'browser' });
    page.send('browser');
    await settle();
    expect(opened.external).toEqual([]);
    expect(page.posted).toEqual([]);
  });
});

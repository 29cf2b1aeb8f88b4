import { beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('../../../../src/extension/vscodeapi', () => import('../support/fakeVscodeApi'));
import type { DuplicateQuery } from '../../../../src/core/report/duplicates';
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
const QUERY: DuplicateQuery = { repo: 'anthropics/claude-code', model: 'Opus 4.8', category: 'cyber', kind: 'safeguards', triggerWords: ['reverse', 'shell'] };
const QUERIES = ['repo:anthropics/claude-code is:issue safeguards "Opus 4.8" cyber', 'repo:anthropics/claude-code is:issue safeguards reverse shell'];
const FOUND: DuplicateItem[] = [{ number: 7, title: 'Opus 4.8 flags reverse shell notes', url: 'https://github.com/anthropics/claude-code/issues/7', state: 'open', comments: 3 }];

/** Lets the panel's async message handler run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

function open(run: (query: DuplicateQuery) => Promise<DuplicateItem[]> = async () => [], options: { githubApiUrl?: string; file?: DraftPanelDeps['file'] } = {}) {
  const panel = new DraftPanel(Uri.file('/ext') as never, DRAFT, {
    file: options.file ?? (() => Promise.reject(new Error('not in this test'))),
    duplicates: { query: QUERY, endpoint: 'https://api.github.com/search/issues', run },
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

describe('DraftPanel: Redact Selection', () => {
  beforeEach(reset);

  const CODENAME = 'bluefalcon';
  const EDITED = { title: `${DRAFT.title} in ${CODENAME}`, body: `${DRAFT.body}\nInternal codename: ${CODENAME}. Ask ${CODENAME}'s owner.\n` };
  type Redacted = { type: 'redacted'; title: string; body: string; redactions: { kind: string; ruleSet?: string; field?: string }[] };
  const redactedMessages = (page: { posted: unknown[] }) => page.posted.filter((m): m is Redacted => (m as { type: string }).type === 'redacted');

  it('masks the selected text everywhere in the title and body, and lists each place with its kind and rule set', async () => {
    const { panel, page } = open();
    page.send({ type: 'redactSelection', text: ` ${CODENAME} `, ...EDITED });
    await settle();
    const [redacted] = redactedMessages(page);
    expect(redacted).toEqual({
      type: 'redacted',
      title: `${DRAFT.title} in [REDACTED:user-marked-1]`,
      body: `${DRAFT.body}\nInternal codename: [REDACTED:user-marked-1]. Ask [REDACTED:user-marked-1]'s owner.\n`,
      redactions: [
        expect.objectContaining({ kind: 'user-marked', ruleSet: 'aup-bisect', field: 'title' }),
        expect.objectContaining({ kind: 'user-marked', ruleSet: 'aup-bisect', field: 'body' }),
        expect.objectContaining({ kind: 'user-marked', ruleSet: 'aup-bisect', field: 'body' }),
      ],
      search: { queries: QUERIES, endpoint: 'https://api.github.com/search/issues' },
    });
    expect(panel.current).toEqual({ title: redacted!.title, body: redacted!.body, repo: DRAFT.repo });
    expect(page.posted).toContainEqual(expect.objectContaining({ type: 'status', level: 'ok', text: expect.stringMatching(/^Redacted the selected text in 3 places/) }));
  });

  it('keeps the mark: Copy Markdown and Open in Browser never carry the text, even typed in again', async () => {
    const { panel, page } = open();
    page.send({ type: 'redactSelection', text: CODENAME, ...EDITED });
    await settle();
    const [redacted] = redactedMessages(page);

    // Typed in again after marking: the gate, with the mark, replaces it, and nothing leaves this time.
    const retyped = { title: redacted!.title, body: `${redacted!.body}\nStill ${CODENAME}.\n` };
    page.send({ type: 'copy', ...retyped });
    await settle();
    expect(clipboard.text).toBe('');
    page.send({ type: 'browser', ...retyped });
    await settle();
    expect(opened.external).toEqual([]);
    expect(redactedMessages(page).at(-1)!.body).toBe(`${redacted!.body}\nStill [REDACTED:user-marked-1].\n`);

    // What the view now shows is what leaves.
    const markdown = await panel.copyMarkdown();
    const url = await panel.openInBrowser();
    expect(markdown).toBe(clipboard.text);
    expect(clipboard.text).toContain('Still [REDACTED:user-marked-1].');
    expect(opened.external).toEqual([url]);
    const link = new URL(url!).searchParams;
    for (const leaving of [clipboard.text, link.get('title')!, link.get('body')!]) expect(leaving).not.toContain(CODENAME);
  });

  it('also redacts what the rules find in the edits when it re-runs the gate', async () => {
    const { page } = open();
    page.send({ type: 'redactSelection', text: CODENAME, title: EDITED.title, body: `${EDITED.body}Mail dana.k@example.org\n` });
    await settle();
    const [redacted] = redactedMessages(page);
    expect(redacted!.body).not.toContain('dana.k@example.org');
    expect(redacted!.redactions.map((r) => r.kind)).toEqual(['user-marked', 'user-marked', 'user-marked', 'email']);
    expect(page.posted).toContainEqual(expect.objectContaining({ type: 'status', text: expect.stringContaining('The rules also redacted 1 item in the edits') }));
  });

  it('says so, and changes nothing, when the selection is empty or not in the text', async () => {
    const { panel, page } = open();
    page.send({ type: 'redactSelection', text: '  \n', ...EDITED });
    await settle();
    page.send({ type: 'redactSelection', text: 'redfalcon', ...EDITED });
    await settle();
    expect(panel.current).toEqual({ ...EDITED, repo: DRAFT.repo });
    expect(page.posted).toEqual([
      expect.objectContaining({ type: 'status', level: 'error', text: 'Select the text to redact in the title or body first, then press "Redact Selection".' }),
      // The text is sent back as it was (the search strings shown could have changed: see below).
      { type: 'redacted', ...EDITED, redactions: [], search: { queries: QUERIES, endpoint: 'https://api.github.com/search/issues' } },
      expect.objectContaining({ type: 'status', level: 'error', text: 'The selected text is not in the title or body as it stands (already redacted?).' }),
    ]);
  });

  it('offers the button, and ignores a Redact Selection message without its text', async () => {
    const { panel, page } = open();
    expect(page.webview.html).toContain('<button id="redactSelection"');
    page.send({ type: 'redactSelection', ...EDITED });
    await settle();
    expect(page.posted).toEqual([]);
    expect(panel.current.body).toBe(DRAFT.body);
  });
});

describe('DraftPanel: Redact Selection and the duplicate search', () => {
  beforeEach(reset);

  it('drops a marked word from the search strings shown and from the search that runs', async () => {
    const run = vi.fn(async (_query: DuplicateQuery) => FOUND);
    const { panel, page } = open(run);
    page.send({ type: 'redactSelection', text: 'Reverse', title: DRAFT.title, body: DRAFT.body });
    await settle();
    const shownQueries = ['repo:anthropics/claude-code is:issue safeguards "Opus 4.8" cyber', 'repo:anthropics/claude-code is:issue safeguards shell'];
    expect(page.posted).toContainEqual(expect.objectContaining({ type: 'redacted', search: { queries: shownQueries, endpoint: 'https://api.github.com/search/issues' } }));
    page.send({ type: 'search' });
    await panel.duplicatesShown;
    expect(run).toHaveBeenCalledWith({ ...QUERY, triggerWords: ['shell'] });
  });
});

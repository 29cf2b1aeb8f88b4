import { beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('vscode', () => import('./vscode-mock'));
import { DraftPanel, type DuplicateItem } from '../../../src/extension/draftPanel';
import { clipboard, reset, Uri, webviewPanels } from './vscode-mock';

const DRAFT = {
  title: '[BUG] Opus 4.8 safeguards refuse a prompt (cyber): reverse shell',
  body: '### Preflight Checklist\n\n- [ ] I have searched [existing issues](https://github.com/anthropics/claude-code/issues) and this hasn\'t been reported yet\n',
  redactions: [],
  repo: 'anthropics/claude-code',
};
const QUERIES = ['repo:anthropics/claude-code is:issue safeguards "Opus 4.8" cyber', 'repo:anthropics/claude-code is:issue safeguards reverse shell'];
const FOUND: DuplicateItem[] = [{ number: 7, title: 'Opus 4.8 flags reverse shell notes', url: 'https://github.com/anthropics/claude-code/issues/7', state: 'open', comments: 3 }];

/** Lets the panel's async message handler run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

function open(run: () => Promise<DuplicateItem[]>) {
  const panel = new DraftPanel(Uri.file('/ext') as never, DRAFT, {
    file: () => Promise.reject(new Error('not in this test')),
    duplicates: { queries: QUERIES, endpoint: 'https://api.github.com/search/issues', run },
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

describe('DraftPanel redaction', () => {
  beforeEach(reset);
  const KEY = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';

  it('redacts text the user marks, everywhere it occurs, and lists it with its kind', async () => {
    const { panel, page } = open(async () => []);
    const body = `${DRAFT.body}\nInternal codename: bluefalcon. Ask bluefalcon's owner.\n`;
    page.send({ type: 'mark', text: 'bluefalcon', title: DRAFT.title, body });
    await vi.waitFor(() => expect(page.posted.some((m) => (m as { type: string }).type === 'redacted')).toBe(true));
    const redacted = page.posted.find((m) => (m as { type: string }).type === 'redacted') as { body: string; redactions: Array<{ kind: string }> };
    expect(redacted.body).not.toContain('bluefalcon');
    expect(redacted.body).toContain('Internal codename: [REDACTED:user-marked-1]. Ask [REDACTED:user-marked-1]');
    expect(redacted.redactions.map((r) => r.kind)).toContain('user-marked');
    expect(panel.current.body).toBe(redacted.body);
  });

  it('copies the edited text only after the gate has run over it again', async () => {
    const { page } = open(async () => []);
    page.send({ type: 'copy', title: DRAFT.title, body: `${DRAFT.body}\ntoken ${KEY}\n` });
    await vi.waitFor(() => expect(page.posted.some((m) => (m as { type: string }).type === 'status')).toBe(true));
    expect(clipboard.text).not.toContain(KEY);
    expect(clipboard.text).toContain('[REDACTED:github-token-1]');
  });
});

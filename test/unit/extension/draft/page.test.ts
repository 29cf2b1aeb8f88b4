/**
 * The draft view's own script (media/draft.js) in a real headless Chromium: the page the panel serves, with
 * `acquireVsCodeApi` standing in for the webview host and recording what the page posts. This is where a selection
 * becomes a 'redactSelection' message and a redaction becomes a highlighted placeholder with its kind and rule set.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('../../../../src/extension/vscodeapi', () => import('../support/fakeVscodeApi'));
import type { Redaction } from '../../../../src/core/report/redact';
import { DraftPanel } from '../../../../src/extension/draft/panel';
import type { DraftFromView, DraftToView } from '../../../../src/extension/webview/protocol';
import { reset, Uri, webviewPanels } from '../support/fakeVscodeApi';

// The browser the integration tests use (scripts/setup-vscode.sh installs it); never downloaded here.
const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-headless-shell'].find(existsSync);
const SCRIPT = readFileSync(path.join(__dirname, '../../../../media/draft.js'), 'utf8');

const TOKEN_REDACTION: Redaction = { kind: 'github-token', ruleSet: 'secretlint', placeholder: '[REDACTED:github-token-1]', line: 3, column: 5, length: 40, field: 'body' };
const HOME_REDACTION: Redaction = { kind: 'home-path', ruleSet: 'aup-bisect', placeholder: '~', line: 4, column: 4, length: 10, field: 'body' };
const DRAFT: Extract<DraftToView, { type: 'draft' }> = {
  type: 'draft',
  title: 'Refused: reverse shell notes',
  body: '### What happened\n\nkey [REDACTED:github-token-1] used\nin ~/app, about ~300 tokens; codename bluefalcon\n',
  repo: 'anthropics/claude-code',
  redactions: [TOKEN_REDACTION, HOME_REDACTION],
};

let browser: Browser | undefined;
let page: Page;

/** The body of the page the panel serves (its CSP and nonce'd script tag are the host's business, not tested here). */
function panelBody(): string {
  reset();
  new DraftPanel(Uri.file('/ext') as never, { title: '', body: '', repo: DRAFT.repo, labels: [], redactions: [] }, {
    file: () => Promise.reject(new Error('not in this test')),
    githubApiUrl: 'https://api.github.com',
    redactContext: {},
  });
  const html = webviewPanels[0]!.webview.html;
  return html.slice(html.indexOf('<body>') + '<body>'.length, html.indexOf('<script'));
}

// Code run in the page is given as text: this project's TypeScript has no DOM types (only media/ has).
const posted = (): Promise<DraftFromView[]> => page.evaluate('window.posted');
const toPage = (message: DraftToView): Promise<void> => page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);
/** Focuses the field with `id` and selects `text` in it, as a user dragging over it would. */
const select = (id: 'title' | 'body', text: string): Promise<void> =>
  page.evaluate(`{
    const field = document.getElementById(${JSON.stringify(id)});
    const at = field.value.indexOf(${JSON.stringify(text)});
    field.focus();
    field.setSelectionRange(at, at + ${text.length});
  }`);

beforeAll(async () => {
  if (!CHROMIUM) return;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
});
afterAll(() => browser?.close());

describe.skipIf(!CHROMIUM)('the draft page (media/draft.js)', () => {
  beforeEach(async () => {
    page = await browser!.newPage();
    await page.setContent(`<!DOCTYPE html><html><body>${panelBody()}</body></html>`);
    await page.evaluate(`
      window.posted = [];
      window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => undefined, setState: () => {} });
    `);
    await page.addScriptTag({ content: SCRIPT });
    await toPage(DRAFT);
    await page.waitForFunction(`document.getElementById('title').value !== ''`);
  });

  it('lists each redaction with its kind and the rule set that found it', async () => {
    expect(await page.locator('#redactions li').allTextContents()).toEqual([
      "[REDACTED:github-token-1] github-token, secretlint's recommended preset (body line 3, 40 chars removed)",
      "~ home-path, aup-bisect's own rules (body line 4, 10 chars removed)",
    ]);
  });

  it('highlights the placeholders in the preview, naming the kind of those that do not say it, and no other "~"', async () => {
    const marks = page.locator('#preview mark');
    expect(await marks.allTextContents()).toEqual(['[REDACTED:github-token-1]', '~']);
    expect(await Promise.all((await marks.all()).map((m) => m.getAttribute('title')))).toEqual([
      "github-token (secretlint's recommended preset)",
      "home-path (aup-bisect's own rules)",
    ]);
    expect(await page.locator('#preview .kind').allTextContents()).toEqual(['home-path']);
    expect(await page.locator('#placeholderCount').textContent()).toBe('2 placeholders in the title and body');
  });

  it('sends the text selected in the body with Redact Selection, with the title and body as edited', async () => {
    await select('body', 'bluefalcon');
    await page.click('#redactSelection');
    expect((await posted()).at(-1)).toEqual({ type: 'redactSelection', text: 'bluefalcon', title: DRAFT.title, body: DRAFT.body });
  });

  it('sends the selection in the title when the title had it last', async () => {
    await select('title', 'reverse shell');
    await page.click('#redactSelection');
    expect((await posted()).at(-1)).toEqual({ type: 'redactSelection', text: 'reverse shell', title: DRAFT.title, body: DRAFT.body });
  });

  it('shows the redacted text, the new list and the search strings the extension sends back after a mark', async () => {
    const marked: Redaction = { kind: 'user-marked', ruleSet: 'aup-bisect', placeholder: '[REDACTED:user-marked-1]', line: 4, column: 36, length: 10, field: 'body' };
    await toPage({
      type: 'redacted',
      title: DRAFT.title,
      body: DRAFT.body.replace('bluefalcon', '[REDACTED:user-marked-1]'),
      redactions: [TOKEN_REDACTION, HOME_REDACTION, marked],
      search: { queries: ['repo:anthropics/claude-code is:issue safeguards shell'], endpoint: 'https://api.github.com/search/issues' },
    });
    await page.waitForFunction(`document.querySelectorAll('#redactions li').length === 3`);
    expect(await page.inputValue('#body')).not.toContain('bluefalcon');
    expect(await page.locator('#redactions li').last().textContent()).toBe('[REDACTED:user-marked-1] user-marked, marked by you (body line 4, 10 chars removed)');
    expect(await page.locator('#preview mark').last().getAttribute('title')).toBe('user-marked (marked by you)');
    expect(await page.locator('#searchQueries li').allTextContents()).toEqual(['repo:anthropics/claude-code is:issue safeguards shell']);
  });
});

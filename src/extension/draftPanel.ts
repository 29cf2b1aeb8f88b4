/**
 * The issue draft view: editable title and markdown body, the redactions listed and highlighted, the exact duplicate
 * search queries with a "Search GitHub for duplicates" button, and File / Open in Browser / Copy. Nothing is sent
 * anywhere until the user presses a button: the search too sends words of the (redacted) trigger to GitHub.
 */
import type * as vscode from 'vscode';
import type { IssueDraft } from '../core/report/draft';
import { clipboardMarkdown } from '../core/report/exits';
import { browserIssueUrl } from '../core/report/file';
import { gateDraft, type GateContext } from '../core/report/gate';
import { log } from './logger';
import { createWebviewPanel, openExternal, writeClipboard } from './vscodeapi';
import { webviewHtml } from './webview';

export interface DuplicateItem {
  number: number;
  title: string;
  url: string;
  state: string;
  comments?: number;
}

export interface FiledIssue {
  number: number;
  url: string;
}

/** The duplicate search the view offers: exactly what is sent, shown before the user asks for it. */
export interface DuplicateSearch {
  /** The search strings (GitHub issue search syntax), each sent as `q`. */
  queries: string[];
  /** Where they go, e.g. https://api.github.com/search/issues. */
  endpoint: string;
  run(): Promise<DuplicateItem[]>;
}

export interface DraftPanelDeps {
  /** Files the (edited) draft; throws with a message a person can act on. */
  file(draft: { title: string; body: string; repo: string }): Promise<FiledIssue>;
  /** Absent: no search is offered (nothing to search by). */
  duplicates?: DuplicateSearch;
  /** The user's home, name and host for the exit gate; the browser link's host comes from `apiUrl` (GHE too). */
  redactContext?: GateContext;
  apiUrl?: string;
}

type FromView =
  | { type: 'ready' }
  | { type: 'search' }
  | { type: 'edit' | 'file' | 'browser' | 'copy'; title: string; body: string }
  | { type: 'mark'; text: string; title: string; body: string };

/** GitHub's "new issue" URL, prefilled; long bodies are cut to stay under browsers' URL limits. */
export function newIssueUrl(repo: string, title: string, body: string, webBase = 'https://github.com'): string {
  const limit = 6000;
  const cut = body.length > limit ? `${body.slice(0, limit)}\n\n[... cut to fit a URL: paste the rest from "Copy" in VS Code]` : body;
  return `${webBase}/${repo}/issues/new?${new URLSearchParams({ title, body: cut })}`;
}

export class DraftPanel {
  readonly panel: vscode.WebviewPanel;
  private title: string;
  private body: string;
  private filed: FiledIssue | undefined;
  disposed = false;
  private readonly filedListeners: ((issue: FiledIssue) => void)[] = [];
  private markDuplicatesShown: () => void = () => {};
  /** Settles once a search the user asked for has put its candidates (or its failure) on screen. */
  readonly duplicatesShown = new Promise<void>((resolve) => (this.markDuplicatesShown = resolve));
  private searching = false;
  /** Text the user marked to redact: the gate replaces every occurrence, now and at every exit. */
  private readonly marks: string[] = [];
  private redactions: IssueDraft['redactions'];

  constructor(extensionUri: vscode.Uri, private readonly draft: IssueDraft, private readonly deps: DraftPanelDeps) {
    this.title = draft.title;
    this.body = draft.body;
    this.redactions = draft.redactions;
    this.panel = createWebviewPanel('aupBisect.draft', 'Draft GitHub Issue', {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [extensionUri.with({ path: `${extensionUri.path}/media` })],
    });
    this.panel.webview.onDidReceiveMessage((message: FromView) => void this.receive(message));
    this.panel.onDidDispose(() => (this.disposed = true));
    this.panel.webview.html = webviewHtml({
      webview: this.panel.webview,
      extensionUri,
      title: 'Draft GitHub Issue',
      script: 'draft.js',
      style: 'draft.css',
      body: `
<h1>Draft GitHub Issue for <span id="repo"></span></h1>
<p class="muted">Review everything below before filing: it becomes public. Secrets, e-mail addresses, home paths,
user and host names were replaced by placeholders (highlighted).</p>
<div class="actions">
  <button id="file">File Issue on GitHub</button>
  <button id="browser" class="secondary">Open in Browser</button>
  <button id="copy" class="secondary">Copy Markdown</button>
  <button id="mark" class="secondary" title="Select text in the title or body first">Redact Selection</button>
</div>
<div id="status" class="status"></div>
<div class="columns">
  <div>
    <label for="title">Title</label>
    <input type="text" id="title">
    <label for="body">Body (markdown)</label>
    <textarea id="body" spellcheck="false"></textarea>
  </div>
  <div>
    <h2>Redactions</h2>
    <div id="placeholderCount" class="muted"></div>
    <ul id="redactions" class="plain"></ul>
    <h2>Possible duplicates</h2>
    <div id="search">
      <p class="muted">The search sends these queries (words of the redacted trigger) to <code id="searchEndpoint"></code>:</p>
      <ul id="searchQueries" class="plain"></ul>
      <button id="searchButton" class="secondary">Search GitHub for duplicates</button>
    </div>
    <ul id="duplicates" class="plain"><li class="muted">Not searched yet: nothing has been sent to GitHub.</li></ul>
    <h2>Preview of placeholders</h2>
    <pre id="preview" class="preview"></pre>
  </div>
</div>`,
    });
  }

  /** The draft as currently edited in the view. */
  get current(): { title: string; body: string; repo: string } {
    return { title: this.title, body: this.body, repo: this.draft.repo };
  }

  get filedIssue(): FiledIssue | undefined {
    return this.filed;
  }

  onDidFile(listener: (issue: FiledIssue) => void): void {
    this.filedListeners.push(listener);
  }

  /** Files what the view currently shows (also used by the "File GitHub Issue" command). */
  async fileNow(): Promise<FiledIssue | undefined> {
    if (this.filed) {
      void this.status(`Already filed as #${this.filed.number}.`, 'ok', this.filed.url);
      return this.filed;
    }
    void this.status('Filing...', '', undefined, true);
    try {
      this.filed = await this.deps.file(this.current);
      void this.status(`Filed as #${this.filed.number}:`, 'ok', this.filed.url);
      for (const listener of this.filedListeners) listener(this.filed);
      return this.filed;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.error('filing the issue failed', error);
      void this.status(`Not filed: ${message}`, 'error');
      return undefined;
    }
  }

  private async receive(message: FromView): Promise<void> {
    if (message.type === 'ready') {
      const search = this.deps.duplicates;
      await this.panel.webview.postMessage({
        type: 'draft', title: this.title, body: this.body, repo: this.draft.repo, redactions: this.redactions,
        search: search ? { queries: search.queries, endpoint: search.endpoint } : undefined,
      });
      return;
    }
    if (message.type === 'search') {
      await this.searchDuplicates();
      return;
    }
    this.title = message.title;
    this.body = message.body;
    if (message.type === 'mark') await this.mark(message.text);
    else if (message.type === 'file') await this.fileNow();
    // Both leave the machine, so both pass the exit gate (with the user's marks) over exactly what leaves.
    else if (message.type === 'browser') await openExternal((await browserIssueUrl({ ...this.draft, ...this.current }, { apiUrl: this.deps.apiUrl }, this.gateContext)).url);
    else if (message.type === 'copy') {
      await writeClipboard(await clipboardMarkdown({ ...this.current, fakes: this.draft.fakes }, this.gateContext));
      void this.status('Copied the title and body to the clipboard (redacted again).', 'ok');
    }
  }

  private get gateContext(): GateContext {
    return { ...this.deps.redactContext, marks: this.marks, allow: this.draft.fakes };
  }

  /** Marks text to redact and re-runs the gate over the edited draft; the view shows the new placeholders. */
  async mark(text: string): Promise<void> {
    if (text.trim().length === 0) return;
    this.marks.push(text);
    const gated = await gateDraft(this.current, this.gateContext);
    this.title = gated.title;
    this.body = gated.body;
    this.redactions = [...this.redactions, ...gated.redactions];
    await this.panel.webview.postMessage({ type: 'redacted', title: this.title, body: this.body, redactions: this.redactions });
  }

  /** Runs the search the view showed, on the user's click only. */
  async searchDuplicates(): Promise<void> {
    const search = this.deps.duplicates;
    if (!search || this.searching) return;
    this.searching = true;
    try {
      const items = await search.run();
      await this.panel.webview.postMessage({ type: 'duplicates', items, searched: true });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.warn(`duplicate search failed: ${message}`);
      await this.panel.webview.postMessage({ type: 'duplicates', error: `Duplicate search failed: ${message}` });
    } finally {
      this.searching = false;
      this.markDuplicatesShown();
    }
  }

  private status(text: string, level: string, url?: string, busy = false): Thenable<boolean> {
    return this.panel.webview.postMessage({ type: 'status', text, level, url, busy });
  }
}

/**
 * The issue draft view: editable title and markdown body, the redactions listed and highlighted with their kind and
 * rule set, "Redact Selection" for what the rules missed (the user's marks, kept here and given to the exit gate at
 * every exit), the exact duplicate search queries with a "Search GitHub for duplicates" button, and File / Open in
 * Browser / Copy. Nothing is sent anywhere until the user presses a button: the search too sends words of the
 * (redacted) trigger to GitHub. Next to each open candidate, "Add to #N" shows the compact comment
 * (core/report/comment.ts) and "Post" sends exactly that.
 */
import type * as vscode from 'vscode';
import type { IssueComment } from '../../core/report/comment';
import type { IssueDraft } from '../../core/report/draft';
import { searchQueries, withoutMarked, type DuplicateQuery } from '../../core/report/duplicates';
import type { GateContext } from '../../core/report/gate';
import type { RedactContext } from '../../core/report/redact';
import { errorText } from '../errors';
import { log } from '../logger';
import { createWebviewPanel, openExternal, writeClipboard } from '../vscodeapi';
import { webviewHtml } from '../webview/html';
import {
  isDraftFromView,
  type DraftAction,
  type DraftFromView,
  type DraftToView,
  type DuplicateItem,
  type DuplicateSearchInfo,
  type StatusLevel,
} from '../webview/protocol';
import { browserLink, clipboardMarkdown, commentOutgoing, redactOutgoing, type Outgoing } from './outgoing';

export type { DuplicateItem } from '../webview/protocol';

export interface FiledIssue {
  number: number;
  url: string;
}

/** The duplicate search the view offers: exactly what is sent, shown before the user asks for it. */
export interface DuplicateSearch {
  /** What is searched for; the view shows its search strings (searchQueries), less what the user marked. */
  query: DuplicateQuery;
  /** Where they go, e.g. https://api.github.com/search/issues. */
  endpoint: string;
  /** Searches for `query` (the one shown, with the user's marks taken out). */
  run(query: DuplicateQuery): Promise<DuplicateItem[]>;
}

export interface DraftPanelDeps {
  /** Files the (edited, redacted) draft; throws with a message a person can act on. */
  file(draft: { title: string; body: string; repo: string }): Promise<FiledIssue>;
  /** Absent: no search is offered (nothing to search by). */
  duplicates?: DuplicateSearch;
  /** Absent: no "Add to #N". */
  comment?: {
    /** The comment for issue N, drafted and gated. */
    draft(issue: number): Promise<IssueComment>;
    /** Posts it; throws with a message a person can act on. */
    post(comment: IssueComment): Promise<{ url: string }>;
  };
  /** The GitHub API the settings name (api.github.com or an Enterprise host's /api/v3): the browser link goes to its web host. */
  githubApiUrl: string;
  /** The user's home, user and host names, redacted from whatever leaves. */
  redactContext: RedactContext;
}

/** The buttons' names, for the status line that asks the user to press one again. */
const BUTTON: Record<Exclude<DraftAction, 'edit'>, string> = {
  file: 'File Issue on GitHub',
  browser: 'Open in Browser',
  copy: 'Copy Markdown',
};

export class DraftPanel {
  readonly panel: vscode.WebviewPanel;
  private title: string;
  private body: string;
  /** What redaction replaced, in the draft as made and in the user's edits since. */
  private readonly redactions: IssueDraft['redactions'];
  /** Text the user marked with "Redact Selection": the gate masks every occurrence, now and at every exit. */
  private readonly marks: string[] = [];
  private filed: FiledIssue | undefined;
  disposed = false;
  private readonly filedListeners: ((issue: FiledIssue) => void)[] = [];
  private markDuplicatesShown: () => void = () => {};
  /** Settles once a search the user asked for has put its candidates (or its failure) on screen. */
  readonly duplicatesShown = new Promise<void>((resolve) => (this.markDuplicatesShown = resolve));
  private searching = false;
  /** The comment last shown for review: "Post" sends this text, never text from the page. */
  private shownComment: IssueComment | undefined;

  constructor(extensionUri: vscode.Uri, private readonly draft: IssueDraft, private readonly deps: DraftPanelDeps) {
    this.title = draft.title;
    this.body = draft.body;
    this.redactions = [...draft.redactions];
    this.panel = createWebviewPanel('aupBisect.draft', 'Draft GitHub Issue', {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [extensionUri.with({ path: `${extensionUri.path}/media` })],
    });
    this.panel.webview.onDidReceiveMessage((message: unknown) => {
      if (isDraftFromView(message)) void this.receive(message);
    });
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
user and host names were replaced by placeholders (highlighted). To hide anything else, select it in the title or body
and press "Redact Selection".</p>
<div class="actions">
  <button id="file">File Issue on GitHub</button>
  <button id="browser" class="secondary">Open in Browser</button>
  <button id="copy" class="secondary">Copy Markdown</button>
  <button id="redactSelection" class="secondary" title="Select text in the title or body first: it is replaced wherever it occurs, in any letter case">Redact Selection</button>
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
    <div id="comment" hidden>
      <h2 id="commentHeading"></h2>
      <p class="muted">Exactly the text that will be posted (redacted):</p>
      <pre id="commentText" class="preview"></pre>
      <button id="commentPost">Post</button>
    </div>
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
    const out = await this.outgoing('file');
    if (!out) return undefined;
    void this.status('Filing...', '', undefined, true);
    try {
      this.filed = await this.deps.file({ title: out.title, body: out.body, repo: this.draft.repo });
      void this.status(`Filed as #${this.filed.number}:`, 'ok', this.filed.url);
      for (const listener of this.filedListeners) listener(this.filed);
      return this.filed;
    } catch (error) {
      log.error('filing the issue failed', error);
      void this.status(`Not filed: ${errorText(error)}`, 'error');
      return undefined;
    }
  }

  /** Opens GitHub's new-issue page prefilled with the redacted draft, on the configured GitHub host. */
  async openInBrowser(): Promise<string | undefined> {
    const out = await this.outgoing('browser');
    if (!out) return undefined;
    const link = await browserLink({ title: out.title, body: out.body, repo: this.draft.repo, labels: this.draft.labels, fakes: this.draft.fakes }, this.deps.githubApiUrl, this.gateContext);
    await openExternal(link.url);
    void this.status(
      link.truncated
        ? 'Opened a prefilled new-issue page; the body was cut to fit in a link: press "Copy Markdown" and paste the full text there.'
        : 'Opened a prefilled new-issue page in the browser.',
      'ok',
    );
    return link.url;
  }

  /** Puts the redacted draft on the clipboard as markdown. */
  async copyMarkdown(): Promise<string | undefined> {
    const out = await this.outgoing('copy');
    if (!out) return undefined;
    const markdown = await clipboardMarkdown({ ...out, fakes: this.draft.fakes }, this.gateContext);
    await writeClipboard(markdown);
    void this.status('Copied the title and body to the clipboard.', 'ok');
    return markdown;
  }

  /**
   * The edited text as it may leave. When redaction finds something in the user's edits, the view is given the
   * redacted text and told what was replaced, and nothing leaves this time: what is sent is always what was shown.
   */
  private async outgoing(action: Exclude<DraftAction, 'edit'>): Promise<Outgoing | undefined> {
    const out = await redactOutgoing({ title: this.title, body: this.body }, this.gateContext, this.draft.fakes);
    if (out.title === this.title && out.body === this.body) return out;
    this.title = out.title;
    this.body = out.body;
    this.redactions.push(...out.redactions);
    await this.post({ type: 'redacted', title: out.title, body: out.body, redactions: this.redactions });
    const n = out.redactions.length;
    void this.status(`Redacted ${n} more item${n === 1 ? '' : 's'} in the edited text (listed and highlighted). Nothing was sent: review it, then press "${BUTTON[action]}" again.`, 'error');
    return undefined;
  }

  /** What the exit gate is given from this view: who the user is, and what the user marked. */
  private get gateContext(): GateContext {
    return { ...this.deps.redactContext, marks: [...this.marks] };
  }

  /**
   * Adds `selected` to the user's marks and runs the gate again over the text as edited; the view is given the
   * result and the list of what was replaced. Surrounding white space is not part of the mark, so the same word
   * elsewhere is found too. Returns how many places the mark replaced (0: it is not in the text as it stands).
   */
  async redactSelection(selected: string): Promise<number> {
    const mark = selected.trim();
    if (mark.length === 0) {
      void this.status('Select the text to redact in the title or body first, then press "Redact Selection".', 'error');
      return 0;
    }
    if (!this.marks.includes(mark)) this.marks.push(mark);
    const out = await redactOutgoing({ title: this.title, body: this.body }, this.gateContext, this.draft.fakes);
    const marked = out.redactions.filter((r) => r.kind === 'user-marked').length;
    if (out.redactions.length > 0) {
      this.title = out.title;
      this.body = out.body;
      this.redactions.push(...out.redactions);
    }
    // Posted even when the text did not change: the search strings shown may have lost a marked word.
    await this.post({ type: 'redacted', title: this.title, body: this.body, redactions: this.redactions, search: this.searchInfo() });
    const others = out.redactions.length - marked;
    const more = others > 0 ? ` The rules also redacted ${others} item${others === 1 ? '' : 's'} in the edits (listed and highlighted).` : '';
    void this.status(
      marked === 0
        ? `The selected text is not in the title or body as it stands (already redacted?).${more}`
        : `Redacted the selected text in ${marked} place${marked === 1 ? '' : 's'} (listed and highlighted); it stays redacted if it is typed again.${more}`,
      marked === 0 ? 'error' : 'ok',
    );
    return marked;
  }

  private async receive(message: DraftFromView): Promise<void> {
    if (message.type === 'ready') {
      await this.post({
        type: 'draft', title: this.title, body: this.body, repo: this.draft.repo, redactions: this.redactions,
        search: this.searchInfo(),
      });
      return;
    }
    if (message.type === 'search') {
      await this.searchDuplicates();
      return;
    }
    if (message.type === 'commentPreview') {
      await this.previewComment(message.issue);
      return;
    }
    if (message.type === 'commentPost') {
      await this.postComment(message.issue);
      return;
    }
    this.title = message.title;
    this.body = message.body;
    if (message.type === 'redactSelection') await this.redactSelection(message.text);
    else if (message.type === 'file') await this.fileNow();
    else if (message.type === 'browser') await this.openInBrowser();
    else if (message.type === 'copy') await this.copyMarkdown();
  }

  /** The duplicate search as it would run now: the user's marks are not searched for. */
  private searchQuery(): DuplicateQuery | undefined {
    const search = this.deps.duplicates;
    return search ? withoutMarked(search.query, this.marks) : undefined;
  }

  private searchInfo(): DuplicateSearchInfo | undefined {
    const query = this.searchQuery();
    return query && this.deps.duplicates ? { queries: searchQueries(query), endpoint: this.deps.duplicates.endpoint } : undefined;
  }

  /** "Add to #N": drafts the comment, gates it and shows it; nothing is sent. */
  async previewComment(issue: number): Promise<IssueComment | undefined> {
    if (!this.deps.comment) return undefined;
    try {
      const comment = await commentOutgoing(await this.deps.comment.draft(issue), this.deps.redactContext);
      this.shownComment = comment;
      await this.post({ type: 'comment', issue, body: comment.body, redactions: comment.redactions });
      return comment;
    } catch (error) {
      void this.status(`No comment for #${issue}: ${errorText(error)}`, 'error');
      return undefined;
    }
  }

  /** "Post": sends the comment shown for `issue`, through the gate once more; anything else is refused. */
  async postComment(issue: number): Promise<{ url: string } | undefined> {
    const shown = this.shownComment;
    if (!this.deps.comment || !shown || shown.issue !== issue) {
      void this.status(`Nothing posted: press "Add to #${issue}" and review the comment first.`, 'error');
      return undefined;
    }
    const out = await commentOutgoing(shown, this.deps.redactContext);
    if (out.body !== shown.body) {
      // Cannot happen with the gate idempotent; if it ever does, what is sent must still be what was shown.
      this.shownComment = out;
      await this.post({ type: 'comment', issue, body: out.body, redactions: out.redactions });
      void this.status('The comment changed under redaction: review it, then press "Post" again.', 'error');
      return undefined;
    }
    void this.status(`Commenting on #${issue}...`, '', undefined, true);
    try {
      const posted = await this.deps.comment.post(out);
      this.shownComment = undefined;
      void this.status(`Commented on #${issue}:`, 'ok', posted.url);
      return posted;
    } catch (error) {
      log.error('commenting failed', error);
      void this.status(`Not commented: ${errorText(error)}`, 'error');
      return undefined;
    }
  }

  /** Runs the search the view showed, on the user's click only. */
  async searchDuplicates(): Promise<void> {
    const search = this.deps.duplicates;
    if (!search || this.searching) return;
    this.searching = true;
    try {
      const items = await search.run(this.searchQuery() ?? search.query);
      await this.post({ type: 'duplicates', items, searched: true });
    } catch (error) {
      const message = errorText(error);
      log.warn(`duplicate search failed: ${message}`);
      await this.post({ type: 'duplicates', error: `Duplicate search failed: ${message}` });
    } finally {
      this.searching = false;
      this.markDuplicatesShown();
    }
  }

  private status(text: string, level: StatusLevel, url?: string, busy = false): Thenable<boolean> {
    return this.post({ type: 'status', text, level, url, busy });
  }

  private post(message: DraftToView): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }
}

/**
 * What leaves the editor for GitHub from the draft view, by any of its three ways (File, Open in Browser, Copy
 * Markdown): the edited text passes the core's redaction here, the one place the extension calls it, and the
 * browser link is the core's new-issue URL for the configured GitHub (Enterprise hosts included), the same code
 * `fileIssue` uses for its fallback link.
 */
import { draftToMarkdown, type IssueDraft } from '../../core/report/draft';
import { newIssueUrl } from '../../core/report/file';
import { webUrlFor } from '../../core/report/github';
import { redact, type RedactContext, type Redaction } from '../../core/report/redact';

export interface DraftText {
  title: string;
  body: string;
}

/** The text as it may leave, and what redaction replaced in it just now (empty: it was already safe). */
export interface Outgoing extends DraftText {
  redactions: Redaction[];
}

/** Title and body through the core's redaction (idempotent: already redacted text comes back unchanged). */
export function redactOutgoing(text: DraftText, ctx: RedactContext): Outgoing {
  const title = redact(text.title, ctx);
  const body = redact(text.body, ctx);
  return {
    title: title.text,
    body: body.text,
    redactions: [...title.redactions.map((r) => ({ ...r, field: 'title' })), ...body.redactions.map((r) => ({ ...r, field: 'body' }))],
  };
}

/** The prefilled new-issue page on the GitHub that `githubApiUrl` belongs to, cut to fit a URL when long. */
export function browserLink(draft: DraftText & Pick<IssueDraft, 'repo' | 'labels'>, githubApiUrl: string): { url: string; truncated: boolean } {
  return newIssueUrl(draft, { webUrl: webUrlFor(githubApiUrl) });
}

/** The markdown "Copy Markdown" puts on the clipboard. */
export function clipboardMarkdown(text: DraftText): string {
  return draftToMarkdown(text);
}

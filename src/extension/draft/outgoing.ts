/**
 * What leaves the editor for GitHub from the draft view, by any of its four ways (File, Open in Browser, Copy
 * Markdown, Add to #N): the edited text passes the core's exit gate (src/core/report/gate.ts, the same gate as filing, saving
 * and the CLI), the one place the extension calls it; the browser link is the core's gated new-issue URL for the
 * configured GitHub (Enterprise hosts included).
 */
import { finalComment, type IssueComment } from '../../core/report/comment';
import type { IssueDraft } from '../../core/report/draft';
import { clipboardMarkdown as gatedMarkdown } from '../../core/report/exits';
import { browserIssueUrl } from '../../core/report/file';
import { gateDraft, type GateContext } from '../../core/report/gate';
import type { Redaction } from '../../core/report/redact';

export interface DraftText {
  title: string;
  body: string;
}

/** The text as it may leave, and what the gate replaced in it just now (empty: it was already safe). */
export interface Outgoing extends DraftText {
  redactions: Redaction[];
}

/** Title and body through the exit gate (idempotent: gated text comes back unchanged); the draft's fakes may pass. */
export async function redactOutgoing(text: DraftText, ctx: GateContext, fakes?: IssueDraft['fakes']): Promise<Outgoing> {
  const gated = await gateDraft(text, { ...ctx, allow: fakes });
  return { title: gated.title, body: gated.body, redactions: gated.redactions };
}

/** The prefilled new-issue page on the GitHub that `githubApiUrl` belongs to, cut to fit a URL when long, gated. */
export function browserLink(
  draft: DraftText & Pick<IssueDraft, 'repo' | 'labels' | 'fakes'>,
  githubApiUrl: string,
  ctx: GateContext,
): Promise<{ url: string; truncated: boolean }> {
  return browserIssueUrl(draft, { apiUrl: githubApiUrl }, ctx);
}

/** The markdown "Copy Markdown" puts on the clipboard, gated. */
export function clipboardMarkdown(text: DraftText & Pick<IssueDraft, 'fakes'>, ctx: GateContext): Promise<string> {
  return gatedMarkdown(text, ctx);
}

/** The comment for an existing issue as it is shown and posted, through the same gate (its fakes may pass). */
export async function commentOutgoing(comment: IssueComment, ctx: GateContext): Promise<IssueComment> {
  const gated = await finalComment(comment, ctx);
  return { ...comment, body: gated.body, redactions: [...comment.redactions, ...gated.redactions] };
}

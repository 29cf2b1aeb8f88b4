/**
 * Filing the drafted issue. The draft is saved to a file first, so no failure can lose it; with a token it is
 * posted through octokit; without one the caller gets a prefilled new-issue link (cut to fit URL limits) and the
 * path of the full text. Everything sent is redacted once more here, so an edited draft cannot slip a secret out.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { draftToMarkdown, type IssueDraft } from './draft';
import { createGitHubClient, GitHubError, toGitHubError, webUrlFor, type GitHubClient, type GitHubClientOptions } from './github';
import { gateDraft, gateUrl, type GateContext } from './gate';
import type { RedactContext, Redaction } from './redact';

/** Browsers and GitHub's front end cope with about 8 KB of URL; beyond that the link fails or is cut silently. */
export const MAX_NEW_ISSUE_URL = 8000;

const CUT_NOTE =
  '\n\n---\n_This draft was cut to fit in a link. aup-bisect saved the full text on the filer\'s machine: paste it here in place of this note._\n';

export interface FileOptions extends Omit<GitHubClientOptions, 'token'> {
  /** A token with public_repo scope; without one, the outcome is a prefilled link. */
  token?: string;
  /** Where the draft (as markdown) is saved before anything is sent. */
  draftPath: string;
  /** Web host for the new-issue link (default: derived from apiUrl, github.com). */
  webUrl?: string;
  /** The user's home, names (and marks): the exit gate runs again over what is sent. */
  redactContext?: GateContext;
  /** An existing client (the extension reuses one); otherwise one is made from the options. */
  client?: GitHubClient;
}

export type FileOutcome =
  | { status: 'created'; number: number; url: string; draftPath: string }
  | { status: 'no-token'; newIssueUrl: string; truncated: boolean; draftPath: string }
  | { status: 'failed'; error: GitHubError; newIssueUrl: string; truncated: boolean; draftPath: string };

/** The draft ready to send: title and body through the exit gate, with anything new listed. */
export async function finalText(
  draft: Pick<IssueDraft, 'title' | 'body' | 'fakes'>,
  ctx: RedactContext = {},
): Promise<{ title: string; body: string; redactions: Redaction[] }> {
  return gateDraft(draft, { ...ctx, allow: draft.fakes });
}

/** Saves the draft as markdown; what is written passes the exit gate (a saved draft is shared as often as filed). */
export async function saveDraft(draft: Pick<IssueDraft, 'title' | 'body' | 'fakes'>, path: string, ctx: GateContext = {}): Promise<void> {
  const gated = await gateDraft(draft, { ...ctx, allow: draft.fakes });
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, draftToMarkdown(gated), { encoding: 'utf8', mode: 0o600 });
}

/**
 * The "Open in Browser" link: the gated draft in a prefilled new-issue URL on the web host of `apiUrl` (GitHub
 * Enterprise too), cut to fit, and the finished URL checked once more by the gate.
 */
export async function browserIssueUrl(
  draft: Pick<IssueDraft, 'title' | 'body' | 'repo' | 'labels' | 'fakes'>,
  options: { apiUrl?: string; webUrl?: string; maxLength?: number } = {},
  ctx: GateContext = {},
): Promise<{ url: string; truncated: boolean }> {
  const gate = { ...ctx, allow: draft.fakes };
  const gated = await gateDraft(draft, gate);
  const link = newIssueUrl({ ...draft, title: gated.title, body: gated.body }, { webUrl: options.webUrl ?? webUrlFor(options.apiUrl), maxLength: options.maxLength });
  return { url: await gateUrl(link.url, gate), truncated: link.truncated };
}

/**
 * https://github.com/O/R/issues/new?title=..&body=..&labels=.. no longer than `maxLength`: the body is cut at a
 * line boundary (never inside a character's escape) and ends with a note saying the full text was saved.
 */
export function newIssueUrl(
  draft: Pick<IssueDraft, 'title' | 'body' | 'repo' | 'labels'>,
  options: { webUrl?: string; maxLength?: number } = {},
): { url: string; truncated: boolean } {
  const max = options.maxLength ?? MAX_NEW_ISSUE_URL;
  const base = `${(options.webUrl ?? 'https://github.com').replace(/\/+$/, '')}/${draft.repo}/issues/new`;
  const build = (body: string) => {
    const params = new URLSearchParams({ title: draft.title, body });
    if (draft.labels?.length) params.set('labels', draft.labels.join(','));
    // URLSearchParams encodes spaces as "+", which GitHub reads back as spaces.
    return `${base}?${params.toString()}`;
  };
  const whole = build(draft.body);
  if (whole.length <= max) return { url: whole, truncated: false };
  // Longest prefix of the body that fits with the note, by binary search over character counts.
  let lo = 0;
  let hi = draft.body.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (build(draft.body.slice(0, mid) + CUT_NOTE).length <= max) lo = mid;
    else hi = mid - 1;
  }
  let cut = draft.body.slice(0, lo);
  const lineEnd = cut.lastIndexOf('\n');
  if (lineEnd > 0) cut = cut.slice(0, lineEnd);
  // An odd number of ``` fences would swallow the note into a code block: close it.
  if ((cut.match(/^`{3,}/gm) ?? []).length % 2 === 1) cut += '\n```';
  let url = build(cut + CUT_NOTE);
  while (url.length > max && cut.length > 0) {
    cut = cut.slice(0, Math.max(0, cut.lastIndexOf('\n')));
    url = build(cut + CUT_NOTE);
  }
  return { url, truncated: true };
}

/** Files the draft: save, then post (or hand back a link). Never throws for GitHub failures: the outcome says. */
export async function fileIssue(draft: IssueDraft, options: FileOptions): Promise<FileOutcome> {
  const ctx = { ...options.redactContext, allow: draft.fakes };
  const text = await finalText(draft, ctx);
  const safe = { ...draft, title: text.title, body: text.body };
  await saveDraft(safe, options.draftPath, ctx);
  const webUrl = options.webUrl ?? webUrlFor(options.apiUrl);
  const link = await browserIssueUrl(safe, { webUrl }, ctx);
  if (!options.token && !options.client) {
    return { status: 'no-token', newIssueUrl: link.url, truncated: link.truncated, draftPath: options.draftPath };
  }
  const client = options.client ?? createGitHubClient({ ...options, token: options.token });
  const [owner, repo] = draft.repo.split('/');
  if (!owner || !repo) throw new Error(`Not a repository: "${draft.repo}". Use owner/name, e.g. anthropics/claude-code.`);
  try {
    const response = await client.rest.issues.create({
      owner,
      repo,
      title: safe.title,
      body: safe.body,
      labels: draft.labels,
      // Creating an issue is not idempotent: a retry after a dropped connection could file it twice, so the
      // retry plugin leaves this one request alone (rate limits are still waited out by the throttling plugin).
      request: { retries: 0 },
    });
    return { status: 'created', number: response.data.number, url: response.data.html_url, draftPath: options.draftPath };
  } catch (caught) {
    let error = toGitHubError(caught, 'Filing the issue');
    if (error.kind === 'network') {
      // The request may have reached GitHub before the connection went: look before filing again.
      error = new GitHubError(
        'network',
        error.message,
        `The issue may have been created anyway: check ${webUrl}/${draft.repo}/issues?q=is%3Aissue+author%3A%40me before filing again.`,
        error.status,
        { cause: caught },
      );
    }
    return { status: 'failed', error, newIssueUrl: link.url, truncated: link.truncated, draftPath: options.draftPath };
  }
}

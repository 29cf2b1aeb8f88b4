/**
 * GitHub for the draft view: duplicate search, filing and commenting on an existing issue through the core (octokit), with the token from VS Code's
 * GitHub authentication (githubSession.ts).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { BisectResult } from '../../core/bisect/result';
import type { RefusalRecord } from '../../core/refusal/record';
import { postComment, type IssueComment } from '../../core/report/comment';
import type { IssueDraft } from '../../core/report/draft';
import { duplicateQueryFor, findDuplicates, type DuplicateQuery } from '../../core/report/duplicates';
import { fileIssue } from '../../core/report/file';
import { createGitHubClient } from '../../core/report/github';
import type { RedactContext } from '../../core/report/redact';
import type { SessionSource } from '../githubSession';
import { log } from '../logger';
import type { Settings } from '../settings';
import { openExternal } from '../vscodeapi';
import type { DuplicateItem } from '../webview/protocol';
import type { FiledIssue } from './panel';

/** Who and where the user is: redacted from every draft and from whatever leaves for GitHub. */
export function redactContext(): Required<Omit<RedactContext, 'allow'>> {
  return { homeDir: os.homedir(), userName: os.userInfo().username, hostName: os.hostname() };
}

/** The duplicate search for a draft, built once so the view shows exactly the queries that are sent. */
export function duplicateQuery(settings: Settings, input: { result?: BisectResult; refusal?: RefusalRecord }): DuplicateQuery {
  return duplicateQueryFor(input, settings.targetRepo, redactContext());
}

export async function searchDuplicates(settings: Settings, session: SessionSource, query: DuplicateQuery): Promise<DuplicateItem[]> {
  // Search works without a token (lower rate limit); never prompt for sign-in just to search.
  const token = (await session(false).catch(() => undefined))?.accessToken;
  const client = createGitHubClient({ token, apiUrl: settings.githubApiUrl, log: (m) => log.info(`github: ${m}`) });
  const found = await findDuplicates(client, query, { limit: 8 });
  return found.map((d) => ({ number: d.number, title: d.title, url: d.url, state: d.state, comments: d.comments, addHere: d.addHere }));
}

export async function fileDraft(
  settings: Settings,
  session: SessionSource,
  draft: IssueDraft,
  edited: { title: string; body: string; repo: string },
  draftsDir: string,
): Promise<FiledIssue> {
  const signedIn = await session(true);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outcome = await fileIssue(
    { ...draft, title: edited.title, body: edited.body, repo: edited.repo },
    {
      token: signedIn?.accessToken,
      apiUrl: settings.githubApiUrl,
      draftPath: path.join(draftsDir, `issue-${stamp}.md`),
      redactContext: redactContext(),
      log: (m) => log.info(`github: ${m}`),
    },
  );
  switch (outcome.status) {
    case 'created':
      log.info(`filed ${edited.repo}#${outcome.number}: ${outcome.url} (draft saved at ${outcome.draftPath})`);
      return { number: outcome.number, url: outcome.url };
    case 'no-token':
      await openExternal(outcome.newIssueUrl);
      throw new Error(`Not signed in to GitHub: opened a prefilled new-issue page instead (draft saved at ${outcome.draftPath}).`);
    case 'failed':
      throw new Error(`${outcome.error.message}. ${outcome.error.hint} (draft saved at ${outcome.draftPath})`);
  }
}

/** "Add to #N" -> "Post": the reviewed comment through the core's postComment (which gates it once more). */
export async function commentOnIssue(settings: Pick<Settings, 'githubApiUrl'>, session: SessionSource, comment: IssueComment): Promise<{ url: string }> {
  const signedIn = await session(true);
  if (!signedIn?.accessToken) throw new Error(`Not signed in to GitHub: nothing was posted. Sign in, or paste the comment into ${comment.repo}#${comment.issue} by hand.`);
  const client = createGitHubClient({ token: signedIn.accessToken, apiUrl: settings.githubApiUrl, log: (m) => log.info(`github: ${m}`) });
  const outcome = await postComment(comment, client, redactContext());
  if (outcome.status === 'failed') throw new Error(`${outcome.error.message} ${outcome.error.hint}`);
  log.info(`commented on ${comment.repo}#${comment.issue}: ${outcome.url}`);
  return { url: outcome.url };
}

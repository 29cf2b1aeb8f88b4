/**
 * A comment for an existing issue ("Add to #N"): maintainers close most refusal reports as duplicates of a few
 * umbrella issues and ask people to add their case there, so this is the short form of the issue draft: the trigger
 * (as the draft shows it: readable, secrets faked or masked), how often it was refused, on which model and category,
 * the request ids support can look up, and the Claude Code version. It leaves through the same exit gate as a filed
 * issue (gateText over exactly the text that is posted, again at posting time, so an edited comment is gated too).
 */
import type { BisectResult } from '../bisect/result';
import type { RefusalRecord } from '../refusal/record';
import { fenced, inlineCode, kindPhrase, triggerName, triggerWithFakes, type ReportEnv } from './draft';
import { gateText, type GateContext } from './gate';
import { GitHubError, toGitHubError, type GitHubClient } from './github';
import { modelDisplayName } from './models';
import { redact, type Redaction } from './redact';

/** A comment is read in a long thread: a longer trigger is cut here (the saved result keeps it whole). */
export const MAX_COMMENT_TRIGGER_CHARS = 2000;

export interface IssueComment {
  /** owner/name. */
  repo: string;
  /** The issue the comment goes to. */
  issue: number;
  /** Markdown, through the exit gate. */
  body: string;
  /** What was replaced, in order (field "comment"). */
  redactions: Redaction[];
  /** Same-shape fakes shown in place of secrets (probed); the gate lets exactly these through. */
  fakes?: string[];
}

export interface CommentInput {
  result?: BisectResult;
  refusal?: RefusalRecord;
  env: ReportEnv;
}

function requestIds(refusal: RefusalRecord | undefined): string[] {
  return [...new Set((refusal?.models ?? []).map((m) => m.requestId).filter((id): id is string => Boolean(id)))];
}

/** The comment text, before the exit gate (our own rules already ran over it, as draftIssue does). */
export function draftCommentText(input: CommentInput): { body: string; fakes: string[]; redactions: Redaction[] } {
  const { result, env } = input;
  const refusal = input.refusal ?? result?.refusal;
  if (!result && !refusal) throw new Error('draftCommentText needs a bisect result or a refusal record.');
  const wire = result?.model ?? refusal?.models[0]?.model;
  const display = wire ? modelDisplayName(wire) : undefined;
  const category = refusal?.models.find((m) => m.category)?.category ?? undefined;
  const version = refusal?.claudeCodeVersion ?? env.claudeCodeVersion;

  const facts = [
    display ? `${display} (\`${wire}\`)` : undefined,
    category ? `category \`${category}\`` : undefined,
    version ? `Claude Code ${version}` : undefined,
  ].filter(Boolean);
  const lines = [`Same ${kindPhrase(refusal?.kind ?? 'safeguards').noun} here${facts.length ? `: ${facts.join(', ')}` : ''}.`, ''];

  const traced = result ? triggerWithFakes(result) : { text: '', fakes: [] };
  // Secrets traced through the reduction are masked in `traced`; values the text rules find are masked here, over the
  // whole trigger before any cut (a key cut in two matches no rule).
  const triggerRedacted = redact(traced.text, { ...env, allow: traced.fakes });
  const shown = { ...traced, text: triggerRedacted.text };
  if (result && shown.text.trim()) {
    const cut = shown.text.length > MAX_COMMENT_TRIGGER_CHARS;
    const rate = `refused ${result.verification.refused}/${result.verification.of}${display ? ` on ${display}` : ''} on ${result.date.slice(0, 10)}`;
    const masked = shown.fakes.length === 0 && shown.text !== result.minimal;
    // The unit the control removed may be a character of a secret: then it is not named.
    const hidden = shown.fakes.length > 0 || masked;
    const control = result.control
      ? `; the same text without ${hidden ? 'one unit' : inlineCode(result.control.removed.slice(0, 60))} passed ${result.control.passed}/${result.control.of}`
      : '';
    lines.push(
      `The ${triggerName(result)} (${rate}${control}${cut ? `; first ${MAX_COMMENT_TRIGGER_CHARS.toLocaleString('en-US')} characters of ${shown.text.length.toLocaleString('en-US')}` : ''}):`,
      '',
      fenced(cut ? shown.text.slice(0, MAX_COMMENT_TRIGGER_CHARS) : shown.text),
      '',
    );
    if (shown.fakes.length > 0 && result.shareable) {
      lines.push(`Secret-shaped values in it are replaced by fakes of the same shape; so replaced, it was refused ${result.shareable.refused}/${result.shareable.of}.`, '');
    }
    else if (masked) lines.push('Values in it are redacted (`[REDACTED:...]`); the redacted form was not probed again.', '');
  } else {
    lines.push('Not yet reduced to a minimal trigger.', '');
  }
  const ids = requestIds(refusal);
  if (ids.length > 0) lines.push(`Request ${ids.length === 1 ? 'id' : 'ids'}: ${ids.map((id) => `\`${id}\``).join(', ')}`);
  lines.push(`Found with aup-bisect${env.toolVersion ? ` ${env.toolVersion}` : ''}${result ? ` (${result.probes} probes, oracle \`${result.oracle}\`)` : ''}.`);
  const text = redact(`${lines.join('\n')}\n`, { ...env, allow: shown.fakes });
  return {
    body: text.text,
    fakes: shown.fakes,
    // Positions of the first are in the trigger, of the second in the comment (as the draft lists them).
    redactions: [...triggerRedacted.redactions.map((r) => ({ ...r, field: 'trigger' })), ...text.redactions.map((r) => ({ ...r, field: 'comment' }))],
  };
}

/** The comment exactly as it will be shown, saved and posted: drafted, then through the exit gate. */
export async function draftComment(input: CommentInput, target: { repo: string; issue: number }, ctx: GateContext = {}): Promise<IssueComment> {
  const drafted = draftCommentText(input);
  const gated = await gateText(drafted.body, { ...input.env, ...ctx, allow: drafted.fakes });
  return {
    ...target,
    body: gated.text,
    fakes: drafted.fakes,
    redactions: [...drafted.redactions, ...gated.redactions.map((r) => ({ ...r, field: 'comment' }))],
  };
}

/** The comment through the gate once more (it may have been edited since it was shown): exactly what is posted. */
export async function finalComment(comment: Pick<IssueComment, 'body' | 'fakes'>, ctx: GateContext = {}): Promise<{ body: string; redactions: Redaction[] }> {
  const gated = await gateText(comment.body, { ...ctx, allow: comment.fakes });
  return { body: gated.text, redactions: gated.redactions.map((r) => ({ ...r, field: 'comment' })) };
}

export type CommentOutcome = { status: 'created'; url: string; id: number } | { status: 'failed'; error: GitHubError };

/** Posts the comment to issue N through octokit. Never throws for GitHub failures: the outcome says. */
export async function postComment(comment: IssueComment, client: GitHubClient, ctx: GateContext = {}): Promise<CommentOutcome> {
  const [owner, repo] = comment.repo.split('/');
  if (!owner || !repo) throw new Error(`Not a repository: "${comment.repo}". Use owner/name, e.g. anthropics/claude-code.`);
  const { body } = await finalComment(comment, ctx);
  try {
    const response = await client.rest.issues.createComment({
      owner,
      repo,
      issue_number: comment.issue,
      body,
      // Like creating an issue, posting a comment is not idempotent: a retry after a dropped connection could post it twice.
      request: { retries: 0 },
    });
    return { status: 'created', url: response.data.html_url, id: response.data.id };
  } catch (caught) {
    const error = toGitHubError(caught, `Commenting on #${comment.issue}`);
    // GitHub answers 404 for a missing issue as for a missing repository: say both, since either may be wrong here.
    if (error.status === 404) {
      return {
        status: 'failed',
        error: new GitHubError('not-found', `Commenting on #${comment.issue} failed: no issue #${comment.issue} in ${comment.repo} (404).`, 'Check the issue number and --repo, and that the token can see the repository.', 404, { cause: caught }),
      };
    }
    return { status: 'failed', error };
  }
}

/**
 * `aup-bisect file INPUT --comment N`: the compact comment for issue N (src/core/report/comment.ts) instead of a new
 * issue, with the same review as filing: the exact text that will be posted is printed (through the exit gate) and
 * saved, then posted only after a "yes" on a terminal or with --yes; "edit" opens the saved text and gates it again.
 * No duplicate search here: the user has picked the issue. Not a command of its own (so it has no register() and is
 * not in main.ts): it is the body of `file --comment N`, which shares file's input, token and --yes handling.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { draftComment, finalComment, postComment, type IssueComment } from '../../core/report/comment';
import type { ReportEnv } from '../../core/report/draft';
import { webUrlFor, type GitHubClient } from '../../core/report/github';
import type { ReportInput } from '../../core/report/input';
import { formatUserError, UserError } from '../../core/errors';
import { printRedactions } from './draft';

export interface CommentRun {
  input: ReportInput;
  inputPath: string;
  issue: number;
  repo: string;
  apiUrl: string;
  /** Where the comment is saved (default: next to INPUT, *.comment-N.md). */
  out?: string;
  yes?: boolean;
  interactive: boolean;
  token?: string;
  /** Where the token came from, named in the question ("as the GITHUB_TOKEN user"). */
  source?: string;
  client: GitHubClient;
  env: ReportEnv;
  /** Prints a line as it is (the comment text is gated before it gets here). */
  write: (line?: string) => void;
  /** Prints a line through redaction (paths carry the home folder). */
  say: (line?: string) => void;
  ask: (question: string) => Promise<string>;
}

/** "--comment 123" -> 123; anything but a positive whole number is a usage error. */
export function parseIssueNumber(value: string): number {
  const n = /^#?(\d{1,9})$/.exec(value.trim());
  if (!n || Number(n[1]) < 1) throw new UserError('usage', `--comment takes an issue number, got "${value}"`, 'For example --comment 12345 (the number in the issue\'s URL).');
  return Number(n[1]);
}

export function defaultCommentPath(inputPath: string, issue: number): string {
  return `${inputPath.replace(/\.json$/i, '')}.comment-${issue}.md`;
}

export async function commentOnIssue(run: CommentRun): Promise<void> {
  const { input, say, write } = run;
  if (input.type === 'draft') {
    throw new UserError(
      'usage',
      'A comment is written from a bisect result or a refusal record, not from an issue draft file.',
      'Pass the result (`aup-bisect bisect --json` output) or the refusal record (`aup-bisect scan --json`) with --comment.',
    );
  }
  const path = run.out ?? defaultCommentPath(run.inputPath, run.issue);
  const target = `${run.repo}#${run.issue}`;
  let comment: IssueComment = await draftComment(
    { result: input.type === 'result' ? input.result : undefined, refusal: input.refusal, env: run.env },
    { repo: run.repo, issue: run.issue },
  );
  const save = async () => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, comment.body, { encoding: 'utf8', mode: 0o600 });
  };
  const show = () => {
    write(`----- Comment for ${target}: exactly the text that will be posted -----`);
    write(comment.body.trimEnd());
    write('----- end of comment -----');
    printRedactions(comment, write);
  };
  await save();
  show();
  say(`Comment saved to ${path}`);
  say();

  const issueUrl = `${webUrlFor(run.apiUrl)}/${run.repo}/issues/${run.issue}`;
  if (!run.token) {
    say('No GitHub token (set GITHUB_TOKEN, or log in with `gh auth login`), so nothing was posted.');
    say(`Paste the comment above (saved in ${path}) into ${issueUrl}`);
    return;
  }
  if (!run.yes) {
    if (!run.interactive) {
      say(`Not posting: there is no terminal to confirm on. Review the text above (saved in ${path}) and run again with --yes to post it.`);
      process.exitCode = 1;
      return;
    }
    for (;;) {
      const answer = await run.ask(`Post this comment to ${target} as the ${run.source ?? 'token'} user? [y]es / [e]dit / [N]o: `);
      if (answer === 'y' || answer === 'yes') break;
      if (answer === 'e' || answer === 'edit') {
        const editor = process.env.VISUAL || process.env.EDITOR || 'vi';
        // EDITOR may carry arguments ("code --wait"), so it goes through the shell; the path is quoted for it.
        spawnSync(`${editor} ${JSON.stringify(path)}`, { stdio: 'inherit', shell: true });
        const edited = await readFile(path, 'utf8');
        if (!edited.trim()) {
          say(`The comment is empty; nothing posted (${path}).`);
          process.exitCode = 1;
          return;
        }
        const gated = await finalComment({ body: edited, fakes: comment.fakes }, run.env);
        comment = { ...comment, body: gated.body, redactions: [...comment.redactions, ...gated.redactions] };
        await save();
        show();
        continue;
      }
      say(`Not posted. The comment is in ${path}.`);
      return;
    }
  }
  const outcome = await postComment(comment, run.client, run.env);
  if (outcome.status === 'created') {
    say(`Commented ${outcome.url}`);
    return;
  }
  say(formatUserError(outcome.error));
  say(`The comment is kept in ${path}; or paste it into ${issueUrl}`);
  process.exitCode = 1;
}

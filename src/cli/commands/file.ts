/**
 * `aup-bisect file INPUT [--repo O/R] [--api-url URL] [--yes] [--comment N]`: show the exact text that would be posted, what was
 * redacted and the exact duplicate search queries, then search, then confirm, then file. INPUT is a bisect result,
 * a refusal record, or a draft file (from `aup-bisect draft`, edited or not). Nothing goes to GitHub unseen: the
 * search (words of the redacted trigger) runs only after its queries are printed, and only on a terminal or with
 * --yes; nothing is posted without a "yes" on a terminal or --yes. With --comment N, a compact comment for issue N
 * is shown and posted instead, with the same review (comment.ts).
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { version } from '../../../package.json';
import { DEFAULT_REPO, parseDraftFile, type IssueDraft } from '../../core/report/draft';
import { duplicateQueryFor, findDuplicates, formatDuplicates, searchQueries } from '../../core/report/duplicates';
import { fileIssue, finalText, saveDraft } from '../../core/report/file';
import { createGitHubClient, DEFAULT_API_URL } from '../../core/report/github';
import { readReportInput, systemReportEnv } from '../../core/report/input';
import { redact } from '../../core/report/redact';
import { defaultDraftPath, draftFromInput, printRedactions } from './draft';
import { formatUserError, UserError } from '../../core/errors';
import { commentOnIssue, parseIssueNumber } from './comment';

interface FileFlags {
  repo: string;
  apiUrl: string;
  yes?: boolean;
  out?: string;
  search: boolean;
  comment?: string;
}

/** GITHUB_TOKEN (or GH_TOKEN), else `gh auth token` when the GitHub CLI is installed and logged in. */
export async function githubToken(env: NodeJS.ProcessEnv = process.env): Promise<{ token?: string; source?: string }> {
  for (const name of ['GITHUB_TOKEN', 'GH_TOKEN'] as const) {
    const value = env[name]?.trim();
    if (value) return { token: value, source: name };
  }
  const token = await new Promise<string | undefined>((resolve) => {
    execFile('gh', ['auth', 'token'], { timeout: 5000, env }, (error, stdout) => resolve(error ? undefined : stdout.trim() || undefined));
  });
  return token ? { token, source: '`gh auth token`' } : {};
}

const write = (line = '') => process.stdout.write(`${line}\n`);

function showExactText(draft: Pick<IssueDraft, 'title' | 'body' | 'repo'>): void {
  write(`----- Issue for ${draft.repo}: exactly the text that will be posted -----`);
  write(`Title: ${draft.title}`);
  write();
  write(draft.body.trimEnd());
  write('----- end of issue -----');
}

/** The checklist line about the duplicate search, as the draft now says it. */
function checklistLine(draft: Pick<IssueDraft, 'body'>): string {
  return draft.body.split('\n').find((l) => / I have searched /.test(l))?.replace(/\]\(https:[^)]*\)/, ']') ?? '';
}

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(question)).trim().toLowerCase();
  } finally {
    rl.close();
  }
}

export function register(program: Command): void {
  program
    .command('file')
    .description('Show the redacted issue and the duplicate search queries, search, then file (asks before posting)')
    .argument('<input>', 'a bisect result (`bisect --json`), a refusal record, or a draft from `aup-bisect draft`')
    .option('--repo <owner/name>', 'repository to file in', DEFAULT_REPO)
    .option('--api-url <url>', 'GitHub REST API base URL', process.env.GITHUB_API_URL ?? DEFAULT_API_URL)
    .option('--out <file>', 'where the draft is saved (default: next to INPUT, *.issue.md; with --comment N, *.comment-N.md)')
    .option('--no-search', 'skip the duplicate search')
    .option('--comment <N>', 'post a compact comment (trigger, rate, model, request ids) to existing issue N instead of filing')
    .option('-y, --yes', 'search and post without asking (needed for either when there is no terminal)')
    .action(async (inputPath: string, flags: FileFlags) => {
      if (!/^[\w.-]+\/[\w.-]+$/.test(flags.repo)) throw new UserError('usage', `--repo must be owner/name, got "${flags.repo}"`, 'For example --repo anthropics/claude-code.');
      const env = { ...systemReportEnv(), repo: flags.repo, toolVersion: version };
      // Every line printed passes redaction (paths carry the home folder and user name); the issue text itself has
      // been through the full exit gate before it is shown.
      const say = (line = '') => write(redact(line, { ...env, allow: draft?.fakes }).text);
      const input = await readReportInput(inputPath);
      const draftPath = flags.out ?? (input.type === 'draft' ? inputPath : defaultDraftPath(inputPath));
      const { token, source } = await githubToken();
      // One retry of a transient failure: an offline user should not sit through the full backoff. (A per-request
      // `retries` would also retry 401/403/422, which the plugin otherwise leaves alone.)
      const client = createGitHubClient({ token, apiUrl: flags.apiUrl, retries: 1, log: (m) => process.stderr.write(`${m}\n`) });
      const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);

      if (flags.comment !== undefined) {
        const issue = parseIssueNumber(flags.comment);
        const plain = (line = '') => write(redact(line, env).text);
        await commentOnIssue({ input, inputPath, issue, repo: flags.repo, apiUrl: flags.apiUrl, out: flags.out, yes: flags.yes, interactive, token, source, client, env, write, say: plain, ask });
        return;
      }

      let draft: IssueDraft =
        input.type === 'draft'
          ? { title: input.title, body: input.body, labels: ['bug'], redactions: [], repo: flags.repo }
          : (await draftFromInput(input, { ...env, duplicatesSearched: false }))!;

      // Redaction runs over what will be sent, also when the input is a draft the user edited.
      const redacted = async () => {
        const text = await finalText(draft, env);
        draft = { ...draft, title: text.title, body: text.body, redactions: [...draft.redactions, ...text.redactions] };
      };
      await redacted();
      await saveDraft(draft, draftPath, env);
      showExactText(draft);
      printRedactions(draft, write);
      say(`Draft saved to ${draftPath}`);
      say();

      // The search sends words of the (redacted) trigger to GitHub, so its queries are shown before it runs, and it
      // runs only where the user can see them first and stop (a terminal), or with --yes.
      if (!flags.search) {
        say('Duplicate search skipped (--no-search).');
      } else if (input.type !== 'draft') {
        const query = duplicateQueryFor({ result: input.type === 'result' ? input.result : undefined, refusal: input.refusal }, flags.repo, env);
        const queries = searchQueries(query);
        say(`Duplicate search: ${queries.length === 1 ? 'this query goes' : `these ${queries.length} queries go`} to GitHub's issue search (${flags.apiUrl.replace(/\/+$/, '')}/search/issues), exactly:`);
        for (const q of queries) say(`  ${q}`);
        if (!flags.yes && !interactive) {
          say('Not searched: there is no terminal to show it on first, so nothing was sent to GitHub. Run again with --yes to search (--yes also posts when a GitHub token is set), or run the queries above yourself.');
        } else {
          let searched = false;
          try {
            for (const line of formatDuplicates(await findDuplicates(client, query))) say(line);
            searched = true;
          } catch (error) {
            say(`Duplicate search skipped: ${formatUserError(error, 'sentence')}`);
          }
          if (searched) {
            // The checklist's "I have searched existing issues" is ticked only once a search has run.
            draft = (await draftFromInput(input, { ...env, duplicatesSearched: true }))!;
            await redacted();
            await saveDraft(draft, draftPath, env);
            say(`The search ran, so the checklist's first box is now ticked ("${checklistLine(draft)}"); the rest of the text above is unchanged.`);
          }
        }
      } else {
        say('No duplicate search for a draft file (its trigger is not known here): search from the result or refusal record it came from, or on GitHub.');
      }
      say();

      if (!token) {
        const outcome = await fileIssue(draft, { draftPath, apiUrl: flags.apiUrl, redactContext: env });
        if (outcome.status !== 'no-token') return;
        say('No GitHub token (set GITHUB_TOKEN, or log in with `gh auth login`), so nothing was posted.');
        say(`Open this link to file it in the browser${outcome.truncated ? ' (the body was cut to fit in a link: paste the rest from the draft file)' : ''}:`);
        say(outcome.newIssueUrl);
        say(`Full draft: ${draftPath}`);
        return;
      }

      if (!flags.yes) {
        if (!interactive) {
          say(`Not posting: there is no terminal to confirm on. Review the text above (saved in ${draftPath}) and run again with --yes to post it.`);
          process.exitCode = 1;
          return;
        }
        for (;;) {
          const answer = await ask(`Post this issue to ${flags.repo} as the ${source} user? [y]es / [e]dit / [N]o: `);
          if (answer === 'y' || answer === 'yes') break;
          if (answer === 'e' || answer === 'edit') {
            const editor = process.env.VISUAL || process.env.EDITOR || 'vi';
            // EDITOR may carry arguments ("code --wait"), so it goes through the shell; the path is quoted for it.
            spawnSync(`${editor} ${JSON.stringify(draftPath)}`, { stdio: 'inherit', shell: true });
            const edited = parseDraftFile(await readFile(draftPath, 'utf8'));
            if (!edited) {
              say(`The draft must start with "# <title>"; left unposted in ${draftPath}.`);
              process.exitCode = 1;
              return;
            }
            draft = { ...draft, ...edited };
            await redacted();
            await saveDraft(draft, draftPath, env);
            showExactText(draft);
            printRedactions(draft, write);
            continue;
          }
          say(`Not posted. The draft is in ${draftPath}.`);
          return;
        }
      }

      const outcome = await fileIssue(draft, { token, apiUrl: flags.apiUrl, draftPath, redactContext: env, client });
      if (outcome.status === 'created') {
        say(`Filed ${outcome.url}`);
        return;
      }
      if (outcome.status === 'failed') {
        say(formatUserError(outcome.error));
        say(`The draft is kept in ${draftPath}; or file it in the browser: ${outcome.newIssueUrl}`);
        process.exitCode = 1;
      }
    });
}

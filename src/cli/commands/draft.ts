/** `aup-bisect draft RESULT.json [--out FILE]`: write the redacted issue draft and list what was redacted. */
import type { Command } from 'commander';
import { version } from '../../../package.json';
import { type IssueDraft, type ReportEnv } from '../../core/report/draft';
import { draftGated, gatedLine } from '../../core/report/exits';
import { saveDraft } from '../../core/report/file';
import { readOriginalText, readReportInput, systemReportEnv, type ReportInput } from '../../core/report/input';
import { formatRedactions } from '../../core/report/redact';
import { UserError } from '../../core/errors';

interface DraftFlags {
  out?: string;
  repo?: string;
}

/** Where a draft goes by default: next to its input, "result.json" -> "result.issue.md". */
export function defaultDraftPath(inputPath: string): string {
  return /\.json$/i.test(inputPath) ? inputPath.replace(/\.json$/i, '.issue.md') : `${inputPath}.issue.md`;
}

/** Drafts from a result or refusal input (a draft file input is returned as it is, for `file`). */
export async function draftFromInput(input: ReportInput, env: ReportEnv): Promise<IssueDraft | undefined> {
  if (input.type === 'draft') return undefined;
  if (input.type === 'refusal') return draftGated({ refusal: input.refusal, env });
  const original = await readOriginalText(input.result);
  return draftGated({ result: input.result, refusal: input.refusal, env, original });
}

export function printRedactions(draft: Pick<IssueDraft, 'redactions'>, write: (line: string) => void): void {
  if (draft.redactions.length === 0) {
    write('Redactions: none (no keys, tokens, addresses or personal names found).');
    return;
  }
  write(`Redactions (${draft.redactions.length}; the values are not shown):`);
  for (const line of formatRedactions(draft.redactions)) write(`  ${line}`);
}

export function register(program: Command): void {
  program
    .command('draft')
    .description('Draft a reproducible, redacted GitHub issue from a bisect result (or a refusal record alone)')
    .argument('<result>', 'the output of `aup-bisect bisect --json`, or a refusal record from `aup-bisect scan --json`')
    .option('--out <file>', 'where to write the markdown draft (default: next to RESULT, *.issue.md)')
    .option('--repo <owner/name>', 'the repository the issue is for', 'anthropics/claude-code')
    .action(async (resultPath: string, flags: DraftFlags) => {
      const input = await readReportInput(resultPath);
      if (input.type === 'draft') throw new UserError('bad-request', `${resultPath} is already a draft`, `File it with \`aup-bisect file ${resultPath}\`.`);
      const env = { ...systemReportEnv(), repo: flags.repo, toolVersion: version };
      const draft = (await draftFromInput(input, env))!;
      const out = flags.out ?? defaultDraftPath(resultPath);
      await saveDraft(draft, out, env);
      // What the command prints leaves the machine too (terminal logs, CI output, screenshots): it passes the gate.
      const lines: string[] = [`Title: ${draft.title}`];
      if (input.type === 'refusal') lines.push('Drafted from the refusal record alone: no minimal trigger yet (run `aup-bisect bisect --refusal ID` for one).');
      printRedactions(draft, (line) => lines.push(line));
      lines.push(`Draft written to ${out}`, `Review and edit it, then file it with: aup-bisect file ${out}`);
      for (const line of lines) process.stdout.write(`${await gatedLine(line, { ...env, allow: draft.fakes })}\n`);
    });
}

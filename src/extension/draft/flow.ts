/**
 * Builds the issue draft (core report module) for a refusal and/or bisect result and opens the draft view. The
 * duplicate search is offered, with its exact queries, and runs only when the user asks for it.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import type { BisectResult } from '../../core/bisect/result';
import type { RefusalRecord } from '../../core/refusal/record';
import { draftComment } from '../../core/report/comment';
import type { ReportEnv } from '../../core/report/draft';
import { draftGated } from '../../core/report/exits';
import type { SessionSource } from '../githubSession';
import { log } from '../logger';
import type { Settings } from '../settings';
import { terminalShell } from '../vscodeapi';
import { commentOnIssue, duplicateQuery, fileDraft, redactContext, searchDuplicates } from './github';
import { DraftPanel } from './panel';

/** What drafting needs from the extension (the container provides it). */
export interface DraftFlowDeps {
  readonly context: Pick<vscode.ExtensionContext, 'extension' | 'extensionUri' | 'globalStorageUri'>;
  settings(): Settings;
  readonly githubSession: SessionSource;
}

export function reportEnv(s: DraftFlowDeps, shell: string | undefined): ReportEnv {
  const version = (s.context.extension.packageJSON as { version?: string }).version;
  return {
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    platform: 'Anthropic API',
    shell: shell ? `${path.basename(shell)} (VS Code integrated terminal)` : undefined,
    ...redactContext(),
    repo: s.settings().targetRepo,
    // The draft and the comment write "aup-bisect <toolVersion>": the version alone, not the name again.
    toolVersion: version ? `${version} (VS Code extension)` : undefined,
    // Ticked in the view once the user has run the search there.
    duplicatesSearched: false,
  };
}

export async function openDraft(
  s: DraftFlowDeps,
  input: { result?: BisectResult; refusal?: RefusalRecord; original?: string },
): Promise<DraftPanel> {
  // As the CLI drafts: secrets traced through the reduction and masked before any cut, then the exit gate (exits.ts).
  const env = reportEnv(s, terminalShell());
  const draft = await draftGated({ result: input.result, refusal: input.refusal, original: input.original, env });
  log.info(`drafted an issue for ${draft.repo} (${draft.redactions.length} redactions)`);
  const draftsDir = path.join(s.context.globalStorageUri.fsPath, 'drafts');
  // The search and the browser link use the settings the view was opened with, so what was shown is what is sent, and where.
  const shown = s.settings();
  const query = duplicateQuery(shown, { result: input.result, refusal: input.refusal });
  return new DraftPanel(s.context.extensionUri, draft, {
    duplicates: {
      query,
      endpoint: `${shown.githubApiUrl}/search/issues`,
      run: (shownQuery) => searchDuplicates(shown, s.githubSession, shownQuery),
    },
    // The session is read when the button is pressed (the integration tests replace it after activation).
    file: (edited) => fileDraft(s.settings(), s.githubSession, draft, edited, draftsDir),
    // The comment goes to the repository the search ran in, so "Add to #N" means the #N that was listed.
    comment: {
      draft: (issue) => draftComment({ result: input.result, refusal: input.refusal, env }, { repo: shown.targetRepo, issue }, redactContext()),
      post: (comment) => commentOnIssue(s.settings(), s.githubSession, comment),
    },
    githubApiUrl: shown.githubApiUrl,
    redactContext: redactContext(),
  });
}

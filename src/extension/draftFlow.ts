/**
 * Builds the issue draft (core report module) for a refusal and/or bisect result and opens the draft view. The
 * duplicate search is offered, with its exact queries, and runs only when the user asks for it.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { BisectResult } from '../core/reduce/result';
import type { RefusalRecord } from '../core/refusal/record';
import type { ReportEnv } from '../core/report/draft';
import { draftGated } from '../core/report/exits';
import { env } from 'vscode';
import type { Services } from './commands';
import { DraftPanel } from './draftPanel';
import { searchQueries } from '../core/report/duplicates';
import { duplicateQuery, fileDraft, redactContext, searchDuplicates } from './github';
import { log } from './logger';

export function reportEnv(s: Services, shell: string | undefined): ReportEnv {
  const version = (s.context.extension.packageJSON as { version?: string }).version;
  return {
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    platform: 'Anthropic API',
    shell: shell ? `${path.basename(shell)} (VS Code integrated terminal)` : undefined,
    ...redactContext(),
    repo: s.settings().targetRepo,
    toolVersion: version ? `aup-bisect ${version} (VS Code extension)` : undefined,
    // Ticked in the view once the user has run the search there.
    duplicatesSearched: false,
  };
}

export async function openDraft(
  s: Services,
  input: { result?: BisectResult; refusal?: RefusalRecord; original?: string },
): Promise<DraftPanel> {
  const reportContext = reportEnv(s, env.shell);
  // Drafted with secrets traced and masked before any cut, then through the exit gate (report/exits.ts).
  const draft = await draftGated({ result: input.result, refusal: input.refusal, original: input.original, env: reportContext });
  log.info(`drafted an issue for ${draft.repo} (${draft.redactions.length} redactions)`);
  const settings = s.settings;
  const draftsDir = path.join(s.context.globalStorageUri.fsPath, 'drafts');
  // The search runs with the settings the view showed it with, so what was shown is what is sent, and where.
  const shown = settings();
  const query = duplicateQuery(shown, { result: input.result, refusal: input.refusal });
  return new DraftPanel(s.context.extensionUri, draft, {
    duplicates: {
      queries: searchQueries(query),
      endpoint: `${shown.githubApiUrl}/search/issues`,
      run: () => searchDuplicates(shown, s.githubSession, query),
    },
    file: (edited) => fileDraft(settings(), s.githubSession, draft, edited, draftsDir),
    redactContext: reportContext,
    apiUrl: shown.githubApiUrl,
  });
}

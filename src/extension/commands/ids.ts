/**
 * Every command the extension contributes (package.json lists the same ids; a unit test checks both lists match),
 * with the arguments each takes and what it returns. Callers inside the extension go through `runCommand`
 * (commands/run.ts), so a wrong id or argument is a compile error instead of a silently ignored click.
 *
 * Arguments name what they point at, so nothing has to guess what a bare string means:
 * - a tree item (the Refusals view passes its node to item menus),
 * - `{ refusalKey }`: a refusal in the store (notifications, tree item clicks),
 * - `{ resultId }`: a saved bisect result (the tree, the bisect view, the integration tests).
 */
import type * as vscode from 'vscode';
import type { BisectPanel } from '../bisect/panel';
import type { DraftPanel, FiledIssue } from '../draft/panel';
import type { SavedResult } from '../results';
import type { MakeItPassRun } from '../unblock/result';
import type { SavedResultRef, SeenRefusal } from '../store';

export const Commands = {
  bisect: 'aupBisect.bisect',
  bisectRefusal: 'aupBisect.bisectRefusal',
  bisectFile: 'aupBisect.bisectFile',
  draftIssue: 'aupBisect.draftIssue',
  fileIssue: 'aupBisect.fileIssue',
  showLedger: 'aupBisect.showLedger',
  setApiKey: 'aupBisect.setApiKey',
  clearApiKey: 'aupBisect.clearApiKey',
  clearProbeCache: 'aupBisect.clearProbeCache',
  showDetails: 'aupBisect.showDetails',
  openTranscript: 'aupBisect.openTranscript',
  copyRequestId: 'aupBisect.copyRequestId',
  openResult: 'aupBisect.openResult',
  refreshRefusals: 'aupBisect.refreshRefusals',
  showLog: 'aupBisect.showLog',
  /** Editor hovers link to this id (command:aupBisect.makeItPass): keep it. */
  makeItPass: 'aupBisect.makeItPass',
  measureModels: 'aupBisect.measureModels',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];

/** Commands VS Code contributes for our view (not ours to register), which the glue runs. */
export const FOCUS_REFUSALS_VIEW = 'aupBisect.refusals.focus';

/** Make It Pass (#16 item 2), with a saved result's `{ resultId }`: the trigger hover links to it by id. */
export const MAKE_IT_PASS = 'aupBisect.makeItPass';

/** A refusal in the store, by its key. */
export interface RefusalRef {
  refusalKey: string;
}

/** A saved bisect result, by its id. */
export interface ResultRef {
  resultId: string;
}

/** The Refusals view's nodes that item menus pass (the shapes of refusalsTree.ts's RefusalNode that carry one). */
export type RefusalItem = { type: 'refusal' | 'detail'; refusal: SeenRefusal };
export type ResultItem = { type: 'result'; result: SavedResultRef; refusal?: SeenRefusal };

export type RefusalTarget = RefusalRef | RefusalItem;

/** A saved result to measure across models; `models` skips the question (ids, or [] for the automatic choice). */
export interface MeasureRef extends ResultRef {
  models?: string[];
}
export type DraftTarget = RefusalTarget | ResultRef | ResultItem;

/** The arguments of each command (all optional: the palette passes none, and then the user picks). */
export interface CommandArgs {
  'aupBisect.bisect': [target?: RefusalTarget];
  'aupBisect.bisectRefusal': [target?: RefusalTarget];
  'aupBisect.bisectFile': [file?: vscode.Uri];
  'aupBisect.draftIssue': [target?: DraftTarget];
  'aupBisect.fileIssue': [];
  'aupBisect.showLedger': [];
  /** The key itself, for the integration tests (a person types it into the password box). */
  'aupBisect.setApiKey': [apiKey?: string];
  'aupBisect.clearApiKey': [];
  'aupBisect.clearProbeCache': [];
  'aupBisect.showDetails': [target?: RefusalTarget];
  'aupBisect.openTranscript': [target?: RefusalTarget];
  'aupBisect.copyRequestId': [target?: RefusalTarget];
  'aupBisect.openResult': [target?: ResultRef | ResultItem];
  'aupBisect.refreshRefusals': [];
  'aupBisect.showLog': [];
  'aupBisect.makeItPass': [target?: ResultRef | ResultItem];
  'aupBisect.measureModels': [target?: MeasureRef | ResultItem];
}

/** What each command resolves to (the integration tests read these; undefined when the user backed out). */
export interface CommandResults {
  'aupBisect.bisect': SavedResult | undefined;
  'aupBisect.bisectRefusal': SavedResult | undefined;
  'aupBisect.bisectFile': SavedResult | undefined;
  'aupBisect.draftIssue': DraftPanel | undefined;
  /** The filed issue, or the draft view opened for review first. */
  'aupBisect.fileIssue': FiledIssue | DraftPanel | undefined;
  'aupBisect.showLedger': void;
  'aupBisect.setApiKey': boolean;
  'aupBisect.clearApiKey': void;
  'aupBisect.clearProbeCache': void;
  'aupBisect.showDetails': void;
  'aupBisect.openTranscript': void;
  'aupBisect.copyRequestId': void;
  'aupBisect.openResult': BisectPanel | undefined;
  'aupBisect.refreshRefusals': void;
  'aupBisect.showLog': void;
  /** The pass set found and what was written; undefined when the user backed out or nothing was saved to run on. */
  'aupBisect.makeItPass': MakeItPassRun | undefined;
  /** The result saved again with its rates across models; undefined when the user backed out. */
  'aupBisect.measureModels': SavedResult | undefined;
}

export type CommandHandler<K extends CommandId> = (...args: CommandArgs[K]) => Promise<CommandResults[K]>;

/** A feature's commands: each file under commands/ returns one of these for the ids it owns. */
export type CommandHandlers<K extends CommandId> = { [P in K]: CommandHandler<P> };

/**
 * What activate() returns. Other extensions get `ready` only. When the extension runs from a development folder
 * (the integration tests), `testing` adds the narrow hooks those tests need to watch what happens without
 * clicking through every view, and to replace the GitHub sign-in, which cannot reach github.com offline.
 */
import type * as vscode from 'vscode';
import type { SessionSource } from './githubSession';
import type { Notified } from './notifier';
import type { RefusalNode, RefusalsTreeProvider } from './refusalsTree';
import type { RefusalStore } from './store';

export interface AupBisectTestHooks {
  /** Settles when the watchers have (re)started and saved results are loaded. */
  readonly ready: Promise<void>;
  /** The Claude Code projects folder being watched, once the watcher runs. */
  readonly watchedDir: string | undefined;
  readonly onDidNotify: vscode.Event<Notified>;
  readonly store: Pick<RefusalStore, 'all' | 'resultsFor' | 'allResults'>;
  readonly tree: Pick<RefusalsTreeProvider, 'getChildren' | 'getTreeItem'>;
  readonly treeView: vscode.TreeView<RefusalNode>;
  readonly statusBarText: string;
  /** Where results and drafts are saved (the extension's global storage). */
  readonly storagePath: string;
  /** Replaces VS Code's GitHub sign-in as the source of the filing token. */
  useGitHubSession(source: SessionSource): void;
}

export interface AupBisectApi {
  /** Settles when the watchers have started after activation. */
  readonly ready: Promise<void>;
  readonly testing?: AupBisectTestHooks;
}

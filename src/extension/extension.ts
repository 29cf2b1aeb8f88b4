/**
 * Entry point. Activation (onStartupFinished) builds the container (store, status bar, tree view, watcher shell)
 * and registers the commands; the watchers start on the next tick and every heavy module (reducer, oracles,
 * octokit, transcript parsing) is imported when first used, so the editor's start-up does not wait for us.
 */
import type * as vscode from 'vscode';
import type { AupBisectApi, AupBisectTestHooks } from './api';
import { registerCommands } from './commands/register';
import { Container } from './container';
import { isDevelopmentMode } from './vscodeapi';

export type { AupBisectApi, AupBisectTestHooks } from './api';

export function activate(context: vscode.ExtensionContext): AupBisectApi {
  const container = new Container(context);
  context.subscriptions.push(container, ...registerCommands(container));
  container.start();
  return {
    get ready() {
      return container.ready;
    },
    testing: isDevelopmentMode(context) ? testHooks(container) : undefined,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

function testHooks(c: Container): AupBisectTestHooks {
  return {
    get ready() {
      return c.ready;
    },
    get watchedDir() {
      return c.watcher.watchedDir;
    },
    onDidNotify: c.notifier.onDidNotify,
    store: c.store,
    tree: c.tree,
    treeView: c.treeView,
    get statusBarText() {
      return c.statusBar.text;
    },
    storagePath: c.context.globalStorageUri.fsPath,
    useGitHubSession: (source) => (c.githubSession = source),
  };
}

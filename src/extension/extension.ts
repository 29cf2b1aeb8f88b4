/**
 * Entry point. Activation (onStartupFinished) only creates the store, the status bar item and the tree view and
 * registers commands; the watchers start on the next tick and every heavy module (reducer, oracles, octokit,
 * transcript parsing) is imported when first used, so the editor's start-up does not wait for us.
 */
import * as vscode from 'vscode';
import { registerCommands, type Services } from './commands';
import { RefusalWatcher } from './detection/watcher';
import { vscodeSession } from './githubSession';
import { log } from './logger';
import { Notifier } from './notifier';
import { RefusalsTreeProvider } from './refusalsTree';
import { ResultStorage } from './results';
import { readSettings, SECTION } from './settings';
import { RefusalStatusBar } from './statusBar';
import { RefusalStore } from './store';
import { createTreeView, onDidChangeConfiguration, onDidGrantWorkspaceTrust } from './vscodeapi';

export type AupBisectApi = Services;

export function activate(context: vscode.ExtensionContext): AupBisectApi {
  let settings = readSettings();
  const store = new RefusalStore();
  const notifier = new Notifier(() => settings.notificationLevel);
  const tree = new RefusalsTreeProvider(store);
  const treeView = createTreeView('aupBisect.refusals', { treeDataProvider: tree, showCollapseAll: true });
  const statusBar = new RefusalStatusBar(store);
  const watcher = new RefusalWatcher(store, (refusal) => notifier.notify(refusal));
  const services: Services = {
    context,
    store,
    notifier,
    tree,
    treeView,
    statusBar,
    watcher,
    results: new ResultStorage(context.globalStorageUri.fsPath),
    settings: () => settings,
    githubSession: vscodeSession,
    ready: Promise.resolve(),
  };
  context.subscriptions.push(store, notifier, tree, treeView, statusBar, watcher, { dispose: () => log.dispose() });
  registerCommands(services);

  const restart = (): Promise<void> =>
    watcher.start(settings).catch((error: unknown) => {
      log.error('could not start watching for refusals', error);
      void vscode.window.showWarningMessage(
        `AUP Bisect is not watching Claude Code transcripts: ${error instanceof Error ? error.message : String(error)}. Check aupBisect.transcriptDir.`,
      );
    });
  context.subscriptions.push(
    onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      const before = settings;
      settings = readSettings();
      if (before.transcriptDir !== settings.transcriptDir || before.watchTerminals !== settings.watchTerminals) services.ready = restart();
    }),
    onDidGrantWorkspaceTrust(() => {
      settings = readSettings();
    }),
  );
  // Off the activation path: watchers, past results and the start-up scan.
  services.ready = new Promise<void>((resolve) => setTimeout(resolve, 0)).then(async () => {
    await restart();
    for (const ref of await services.results.list()) store.addResult(ref);
  });
  return services;
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}

/**
 * The extension's services, built once at activation and disposed with it (GitLens's `Container`). Activation
 * builds only what is cheap: the store, the notifier, the tree, the status bar and the watcher's shell. The
 * reducer, oracles, report, GitHub client and transcript parsing are in the heavy chunk (dist/extension-heavy.js)
 * that `heavy()` loads the first time a command or the watcher needs it, and the watchers start on the next tick.
 */
import type * as vscode from 'vscode';
import type { DraftPanel } from './draft/panel';
import { RefusalWatcher } from './detection/watcher';
import { VirtualDocuments } from './documents';
import { errorText } from './errors';
import { vscodeSession, type SessionSource } from './githubSession';
import { loadHeavy, type Heavy } from './loadHeavy';
import { log } from './logger';
import { Notifier } from './notifier';
import { RefusalsTreeProvider, type RefusalNode } from './refusalsTree';
import { ResultStorage, type SavedResult } from './results';
import { readSettings, SECTION, type Settings } from './settings';
import { RefusalStatusBar } from './statusBar';
import { RefusalStore } from './store';
import { TriggerMarks } from './trigger/marks';
import {
  createTreeView,
  onDidChangeConfiguration,
  onDidGrantWorkspaceTrust,
  registerTextDocumentContentProvider,
  showWarningMessage,
} from './vscodeapi';
import { SCHEME } from './documents';

export class Container implements vscode.Disposable {
  readonly store = new RefusalStore();
  readonly notifier: Notifier;
  readonly tree: RefusalsTreeProvider;
  readonly treeView: vscode.TreeView<RefusalNode>;
  readonly statusBar: RefusalStatusBar;
  readonly watcher: RefusalWatcher;
  readonly results: ResultStorage;
  readonly documents: VirtualDocuments;
  /** The last bisect's trigger, marked in the files it came from. */
  readonly triggers: TriggerMarks;
  /** Where the GitHub token comes from (VS Code's GitHub sign-in; the integration tests replace it). */
  githubSession: SessionSource = vscodeSession;
  /** Settles when the watchers have (re)started and saved results are loaded. */
  ready: Promise<void> = Promise.resolve();
  /** The last bisect result and draft view this window opened: the next step ("Draft", "File") starts from them. */
  lastResult: SavedResult | undefined;
  lastDraft: DraftPanel | undefined;

  private current: Settings = readSettings();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly context: vscode.ExtensionContext) {
    this.notifier = new Notifier(() => this.current.notificationLevel);
    this.tree = new RefusalsTreeProvider(this.store);
    this.treeView = createTreeView('aupBisect.refusals', { treeDataProvider: this.tree, showCollapseAll: true });
    this.statusBar = new RefusalStatusBar(this.store);
    this.watcher = new RefusalWatcher(this.store, (refusal) => this.notifier.notify(refusal));
    this.results = new ResultStorage(context.globalStorageUri.fsPath);
    this.documents = new VirtualDocuments((id) => this.loadResult(id));
    this.triggers = new TriggerMarks();
    this.disposables.push(
      this.store,
      this.notifier,
      this.tree,
      this.treeView,
      this.statusBar,
      this.watcher,
      this.triggers,
      registerTextDocumentContentProvider(SCHEME, this.documents),
      onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(SECTION)) return;
        const before = this.current;
        this.current = readSettings();
        if (before.transcriptDir !== this.current.transcriptDir || before.watchTerminals !== this.current.watchTerminals) {
          this.ready = this.startWatchers();
        }
      }),
      // Settings that run programs are read as empty until the workspace is trusted.
      onDidGrantWorkspaceTrust(() => (this.current = readSettings())),
    );
  }

  /** The settings as of now (re-read whenever aupBisect.* changes). */
  settings(): Settings {
    return this.current;
  }

  /** The heavy chunk, loaded on first use. */
  heavy(): Promise<Heavy> {
    return loadHeavy();
  }

  /** Off the activation path: the watchers, then the results saved by earlier sessions. */
  start(): void {
    this.ready = new Promise<void>((resolve) => setTimeout(resolve, 0)).then(async () => {
      await this.startWatchers();
      for (const ref of await this.results.list()) this.store.addResult(ref);
    });
  }

  /** (Re)starts the watchers with the current settings; a failure is shown, not thrown. */
  startWatchers(): Promise<void> {
    return this.watcher.start(this.current).catch((error: unknown) => {
      log.error('could not start watching for refusals', error);
      void showWarningMessage(`AUP Bisect is not watching Claude Code transcripts: ${errorText(error)}. Check aupBisect.transcriptDir.`);
    });
  }

  /** A saved result by id: the one just made if it is that one, else from storage. */
  async loadResult(id: string): Promise<SavedResult | undefined> {
    return this.lastResult?.id === id ? this.lastResult : this.results.load(id);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
    log.dispose();
  }
}

/**
 * A stand-in for src/extension/vscodeapi.ts (our wrapper over the `vscode` API) for unit tests, loaded with
 * `vi.mock('<path to>/src/extension/vscodeapi', () => import('<path to>/support/fakeVscodeApi'))`. It records what
 * the glue asks the editor to show, and lets a test set configuration, workspace trust and the answer to the next
 * message. Each function is typed as the wrapper's own, and `complete` below fails to compile when the wrapper
 * gains a function this fake lacks, so the two cannot drift apart.
 */
import type * as vscode from 'vscode';

type Api = typeof import('../../../../src/extension/vscodeapi');
type Listener<T> = (e: T) => unknown;

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (listener: Listener<T>): { dispose(): void } => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export enum TreeItemCollapsibleState { None = 0, Collapsed = 1, Expanded = 2 }

export class ThemeIcon {
  constructor(readonly id: string) {}
}

export class MarkdownString {
  value = '';
  appendText(text: string): this {
    this.value += text;
    return this;
  }
}

export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: unknown;
  iconPath?: unknown;
  contextValue?: string;
  command?: { command: string; title: string; arguments?: unknown[] };
  constructor(readonly label: string, readonly collapsibleState?: TreeItemCollapsibleState) {}
}

export class Uri {
  private constructor(readonly scheme: string, readonly path: string) {}
  get fsPath(): string {
    return this.path;
  }
  static file(p: string): Uri {
    return new Uri('file', p);
  }
  static from(parts: { scheme: string; path: string }): Uri {
    return new Uri(parts.scheme, parts.path);
  }
  static parse(value: string): Uri {
    const m = /^([\w+.-]+):(.*)$/.exec(value);
    return new Uri(m?.[1] ?? 'file', m?.[2] ?? value);
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri(base.scheme, [base.path, ...segments].join('/'));
  }
  with(change: { path?: string }): Uri {
    return new Uri(this.scheme, change.path ?? this.path);
  }
  toString(): string {
    return `${this.scheme}:${this.path}`;
  }
}

/** A webview panel: records what the extension posts to the page; `send` plays a message from the page. */
export class FakeWebviewPanel {
  readonly posted: unknown[] = [];
  revealed = 0;
  private readonly fromPage = new EventEmitter<unknown>();
  private readonly disposed = new EventEmitter<void>();
  readonly webview = {
    html: '',
    cspSource: 'https://webview.example',
    asWebviewUri: (uri: Uri) => uri,
    postMessage: (message: unknown): Promise<boolean> => {
      this.posted.push(message);
      return Promise.resolve(true);
    },
    onDidReceiveMessage: this.fromPage.event,
  };
  readonly onDidDispose = this.disposed.event;
  constructor(readonly viewType: string, readonly title: string) {}
  send(message: unknown): void {
    this.fromPage.fire(message);
  }
  reveal(): void {
    this.revealed++;
  }
  dispose(): void {
    this.disposed.fire();
  }
}

// --- what the glue did, for assertions ---
export const webviewPanels: FakeWebviewPanel[] = [];
export const shown: { level: 'info' | 'warning' | 'error'; message: string; items: string[] }[] = [];
/** The item the next message "clicks" (undefined: dismissed). */
export const answers: { next?: string; quickPick?: (items: readonly unknown[]) => unknown; inputBox?: string } = {};
export const statusItems: { text: string; tooltip?: string; command?: string; visible: boolean; name?: string }[] = [];
export const clipboard = { text: '' };
export const opened: { external: string[]; documents: string[]; diffs: { left: string; right: string; title: string }[] } = { external: [], documents: [], diffs: [] };
export const configValues = new Map<string, unknown>();
export const trust = { trusted: true };
export const executed: { id: string; args: unknown[] }[] = [];
/** Commands registered through the wrapper, by id, so a test can run one as VS Code would. */
export const registered = new Map<string, (...args: unknown[]) => unknown>();

function message(level: 'info' | 'warning' | 'error') {
  return (text: string, ...items: string[]): Promise<string | undefined> => {
    shown.push({ level, message: text, items });
    const answer = answers.next;
    answers.next = undefined;
    return Promise.resolve(answer);
  };
}

const disposable = (): vscode.Disposable => ({ dispose() {} });

export const registerCommand: Api['registerCommand'] = (id, handler) => {
  registered.set(id, handler);
  return { dispose: () => registered.delete(id) };
};

export const executeCommand = (<T>(id: string, ...args: unknown[]): Promise<T> => {
  executed.push({ id, args });
  return Promise.resolve(undefined as T);
}) satisfies Api['executeCommand'];

export const getConfiguration = ((section: string) => ({
  get: <T>(key: string, fallback?: T): T | undefined => (configValues.has(`${section}.${key}`) ? (configValues.get(`${section}.${key}`) as T) : fallback),
})) as unknown as Api['getConfiguration'];

export const onDidChangeConfiguration: Api['onDidChangeConfiguration'] = disposable;
export const isWorkspaceTrusted: Api['isWorkspaceTrusted'] = () => trust.trusted;
export const onDidGrantWorkspaceTrust: Api['onDidGrantWorkspaceTrust'] = disposable;
export const showInformationMessage: Api['showInformationMessage'] = message('info');
export const showWarningMessage: Api['showWarningMessage'] = message('warning');
export const showErrorMessage: Api['showErrorMessage'] = message('error');
export const showQuickPick = (<T>(items: readonly T[] | Thenable<readonly T[]>) =>
  Promise.resolve(items).then((list) => answers.quickPick?.(list) as T | undefined)) satisfies Api['showQuickPick'];
export const showQuickPickMany = (<T>(items: readonly T[]) =>
  Promise.resolve(answers.quickPick?.(items) as T[] | undefined)) satisfies Api['showQuickPickMany'];
export const showInputBox: Api['showInputBox'] = () => Promise.resolve(answers.inputBox);
export const showOpenDialog: Api['showOpenDialog'] = () => Promise.resolve(undefined);
export const activeTextEditor: Api['activeTextEditor'] = () => undefined;
export const withProgress = (<R>(_options: unknown, task: (progress: { report(): void }, token: { onCancellationRequested(): vscode.Disposable }) => Thenable<R>) =>
  task({ report() {} }, { onCancellationRequested: disposable })) as unknown as Api['withProgress'];

export const createStatusBarItem = ((): unknown => {
  const item = { text: '', tooltip: undefined as string | undefined, command: undefined as string | undefined, visible: false, name: undefined as string | undefined, show() { item.visible = true; }, hide() { item.visible = false; }, dispose() {} };
  statusItems.push(item);
  return item;
}) as Api['createStatusBarItem'];

export const createTreeView = ((): unknown => ({ reveal: () => Promise.resolve(), dispose() {} })) as Api['createTreeView'];

export const createWebviewPanel = ((viewType: string, title: string): unknown => {
  const panel = new FakeWebviewPanel(viewType, title);
  webviewPanels.push(panel);
  return panel;
}) as Api['createWebviewPanel'];

export const createLogOutputChannel = ((): unknown => ({ trace() {}, debug() {}, info() {}, warn() {}, error() {}, show() {}, dispose() {} })) as Api['createLogOutputChannel'];
export const onDidStartTerminalShellExecution: Api['onDidStartTerminalShellExecution'] = disposable;
export const registerTextDocumentContentProvider: Api['registerTextDocumentContentProvider'] = disposable;
export const openTextDocumentAt: Api['openTextDocumentAt'] = async (uri) => void opened.documents.push(uri.toString());
export const showDiff: Api['showDiff'] = async (left, right, title) => void opened.diffs.push({ left: left.toString(), right: right.toString(), title });
export const writeClipboard: Api['writeClipboard'] = async (text) => void (clipboard.text = text);
export const openExternal: Api['openExternal'] = async (url) => {
  opened.external.push(url);
  return true;
};
export const getGitHubSession: Api['getGitHubSession'] = () => Promise.resolve(undefined);
export const readFile: Api['readFile'] = () => Promise.resolve(new Uint8Array());
export const writeFile: Api['writeFile'] = () => Promise.resolve();
export const showSaveDialog: Api['showSaveDialog'] = () => Promise.resolve(undefined);
export const firstWorkspaceFolder: Api['firstWorkspaceFolder'] = () => undefined;
export const terminalShell: Api['terminalShell'] = () => '/bin/bash';
export const openSettings: Api['openSettings'] = (query) => executeCommand('workbench.action.openSettings', query);
// The trigger's marks: a container built on this fake registers them; the marks' logic is tested in trigger/*.test.ts.
export const createDiagnosticCollection = ((name: string): unknown => ({ name, set() {}, delete() {}, clear() {}, dispose() {} })) as Api['createDiagnosticCollection'];
export const createTextEditorDecorationType = ((): unknown => ({ key: 'trigger', dispose() {} })) as Api['createTextEditorDecorationType'];
export const offsetRange = ((_document: unknown, start: number, end: number): unknown => ({ start, end })) as Api['offsetRange'];
export const createDiagnostic = ((range: unknown, text: string, severity: string, source: string): unknown => ({ range, message: text, severity, source })) as Api['createDiagnostic'];
export const createHover = ((markdown: string, _commands: readonly string[], range: unknown): unknown => ({ contents: [markdown], range })) as Api['createHover'];
export const registerHoverProvider: Api['registerHoverProvider'] = disposable;
export const openTextDocument: Api['openTextDocument'] = (uri) => Promise.reject(new Error(`no document ${uri.toString()} in the fake editor`));
export const textDocuments: Api['textDocuments'] = () => [];
export const isInWorkspace: Api['isInWorkspace'] = () => true;
export const visibleTextEditors: Api['visibleTextEditors'] = () => [];
export const onDidChangeTextDocument: Api['onDidChangeTextDocument'] = disposable;
export const onDidSaveTextDocument: Api['onDidSaveTextDocument'] = disposable;
export const onDidCloseTextDocument: Api['onDidCloseTextDocument'] = disposable;
export const onDidChangeVisibleTextEditors: Api['onDidChangeVisibleTextEditors'] = disposable;

/** Whether the extension runs as a development extension (where activate() hands out its test hooks). */
export const mode = { development: true };
export const isDevelopmentMode: Api['isDevelopmentMode'] = () => mode.development;

/** Compile-time check that every export of the wrapper has a stand-in here. */
type Missing = Exclude<keyof Api, keyof typeof import('./fakeVscodeApi')>;
export const complete: [Missing] extends [never] ? true : Missing = true;

export function reset(): void {
  shown.length = 0;
  statusItems.length = 0;
  executed.length = 0;
  registered.clear();
  configValues.clear();
  trust.trusted = true;
  answers.next = undefined;
  answers.quickPick = undefined;
  answers.inputBox = undefined;
  clipboard.text = '';
  opened.external.length = 0;
  opened.documents.length = 0;
  opened.diffs.length = 0;
  webviewPanels.length = 0;
  mode.development = true;
}

/**
 * The thin wrapper over the `vscode` API that the glue goes through, so unit tests can stub one module instead of
 * the whole editor (the pattern of microsoft/vscode-python-tools-extension-template). Only what the glue needs.
 * This is the only module of the extension that imports `vscode` for values; the others import its types only
 * (test/unit/extension/vscodeapi.test.ts checks that), and the unit tests replace this module with
 * test/unit/extension/support/fakeVscodeApi.ts.
 */
import * as vscode from 'vscode';

// The editor's classes the glue constructs (the tree's items, events, URIs), re-exported so a stub can replace them.
export { EventEmitter, MarkdownString, ThemeIcon, TreeItem, TreeItemCollapsibleState, Uri } from 'vscode';

export function registerCommand(id: string, handler: (...args: unknown[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, handler);
}

export function executeCommand<T = unknown>(id: string, ...args: unknown[]): Thenable<T> {
  return vscode.commands.executeCommand<T>(id, ...args);
}

export function getConfiguration(section: string): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(section);
}

export function onDidChangeConfiguration(listener: (e: vscode.ConfigurationChangeEvent) => unknown): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration(listener);
}

export function isWorkspaceTrusted(): boolean {
  return vscode.workspace.isTrusted;
}

export function onDidGrantWorkspaceTrust(listener: () => unknown): vscode.Disposable {
  return vscode.workspace.onDidGrantWorkspaceTrust(listener);
}

export function showInformationMessage(message: string, ...items: string[]): Thenable<string | undefined> {
  return vscode.window.showInformationMessage(message, ...items);
}

export function showWarningMessage(message: string, ...items: string[]): Thenable<string | undefined> {
  return vscode.window.showWarningMessage(message, ...items);
}

export function showErrorMessage(message: string, ...items: string[]): Thenable<string | undefined> {
  return vscode.window.showErrorMessage(message, ...items);
}

export function showQuickPick<T extends vscode.QuickPickItem>(
  items: readonly T[] | Thenable<readonly T[]>,
  options?: vscode.QuickPickOptions,
): Thenable<T | undefined> {
  return vscode.window.showQuickPick(items, options);
}

/** A QuickPick where the user ticks several items (undefined when dismissed). */
export function showQuickPickMany<T extends vscode.QuickPickItem>(items: readonly T[], options: Omit<vscode.QuickPickOptions, 'canPickMany'>): Thenable<T[] | undefined> {
  return vscode.window.showQuickPick(items, { ...options, canPickMany: true });
}

export function showInputBox(options: vscode.InputBoxOptions): Thenable<string | undefined> {
  return vscode.window.showInputBox(options);
}

export function showOpenDialog(options: vscode.OpenDialogOptions): Thenable<vscode.Uri[] | undefined> {
  return vscode.window.showOpenDialog(options);
}

export function activeTextEditor(): vscode.TextEditor | undefined {
  return vscode.window.activeTextEditor;
}

/** A progress notification that can be cancelled (the bisect's), or a quiet one in the status bar (the ledger's scan). */
export function withProgress<R>(
  options: { location: 'notification' | 'window'; title: string; cancellable?: boolean },
  task: (progress: vscode.Progress<{ message?: string; increment?: number }>, token: vscode.CancellationToken) => Thenable<R>,
): Thenable<R> {
  const location = options.location === 'notification' ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window;
  return vscode.window.withProgress({ ...options, location }, task);
}

export function createStatusBarItem(id: string, priority: number): vscode.StatusBarItem {
  return vscode.window.createStatusBarItem(id, vscode.StatusBarAlignment.Right, priority);
}

export function createTreeView<T>(id: string, options: vscode.TreeViewOptions<T>): vscode.TreeView<T> {
  return vscode.window.createTreeView(id, options);
}

export function createWebviewPanel(viewType: string, title: string, options: vscode.WebviewPanelOptions & vscode.WebviewOptions): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(viewType, title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, options);
}

export function createLogOutputChannel(name: string): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel(name, { log: true });
}

export function onDidStartTerminalShellExecution(
  listener: (e: vscode.TerminalShellExecutionStartEvent) => unknown,
): vscode.Disposable | undefined {
  // Stable since 1.93; guarded so an older or stripped-down host just leaves terminals unwatched.
  const event = vscode.window.onDidStartTerminalShellExecution as vscode.Event<vscode.TerminalShellExecutionStartEvent> | undefined;
  return event ? event(listener) : undefined;
}

export function registerTextDocumentContentProvider(scheme: string, provider: vscode.TextDocumentContentProvider): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(scheme, provider);
}

export async function openTextDocumentAt(uri: vscode.Uri, line?: number): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc, { preview: true });
  if (line !== undefined && line >= 1) {
    const position = new vscode.Position(Math.min(line - 1, doc.lineCount - 1), 0);
    editor.selection = new vscode.Selection(position, position);
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenter);
  }
}

export function showDiff(left: vscode.Uri, right: vscode.Uri, title: string): Thenable<unknown> {
  return vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: false });
}

export function writeClipboard(text: string): Thenable<void> {
  return vscode.env.clipboard.writeText(text);
}

export function openExternal(url: string): Thenable<boolean> {
  return vscode.env.openExternal(vscode.Uri.parse(url));
}

export function getGitHubSession(scopes: string[], createIfNone: boolean): Thenable<vscode.AuthenticationSession | undefined> {
  return vscode.authentication.getSession('github', scopes, createIfNone ? { createIfNone: true } : { silent: true });
}

export function readFile(uri: vscode.Uri): Thenable<Uint8Array> {
  return vscode.workspace.fs.readFile(uri);
}

export function writeFile(uri: vscode.Uri, content: Uint8Array): Thenable<void> {
  return vscode.workspace.fs.writeFile(uri, content);
}

export function showSaveDialog(options: vscode.SaveDialogOptions): Thenable<vscode.Uri | undefined> {
  return vscode.window.showSaveDialog(options);
}

export function firstWorkspaceFolder(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

/** The shell of VS Code's integrated terminal, for the environment section. */
export function terminalShell(): string | undefined {
  return vscode.env.shell;
}

/** Opens the Settings editor at a setting. */
export function openSettings(query: string): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', query);
}

/**
 * Whether the extension runs from a development folder (F5, or the integration tests that pass
 * --extensionTestsPath): only then does activate() hand out its test hooks.
 */
export function isDevelopmentMode(context: Pick<vscode.ExtensionContext, 'extensionMode'>): boolean {
  return context.extensionMode === vscode.ExtensionMode.Development || context.extensionMode === vscode.ExtensionMode.Test;
}

// --- the trigger's marks in the editor (trigger/marks.ts) ---

export function createDiagnosticCollection(name: string): vscode.DiagnosticCollection {
  return vscode.languages.createDiagnosticCollection(name);
}

export function createTextEditorDecorationType(options: vscode.DecorationRenderOptions): vscode.TextEditorDecorationType {
  return vscode.window.createTextEditorDecorationType(options);
}

/** A Range of a document from offsets of its text. */
export function offsetRange(document: vscode.TextDocument, start: number, end: number): vscode.Range {
  return new vscode.Range(document.positionAt(start), document.positionAt(end));
}

export function createDiagnostic(range: vscode.Range, message: string, severity: 'warning' | 'information', source: string): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(range, message, severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information);
  diagnostic.source = source;
  return diagnostic;
}

/** A hover whose Markdown may run only `commands` (its command links). */
export function createHover(markdown: string, commands: readonly string[], range: vscode.Range): vscode.Hover {
  const text = new vscode.MarkdownString(markdown);
  text.isTrusted = { enabledCommands: [...commands] };
  return new vscode.Hover(text, range);
}

export function registerHoverProvider(scheme: string, provider: vscode.HoverProvider): vscode.Disposable {
  return vscode.languages.registerHoverProvider({ scheme }, provider);
}

export function openTextDocument(uri: vscode.Uri): Thenable<vscode.TextDocument> {
  return vscode.workspace.openTextDocument(uri);
}

export function textDocuments(): readonly vscode.TextDocument[] {
  return vscode.workspace.textDocuments;
}

/** Whether a file is inside one of the workspace's folders. */
export function isInWorkspace(uri: vscode.Uri): boolean {
  return vscode.workspace.getWorkspaceFolder(uri) !== undefined;
}

export function visibleTextEditors(): readonly vscode.TextEditor[] {
  return vscode.window.visibleTextEditors;
}

export function onDidChangeTextDocument(listener: (e: vscode.TextDocumentChangeEvent) => unknown): vscode.Disposable {
  return vscode.workspace.onDidChangeTextDocument(listener);
}

export function onDidSaveTextDocument(listener: (document: vscode.TextDocument) => unknown): vscode.Disposable {
  return vscode.workspace.onDidSaveTextDocument(listener);
}

export function onDidCloseTextDocument(listener: (document: vscode.TextDocument) => unknown): vscode.Disposable {
  return vscode.workspace.onDidCloseTextDocument(listener);
}

export function onDidChangeVisibleTextEditors(listener: (editors: readonly vscode.TextEditor[]) => unknown): vscode.Disposable {
  return vscode.window.onDidChangeVisibleTextEditors(listener);
}

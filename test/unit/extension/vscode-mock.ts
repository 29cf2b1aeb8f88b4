/**
 * A small stand-in for the `vscode` module, enough for the extension's glue in unit tests (loaded with
 * `vi.mock('vscode', () => import('./vscode-mock'))`). It records what the glue asks the editor to show, and lets a
 * test set configuration, workspace trust and the answer to the next message.
 */
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
export enum StatusBarAlignment { Left = 1, Right = 2 }
export enum ProgressLocation { SourceControl = 1, Window = 10, Notification = 15 }
export enum ViewColumn { Active = -1, One = 1 }

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
  send(message: unknown): void {
    this.fromPage.fire(message);
  }
  dispose(): void {
    this.disposed.fire();
  }
}
export const webviewPanels: FakeWebviewPanel[] = [];

// --- what the glue showed, for assertions ---
export const shown: { level: 'info' | 'warning' | 'error'; message: string; items: string[] }[] = [];
/** The item the next message "clicks" (undefined: dismissed). */
export const answers: { next?: string } = {};
export const statusItems: { text: string; tooltip?: string; command?: string; visible: boolean; name?: string }[] = [];
export const clipboard = { text: '' };
export const configValues = new Map<string, unknown>();
export const trust = { trusted: true };

function message(level: 'info' | 'warning' | 'error') {
  return (text: string, ...rest: unknown[]): Promise<string | undefined> => {
    const items = rest.filter((r): r is string => typeof r === 'string');
    shown.push({ level, message: text, items });
    const answer = answers.next;
    answers.next = undefined;
    return Promise.resolve(answer);
  };
}

export const window = {
  showInformationMessage: message('info'),
  showWarningMessage: message('warning'),
  showErrorMessage: message('error'),
  createStatusBarItem: () => {
    const item = { text: '', tooltip: undefined as string | undefined, command: undefined as string | undefined, visible: false, name: undefined as string | undefined, show() { item.visible = true; }, hide() { item.visible = false; }, dispose() {} };
    statusItems.push(item);
    return item;
  },
  createOutputChannel: () => ({ trace() {}, debug() {}, info() {}, warn() {}, error() {}, show() {}, dispose() {} }),
  onDidStartTerminalShellExecution: new EventEmitter<unknown>().event,
  createWebviewPanel: (): FakeWebviewPanel => {
    const panel = new FakeWebviewPanel();
    webviewPanels.push(panel);
    return panel;
  },
};

export const workspace = {
  get isTrusted(): boolean {
    return trust.trusted;
  },
  getConfiguration: (section: string) => ({
    get: <T>(key: string, fallback?: T): T | undefined => (configValues.has(`${section}.${key}`) ? (configValues.get(`${section}.${key}`) as T) : fallback),
  }),
  onDidChangeConfiguration: new EventEmitter<unknown>().event,
  onDidGrantWorkspaceTrust: new EventEmitter<void>().event,
};

export const executed: { id: string; args: unknown[] }[] = [];
export const commands = {
  executeCommand: (id: string, ...args: unknown[]): Promise<undefined> => {
    executed.push({ id, args });
    return Promise.resolve(undefined);
  },
  registerCommand: () => ({ dispose() {} }),
};

export const env = {
  clipboard: { writeText: (text: string): Promise<void> => Promise.resolve(void (clipboard.text = text)) },
};

export function reset(): void {
  shown.length = 0;
  statusItems.length = 0;
  executed.length = 0;
  configValues.clear();
  trust.trusted = true;
  answers.next = undefined;
  clipboard.text = '';
  webviewPanels.length = 0;
}

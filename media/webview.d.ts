// What VS Code gives a webview's script (the page is a browser page: DOM only, no Node, no `vscode` module).
// Typed by the protocol of each view (src/extension/webview/protocol.ts), named in each script's JSDoc.
interface VsCodeWebviewApi<FromView, State> {
  postMessage(message: FromView): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<FromView = never, State = never>(): VsCodeWebviewApi<FromView, State>;

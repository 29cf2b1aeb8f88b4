/**
 * The live bisect view: probes, tokens, cost, current size and a chart of size over probes while the run goes,
 * then the verdict, the minimal trigger, the attribution and rates across models, and buttons for the diff, the issue
 * draft, Make It Pass and Measure Across Models.
 */
import type * as vscode from 'vscode';
import { minimalBytes, type BisectResult } from '../../core/bisect/result';
import { createWebviewPanel } from '../vscodeapi';
import { escapeHtml, webviewHtml } from '../webview/html';
import { isBisectFromView, type BisectFromView, type BisectToView } from '../webview/protocol';
import type { PassViewModel } from '../unblock/viewModel';
import { bisectViewModel, type BisectStats, type SizePoint } from './viewModel';

export type { BisectStats } from './viewModel';

/** What the view's buttons ask of the flow (start and cancel of the confirmation are answered by the panel). */
export type BisectPanelMessage = BisectFromView;

export class BisectPanel {
  readonly panel: vscode.WebviewPanel;
  /** Settles when the view's script has loaded (it then receives every message posted so far). */
  readonly ready: Promise<void>;
  private last: BisectStats | undefined;
  private readonly points: SizePoint[] = [];
  private answer: ((start: boolean) => void) | undefined;
  private readonly listeners = new Set<(message: BisectPanelMessage) => void>();
  private lastPass: PassViewModel | undefined;

  constructor(extensionUri: vscode.Uri, title: string, onMessage: (message: BisectPanelMessage) => void) {
    this.panel = createWebviewPanel('aupBisect.bisect', `Bisect: ${title}`, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [extensionUri.with({ path: `${extensionUri.path}/media` })],
    });
    let markReady: () => void = () => {};
    this.ready = new Promise((resolve) => (markReady = resolve));
    this.panel.webview.onDidReceiveMessage((message: unknown) => {
      if (!isBisectFromView(message)) return;
      if (message.type === 'ready') markReady();
      else if (this.answer && (message.type === 'start' || message.type === 'cancel')) {
        this.answer(message.type === 'start');
        this.answer = undefined;
      } else {
        onMessage(message);
        for (const listener of this.listeners) listener(message);
      }
    });
    this.panel.onDidDispose(() => this.answer?.(false));
    this.panel.webview.html = webviewHtml({
      webview: this.panel.webview,
      extensionUri,
      title: `Bisect: ${title}`,
      script: 'bisect.js',
      style: 'bisect.css',
      body: `
<h1>Bisect: ${escapeHtml(title)}</h1>
<div class="muted">Phase: <span id="phase" class="phase">starting</span></div>
<div class="stats">
  <div class="stat"><div class="label">Probes</div><div class="value" id="probes">0</div></div>
  <div class="stat"><div class="label">Tokens</div><div class="value" id="tokens">0</div></div>
  <div class="stat"><div class="label">Cost</div><div class="value" id="cost">$0.00</div></div>
  <div class="stat"><div class="label">Current size</div><div class="value" id="size">-</div></div>
  <div class="stat"><div class="label">Original size</div><div class="value" id="original">-</div></div>
</div>
<h2>Size of the smallest still-refused candidate, by probe</h2>
<svg id="chart" class="chart" role="img" aria-label="Candidate size over probes" viewBox="0 0 640 200"></svg>
<div id="confirm" class="confirm hidden">
  <h2>Estimated cost</h2>
  <p id="estimate"></p>
  <div class="actions"><button id="start">Start Bisect</button><button id="decline" class="secondary">Don't Start</button></div>
</div>
<div class="actions"><button id="cancel" class="secondary">Cancel</button></div>
<div id="errorBox" class="hidden"><h2 id="errorTitle" class="error">Bisect failed</h2><pre id="errorText"></pre></div>
<div id="result" class="hidden">
  <h2>Result</h2>
  <p id="verdict"></p>
  <pre id="minimal"></pre>
  <p id="marks" class="muted hidden"></p>
</div>
<div id="findings" class="hidden">
  <p id="attribution" class="hidden"></p>
  <p id="context" class="muted hidden"></p>
  <div id="models" class="hidden">
    <h2>Rates across models</h2>
    <p id="modelsCaption" class="muted"></p>
    <table id="modelsTable" class="rates"></table>
    <ul id="modelsNotes" class="muted"></ul>
    <p id="modelsStopped" class="hidden"></p>
    <p>Is this a regression? <span id="regression"></span></p>
  </div>
</div>
<div id="next" class="actions hidden">
  <button id="diff">Show Diff (original vs minimal)</button>
  <button id="draft">Next: Draft GitHub Issue</button>
  <button id="makeItPass" class="secondary">Make It Pass</button>
  <button id="measureModels" class="secondary">Measure Across Models</button>
</div>
<div id="pass" class="hidden">
  <h2>Make It Pass</h2>
  <div class="muted">Phase: <span id="passPhase"></span>; <span id="passProbes"></span></div>
  <p id="passVerdict"></p>
  <p id="passVerification" class="verification"></p>
  <ul id="passRemoved"></ul>
  <div id="passPromptBox" class="hidden"><h3>Prompt to paste</h3><pre id="passPrompt"></pre></div>
  <ul id="passWritten"></ul>
  <ul id="passNotes" class="muted"></ul>
  <div class="actions">
    <button id="passCancel" class="secondary hidden">Stop</button>
    <button id="openSanitized" class="hidden">Open Sanitized Copy</button>
    <button id="replaceOriginal" class="secondary hidden">Replace Original (keeps a backup)</button>
    <button id="copyPrompt" class="hidden">Copy Prompt</button>
    <button id="repairSession" class="hidden">Write Resumable Session Copy</button>
  </div>
</div>`,
    });
  }

  get stats(): BisectStats | undefined {
    return this.last;
  }

  /** Size of the best candidate by probe, as charted. */
  get history(): SizePoint[] {
    return [...this.points];
  }

  /** The Make It Pass section as last shown (the integration tests read it). */
  get pass(): PassViewModel | undefined {
    return this.lastPass;
  }

  /** Shows the cost estimate and waits for Start (true) or Don't Start / closing the view (false). */
  confirm(estimate: string, start?: string): Promise<boolean> {
    const answer = new Promise<boolean>((resolve) => (this.answer = resolve));
    void this.post({ type: 'confirm', text: estimate, ...(start ? { start } : {}) });
    return answer;
  }

  /** Hears the view's buttons besides the flow that opened it (Make It Pass runs on an open view); returns an unsubscribe. */
  listen(listener: (message: BisectPanelMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  showPass(model: PassViewModel): void {
    this.lastPass = model;
    void this.post({ type: 'pass', model });
  }

  progress(stats: BisectStats): void {
    this.last = stats;
    const point = this.points.at(-1);
    if (!point || point.probes !== stats.probes || point.size !== stats.currentSize) this.points.push({ probes: stats.probes, size: stats.currentSize });
    void this.post({ type: 'progress', model: bisectViewModel(stats, this.points) });
  }

  done(result: BisectResult, history?: SizePoint[]): void {
    if (history && this.points.length === 0) this.points.push(...history);
    const stats: BisectStats = {
      phase: result.stoppedEarly ? 'stopped' : 'done',
      probes: result.probes,
      tokens: result.inputTokens + result.outputTokens,
      costUsd: result.costUsd,
      currentSize: minimalBytes(result),
      originalSize: result.original.size,
    };
    this.last = stats;
    const last = this.points.at(-1);
    if (!last || last.size !== stats.currentSize) this.points.push({ probes: Math.max(result.probes, last?.probes ?? 0), size: stats.currentSize });
    void this.post({ type: 'done', model: bisectViewModel(stats, this.points, result) });
  }

  /** One line on the trigger's marks in the editor: where they are, or why there are none. */
  marks(text: string): void {
    void this.post({ type: 'marks', text });
  }

  error(message: string, title?: string): void {
    void this.post({ type: 'error', message, ...(title ? { title } : {}) });
  }

  private async post(message: BisectToView): Promise<void> {
    await this.ready;
    await this.panel.webview.postMessage(message);
  }
}

/**
 * The Refusal Ledger webview: what refusals cost, by day, model, category and project, with charts, CSV export and
 * a credit-request summary for Anthropic support. The numbers and their layout come from core
 * (buildLedgerViewModel, unit-tested); this file only scans, posts the view model and answers the page's buttons.
 * Scans go through the ledger index in the extension's global storage, so reopening reads only appended bytes.
 */
import type * as vscode from 'vscode';
import { buildReport, entriesToCsv, type LedgerReport } from '../../core/ledger/report';
import { loadPriceTable } from '../../core/prices';
import { scanLedger, type LedgerScanStats } from '../../core/ledger/scan';
import type { LedgerEntry } from '../../core/ledger/types';
import { buildLedgerViewModel, type LedgerViewModel } from '../../core/ledger/viewModel';
import { errorText } from '../errors';
import { createWebviewPanel, firstWorkspaceFolder, showErrorMessage, showSaveDialog, Uri, withProgress, writeClipboard, writeFile } from '../vscodeapi';
import { webviewHtml } from '../webview/html';
import { isLedgerFromView, LEDGER_PERIODS, type LedgerFromView, type LedgerToView } from '../webview/protocol';

export interface LedgerViewDeps {
  projectsDir: string;
  log?: (msg: string) => void;
}

const DAY_MS = 86_400_000;

let open: LedgerPanel | undefined;

/** Opens the Refusal Ledger (or brings the open one forward and refreshes it). */
export function showLedgerView(context: vscode.ExtensionContext, deps: LedgerViewDeps): void {
  if (open && !open.disposed) {
    open.panel.reveal();
    void open.refresh();
    return;
  }
  open = new LedgerPanel(context, deps);
}

class LedgerPanel {
  readonly panel: vscode.WebviewPanel;
  disposed = false;
  private entries: LedgerEntry[] | undefined;
  private stats: LedgerScanStats | undefined;
  private days = 30;
  private report: LedgerReport | undefined;
  private model: LedgerViewModel | undefined;
  private scanning: Promise<void> | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly deps: LedgerViewDeps,
  ) {
    const extensionUri = context.extensionUri;
    this.panel = createWebviewPanel('aupBisect.ledger', 'Refusal Ledger', {
      enableScripts: true,
      localResourceRoots: [Uri.joinPath(extensionUri, 'media')],
    });
    this.panel.onDidDispose(() => (this.disposed = true));
    this.panel.webview.onDidReceiveMessage((message: unknown) => {
      if (isLedgerFromView(message)) void this.receive(message);
    });
    this.panel.webview.html = webviewHtml({
      webview: this.panel.webview,
      extensionUri,
      title: 'Refusal Ledger',
      script: 'ledger.js',
      style: 'ledger.css',
      body: `
<header class="ledger-head">
  <h1>Refusal Ledger</h1>
  <div class="actions">
    <label for="period" class="muted">Period</label>
    <select id="period">${LEDGER_PERIODS.map((d) => `<option value="${d}">last ${d} days</option>`).join('')}</select>
    <button id="refresh" class="secondary">Refresh</button>
    <button id="exportCsv" class="secondary">Export CSV...</button>
  </div>
</header>
<p id="status" class="muted">Reading transcripts...</p>
<section id="content" class="hidden">
  <div id="summary" class="cards"></div>
  <p id="trend" class="trend"></p>
  <div id="charts" class="charts"></div>
  <div id="tables" class="tables"></div>
  <h2>Refused turns</h2>
  <div id="refusals"></div>
  <h2>Credit request</h2>
  <p class="muted">A summary for Anthropic support: request ids, dates, models, tokens and cost. It holds no prompt
  text or file paths. Review it, then paste it into a support request.</p>
  <div class="actions"><button id="copyCredit">Copy Credit Request</button></div>
  <pre id="credit"></pre>
  <p id="footnote" class="muted"></p>
</section>`,
    });
  }

  private post(message: LedgerToView): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  private async receive(message: LedgerFromView): Promise<void> {
    switch (message.type) {
      case 'ready':
        // The page (re)loaded: show what we have, scan if we have nothing.
        if (this.model) this.post({ type: 'model', model: this.model, days: this.days });
        else await this.refresh();
        return;
      case 'refresh':
        return this.refresh();
      case 'period':
        this.days = message.days;
        this.render();
        return;
      case 'exportCsv':
        return this.exportCsv();
      case 'copyCredit':
        if (this.model) {
          await writeClipboard(this.model.creditRequest);
          this.post({ type: 'notice', text: 'Credit request copied to the clipboard.' });
        }
        return;
    }
  }

  /** Scans (incrementally) and renders; concurrent calls share one scan. */
  refresh(): Promise<void> {
    this.scanning ??= this.scan().finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  private async scan(): Promise<void> {
    this.post({ type: 'status', text: 'Reading transcripts...' });
    try {
      const result = await withProgress(
        { location: 'window', title: 'Refusal Ledger: reading transcripts' },
        async () =>
          scanLedger({
            projectsDir: this.deps.projectsDir,
            prices: await loadPriceTable(),
            cacheDir: this.context.globalStorageUri.fsPath,
          }),
      );
      for (const warning of result.warnings) this.deps.log?.(warning);
      this.deps.log?.(
        `${result.entries.length} refused turns; read ${result.stats.bytesRead} of ${result.stats.bytesTotal} bytes in ${result.stats.files} transcripts`,
      );
      this.entries = result.entries;
      this.stats = result.stats;
      this.render();
    } catch (error) {
      const text = errorText(error);
      this.deps.log?.(text);
      this.post({ type: 'status', text, error: true });
    }
  }

  private render(): void {
    if (!this.entries) return;
    const now = new Date();
    this.report = buildReport(this.entries, { now, since: new Date(now.getTime() - (this.days - 1) * DAY_MS) });
    this.model = buildLedgerViewModel(this.report, this.stats);
    this.post({ type: 'model', model: this.model, days: this.days });
  }

  private async exportCsv(): Promise<void> {
    if (!this.report || !this.model) return;
    const target = await showSaveDialog({
      title: 'Export the refusal ledger as CSV',
      defaultUri: Uri.joinPath(firstWorkspaceFolder() ?? this.context.globalStorageUri, this.model.csvFileName),
      filters: { CSV: ['csv'] },
    });
    if (!target) return;
    try {
      await writeFile(target, Buffer.from(entriesToCsv(this.report.entries), 'utf8'));
      this.post({ type: 'notice', text: `Saved ${this.report.entries.length} refused turns to ${target.fsPath}.` });
    } catch (error) {
      void showErrorMessage(`Could not save the CSV to ${target.fsPath}: ${errorText(error)}`);
    }
  }
}

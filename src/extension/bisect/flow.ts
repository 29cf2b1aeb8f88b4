/**
 * Bisect Trigger in the editor: choose the oracle, show the core's cost estimate and ask before the first paid probe,
 * run the core's bisect job under a cancellable progress notification with the live view, then save the result in
 * globalStorage and open the diff (original vs minimal) with the verification rate and the next step.
 */
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { flaggedBeforeBisect } from '../../core/bisect/attribution';
import { prepareBisect, type BisectProgress } from '../../core/bisect/run';
import type { BisectSource } from '../../core/bisect/source';
import { inputBytes } from '../../core/probe/oracle/estimate';
import type { OracleConfig, OracleFactories } from '../../core/probe/oracle/index';
import type { ProbeInput } from '../../core/probe/oracle/types';
import type { RefusalRecord } from '../../core/refusal/record';
import { Commands } from '../commands/ids';
import { runCommand } from '../commands/run';
import { resultDocUri } from '../documents';
import { errorText } from '../errors';
import { log } from '../logger';
import { chooseOracle, OracleChoiceError } from '../oracleChoice';
import { toRef, type ResultStorage, type SavedResult } from '../results';
import { modelsOption, type Settings } from '../settings';
import type { RefusalStore } from '../store';
import type { TriggerMarks } from '../trigger/marks';
import { marksLine } from '../trigger/plan';
import { marksTrigger } from '../trigger/text';
import { openSettings, showDiff, showErrorMessage, showInformationMessage, withProgress } from '../vscodeapi';
import { BisectPanel } from './panel';
import { summarize } from './viewModel';

/** What a bisect needs from the extension (the container provides it). */
export interface BisectFlowDeps {
  readonly context: Pick<vscode.ExtensionContext, 'secrets' | 'extensionUri' | 'globalStorageUri'>;
  settings(): Settings;
  readonly results: ResultStorage;
  readonly store: Pick<RefusalStore, 'addResult'>;
  lastResult: SavedResult | undefined;
  /** Marks the trigger in the files it came from (the container's; absent where nothing is shown). */
  readonly triggers?: Pick<TriggerMarks, 'show'>;
}

export type BisectTarget =
  | { kind: 'refusal'; refusal: RefusalRecord }
  /** A file; `text` when it comes from an editor (unsaved changes or a selection starting at `offset`). */
  | { kind: 'file'; uri: vscode.Uri; text?: string; selection?: boolean; offset?: number };

/** The stand-in (oracle setting "sim"), loaded only when chosen. */
export const oracles: OracleFactories = { sim: async (options) => (await import('../../sim/oracle')).createSimOracle(options) };

function sourceOf(target: BisectTarget): BisectSource {
  if (target.kind === 'refusal') return { kind: 'refusal', refusal: target.refusal };
  const fileName = path.basename(target.uri.fsPath || target.uri.path);
  if (target.text !== undefined) {
    // An untitled buffer has no file behind it ("Untitled-1" is not a path): its text is bisected without one.
    const filePath = target.uri.scheme === 'file' ? target.uri.fsPath : undefined;
    const selection = target.selection && target.offset !== undefined ? { start: target.offset } : undefined;
    return { kind: 'text', text: target.text, fileName, ...(filePath ? { filePath } : {}), ...(selection ? { selection } : {}) };
  }
  return { kind: 'file', path: target.uri.fsPath };
}

/** The view's title and the diff's left side. */
function describeTarget(target: BisectTarget, input: ProbeInput): { originalText: string; label: string } {
  if (target.kind === 'refusal') {
    const label = `${target.refusal.models[0]?.model ?? 'refusal'} ${new Date(target.refusal.timestamp).toLocaleString()}`;
    return { originalText: input.parts.map((p) => p.text).join('\n\n'), label };
  }
  const fileName = path.basename(target.uri.fsPath || target.uri.path);
  if (target.text !== undefined) return { originalText: target.text, label: target.selection ? `selection in ${fileName}` : fileName };
  return { originalText: input.parts[0]?.mediaType === 'application/pdf' ? '(PDF: see the minimal file)' : input.parts[0]!.text, label: fileName };
}

/** The bisect views open now, by the result they show (Make It Pass runs in the view of its result). */
const openPanels = new Map<string, BisectPanel>();

export function openPanelFor(resultId: string): BisectPanel | undefined {
  return openPanels.get(resultId);
}

function track(resultId: string, panel: BisectPanel): void {
  openPanels.set(resultId, panel);
  panel.panel.onDidDispose(() => openPanels.get(resultId) === panel && openPanels.delete(resultId));
}

/** The oracle the settings choose; when none can be used, says why and offers the fix (undefined then). */
export async function oracleChoiceFor(s: Pick<BisectFlowDeps, 'context' | 'settings'>, model: string | undefined): Promise<OracleConfig | undefined> {
  try {
    return await chooseOracle(s.settings(), s.context.secrets, model);
  } catch (error) {
    if (error instanceof OracleChoiceError) {
      const choice = await showErrorMessage(errorText(error), 'Set API Key', 'Open Settings');
      if (choice === 'Set API Key') await runCommand(Commands.setApiKey);
      if (choice === 'Open Settings') await openSettings('aupBisect.oracle');
      return undefined;
    }
    throw error;
  }
}

export async function runBisectFlow(s: BisectFlowDeps, target: BisectTarget): Promise<SavedResult | undefined> {
  const settings = s.settings();
  // The first model of a fallback chain is the one the user chose and the first to refuse: replay on it, as `bisect --refusal` does.
  const refusedModel = target.kind === 'refusal' ? target.refusal.models[0]?.model : undefined;
  const config = await oracleChoiceFor(s, refusedModel);
  if (!config) return undefined;
  const job = await prepareBisect({
    source: sourceOf(target),
    oracle: config,
    oracles,
    model: settings.model,
    // Rates across models after the bisect, as `aup-bisect bisect --models` (the estimate counts their probes).
    models: modelsOption(settings.models),
    budget: { maxProbes: settings.maxProbes, maxUsd: settings.maxCostUsd },
    concurrency: settings.concurrency,
    outDir: path.join(s.context.globalStorageUri.fsPath, 'minimal'),
  });
  const { input } = job;
  const { originalText, label } = describeTarget(target, input);
  try {
    const controller = new AbortController();
    let savedId: string | undefined;
    const panel = new BisectPanel(s.context.extensionUri, label, (message) => {
      if (message.type === 'cancel') controller.abort();
      if (message.type === 'diff' && s.lastResult) void openDiff(s.lastResult);
      if (message.type === 'draft' && s.lastResult) void runCommand(Commands.draftIssue, { resultId: s.lastResult.id });
      if (message.type === 'makeItPass' && savedId) void runCommand(Commands.makeItPass, { resultId: savedId });
      if (message.type === 'measureModels' && savedId) void runCommand(Commands.measureModels, { resultId: savedId });
    });
    panel.panel.onDidDispose(() => controller.abort());
    // Ask before the first paid probe, in the view where the run will show (a modal dialog would do too, but VS
    // Code refuses modals in extension tests, and the view keeps the estimate next to the live figures).
    // The stand-in and a test command are free; the API and `claude -p` spend the user's money or quota.
    if (job.estimate.paid) {
      panel.panel.reveal();
      if (!(await panel.confirm(job.estimate.line))) {
        log.info(`bisect not started: ${label}`);
        return undefined;
      }
    }
    log.info(`bisect started: ${label} (${job.oracle.name}, ${inputBytes(input)} B)`);

    const run = await withProgress(
      { location: 'notification', title: `AUP Bisect: ${label}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        let lastReport = 0;
        return job.run({
          signal: controller.signal,
          onProgress: (e: BisectProgress) => {
            panel.progress({ phase: e.phase, probes: e.probes + e.cachedProbes, tokens: e.inputTokens + e.outputTokens, costUsd: e.costUsd, currentSize: e.currentSize, originalSize: e.originalSize });
            const now = Date.now();
            if (now - lastReport > 200) {
              lastReport = now;
              progress.report({ message: `${e.phase}: ${e.currentSize} of ${e.originalSize} B, ${e.probes} probes, $${e.costUsd.toFixed(4)}` });
            }
          },
        });
      },
    ).then(undefined, (error: unknown) => {
      // Shown in the view too, so it does not sit at "starting" after a failure (the command reports it as well).
      panel.error(errorText(error));
      throw error;
    });
    panel.done(run);
    const saved = await s.results.save(label, run, originalText, panel.history);
    s.lastResult = saved;
    savedId = saved.id;
    track(saved.id, panel);
    s.store.addResult(toRef(saved));
    log.info(`bisect ${run.status}: ${summarize(run)}`);
    // Before the diff opens, so the marks are there whichever editor the user looks at next; a failure only loses the marks.
    const marked = await s.triggers?.show(saved, input.parts.map((p) => p.text), target.kind === 'file' ? target.uri : undefined).catch((error: unknown) => log.warn(`could not mark the trigger in the editor: ${errorText(error)}`));
    if (marked && marksTrigger(run)) panel.marks(marksLine(marked));
    if (run.status === 'not-refused') {
      void showInformationMessage(`AUP Bisect: ${run.stoppedEarly ?? 'the original is not refused'}. Nothing to bisect.`);
      return saved;
    }
    if (flaggedBeforeBisect(run)) {
      // Nothing the user sent is the cause: no diff to open and no trigger to report.
      void showInformationMessage(`AUP Bisect: ${summarize(run)}`);
      return saved;
    }
    await openDiff(saved);
    void showInformationMessage(`AUP Bisect: ${summarize(run)}`, 'Draft GitHub Issue').then((c) => c && void runCommand(Commands.draftIssue, { resultId: saved.id }));
    return saved;
  } catch (error) {
    if (error instanceof Error) log.error('bisect failed', error);
    throw error;
  } finally {
    await job.close().catch(() => undefined);
  }
}

export function openDiff(saved: SavedResult): Thenable<unknown> {
  const r = saved.result;
  return showDiff(resultDocUri(saved, 'original'), resultDocUri(saved, 'minimal'), `${saved.label}: original ↔ minimal (refused ${r.verification.refused}/${r.verification.of})`);
}

/** Reopens a saved result: the view in its final state and the diff. */
export async function showSavedResult(s: Pick<BisectFlowDeps, 'context'>, saved: SavedResult): Promise<BisectPanel> {
  await openDiff(saved);
  // The view opens over the diff (the diff stays one tab away and a button in the view brings it back).
  const panel = new BisectPanel(s.context.extensionUri, saved.label, (message) => {
    if (message.type === 'diff') void openDiff(saved);
    if (message.type === 'draft') void runCommand(Commands.draftIssue, { resultId: saved.id });
    if (message.type === 'makeItPass') void runCommand(Commands.makeItPass, { resultId: saved.id });
    if (message.type === 'measureModels') void runCommand(Commands.measureModels, { resultId: saved.id });
  });
  track(saved.id, panel);
  panel.done(saved.result, saved.points);
  return panel;
}

/**
 * Make It Pass in the editor: the core's unblock job (core/unblock/unblock.ts, as `aup-bisect unblock`) on a saved
 * bisect result, in that result's bisect view. The oracle is chosen and a paid run is confirmed in the view as for a
 * bisect; the search shows its progress there and under a cancellable notification; the outcome names the removals
 * and the verification rate on the whole original. A sanitized copy is written BESIDE the original; replacing the
 * original, copying the prompt to paste and writing a resumable session copy are buttons the user presses.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { RepairedSession } from '../../core/unblock/session';
import { gateText } from '../../core/report/gate';
import { oracleFor } from '../../core/probe/setup';
import { estimateUnblock } from '../../core/unblock/estimate';
import { resolveConcurrency } from '../../core/probe/oracle/defaults';
import { sanitizedPath, writeSanitized } from '../../core/unblock/sanitize';
import { repairSession } from '../../core/unblock/session';
import type { BisectResult } from '../../core/bisect/result';
import { originalInput, runUnblock, selectionOf, type UnblockRun } from '../../core/unblock/unblock';
import { oracleChoiceFor, openPanelFor, oracles, showSavedResult, type BisectFlowDeps } from '../bisect/flow';
import type { BisectPanel, BisectPanelMessage } from '../bisect/panel';
import { errorText } from '../errors';
import { log } from '../logger';
import type { SavedResult } from '../results';
import type { MakeItPassRun } from './result';
import { openTextDocumentAt, showErrorMessage, showInformationMessage, Uri, withProgress, writeClipboard } from '../vscodeapi';
import { passProgressModel, passViewModel, type PassFollowUp } from './viewModel';

export type { MakeItPassRun } from './result';

/** Answers of the whole input, minus the removals, that must all pass (the CLI's --verify default). */
export const VERIFY_RUNS = 5;


/** Results whose search is running now: a second press shows the running one instead of starting another. */
const running = new Set<string>();
/** Each view's live offers (of its latest run): a new run replaces them, so one press acts once. */
const offers = new WeakMap<BisectPanel, () => void>();

export async function runMakeItPassFlow(s: BisectFlowDeps, saved: SavedResult): Promise<MakeItPassRun | undefined> {
  if (saved.result.status === 'not-refused' || saved.result.minimal === '') {
    void showInformationMessage('AUP Bisect: this result has no trigger (its input was not refused, or nothing the user sent caused it): nothing to make pass.');
    return undefined;
  }
  const panel = openPanelFor(saved.id) ?? (await showSavedResult(s, saved));
  panel.panel.reveal();
  if (running.has(saved.id)) {
    void showInformationMessage('AUP Bisect: Make It Pass is already running for this result (see its view).');
    return undefined;
  }
  running.add(saved.id);
  try {
    return await run(s, saved, panel);
  } finally {
    running.delete(saved.id);
  }
}

async function run(s: BisectFlowDeps, saved: SavedResult, panel: BisectPanel): Promise<MakeItPassRun | undefined> {
  const settings = s.settings();
  const config = await oracleChoiceFor(s, saved.result.model);
  if (!config) return undefined;
  // The input is rebuilt (and checked to be what was bisected) before anything is asked or spent.
  const input = await originalInput(saved.result, settings.model);
  const { oracle } = await oracleFor(config, oracles);
  const budget = { maxProbes: settings.maxProbes, maxUsd: settings.maxCostUsd };
  const estimate = estimateUnblock(input, oracle, budget, VERIFY_RUNS);
  if (estimate.paid && !(await panel.confirm(estimate.line, 'Start Make It Pass'))) {
    await oracle.close?.();
    log.info(`make it pass not started: ${saved.label}`);
    return undefined;
  }

  const controller = new AbortController();
  const unlisten = panel.listen((m) => m.type === 'passCancel' && controller.abort());
  const closed = panel.panel.onDidDispose(() => controller.abort());
  panel.showPass(passProgressModel({ phase: 'confirm', removals: 0, probes: 0, cachedProbes: 0 }));
  log.info(`make it pass started: ${saved.label} (${oracle.name})`);
  let unblock: UnblockRun;
  try {
    unblock = await withProgress({ location: 'notification', title: `AUP Bisect: Make It Pass: ${saved.label}`, cancellable: true }, async (progress, token) => {
      token.onCancellationRequested(() => controller.abort());
      let lastReport = 0;
      // runUnblock owns the oracle from here (it closes it).
      return runUnblock({
        result: saved.result,
        oracle,
        model: settings.model,
        budget,
        // "auto" (unset): the oracle's default, as the bisect runs with (the setting used to default to 4 for both).
        concurrency: resolveConcurrency(settings.concurrency, oracle.name),
        verifyRuns: VERIFY_RUNS,
        signal: controller.signal,
        write: true,
        onProgress: (e) => {
          const model = passProgressModel(e);
          panel.showPass(model);
          const now = Date.now();
          if (now - lastReport > 200) {
            lastReport = now;
            progress.report({ message: `${model.phase}, ${model.probes}` });
          }
        },
      });
    });
  } catch (error) {
    panel.showPass({ ...passProgressModel({ phase: 'failed', removals: 0, probes: 0, cachedProbes: 0 }), running: false, phase: 'failed', verdict: errorText(error) });
    throw error;
  } finally {
    unlisten();
    closed.dispose();
  }
  log.info(`make it pass ${unblock.status}: ${unblock.spans} spans, verification ${unblock.passSet.verification.passed}/${unblock.passSet.verification.of}, ${unblock.probes} probes`);

  const refusal = saved.result.refusal;
  const follow: PassFollowUp = { canRepair: Boolean(refusal?.transcript && refusal.refusedUserUuid) };
  // A bisected selection is replaced as a range (the rest of the file may have changed); a whole file as a whole.
  const originals = unblock.selection ? [] : await originalsOf(unblock);
  const show = (): void => panel.showPass(passViewModel(unblock, follow));
  show();
  // The offers stay live while the view is open; each is one press of the user's.
  const act = async (m: BisectPanelMessage): Promise<void> => {
    if (m.type === 'openSanitized') {
      for (const path of unblock.written.sanitized) await openTextDocumentAt(Uri.file(path));
    } else if (m.type === 'replaceOriginal' && !follow.replaced) {
      follow.replaced = unblock.selection ? await replaceSelection(saved.result, unblock.selection) : await replaceOriginals(originals);
      show();
    } else if (m.type === 'copyPrompt' && unblock.prompt !== undefined) {
      // The clipboard is an exit: the prompt passes the same gate as every text that leaves.
      const gated = await gateText(unblock.prompt);
      await writeClipboard(gated.text);
      void showInformationMessage(`AUP Bisect: the prompt to paste is on the clipboard${gated.redactions.length ? ` (${gated.redactions.length} secret${gated.redactions.length === 1 ? '' : 's'} masked)` : ''}.`);
    } else if (m.type === 'repairSession' && refusal?.transcript && refusal.refusedUserUuid && !follow.session) {
      follow.session = await repairSession({ transcript: refusal.transcript, refusedUserUuid: refusal.refusedUserUuid });
      show();
      void showInformationMessage(`AUP Bisect: continue with \`claude --resume ${follow.session.sessionId}\` (the original session is unchanged).`);
    }
  };
  offers.get(panel)?.();
  const stopActing = panel.listen((m) => {
    act(m).catch((error: unknown) => {
      log.error(`make it pass: ${m.type} failed`, error);
      void showErrorMessage(`AUP Bisect: ${errorText(error)}`);
    });
  });
  offers.set(panel, stopActing);
  panel.panel.onDidDispose(stopActing);
  return { resultId: saved.id, run: unblock, panel };
}

interface Original {
  path: string;
  copy: string;
  /** The original's bytes when its copy was written: replacing is refused if the file has changed since. */
  sha256: string;
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Each original whose sanitized copy was written (core names a copy `<name>.sanitized<ext>` beside it), hashed now. */
async function originalsOf(run: UnblockRun): Promise<Original[]> {
  const out: Original[] = [];
  for (const copy of run.written.sanitized) {
    const path = copy.replace(/\.sanitized(\.[^./]*)?$/, '$1');
    // A copy is only ever written beside its original under that name; anything else is not ours to replace.
    if (path === copy || sanitizedPath(path) !== copy) continue;
    out.push({ path, copy, sha256: sha256(await readFile(path)) });
  }
  return out;
}

/** The sanitized content over each original, after a backup `<file>.orig` (core's writeSanitized refuses to overwrite one). */
async function replaceOriginals(originals: Original[]): Promise<Array<{ path: string; backup: string }>> {
  const out: Array<{ path: string; backup: string }> = [];
  for (const o of originals) {
    if (sha256(await readFile(o.path)) !== o.sha256) throw new Error(`${o.path} changed since its sanitized copy was written: not replaced (the copy is ${o.copy})`);
    const written = await writeSanitized(o.path, await readFile(o.copy), true);
    if (written.backup) out.push({ path: written.path, backup: written.backup });
  }
  return out;
}

/**
 * The sanitized selection over the range it came from, and nothing else of the file, after a backup `<file>.orig`.
 * Refused (a UserError) when the range no longer holds the selected text that was bisected.
 */
async function replaceSelection(result: BisectResult, selection: NonNullable<UnblockRun['selection']>): Promise<Array<{ path: string; backup: string }>> {
  const { fileText, bom } = await selectionOf(result, result.original.path!);
  const written = await writeSanitized(result.original.path!, fileText.slice(0, bom + selection.start) + selection.sanitized + fileText.slice(bom + selection.end), true);
  return written.backup ? [{ path: written.path, backup: written.backup }] : [];
}

/**
 * Measure Across Models in the editor: the core's evidence step (core/bisect/evidence.ts, as `aup-bisect evidence`)
 * on a saved bisect result, in that result's bisect view. The user picks the models (auto, the ones the oracle
 * serves, or typed ids); a paid run shows the core's estimate and waits for Start, as a bisect does; the result is
 * saved with its table and the view redrawn, so the draft made next carries the rates and the regression answer.
 */
import { prepareEvidence, type EvidenceJob } from '../../core/bisect/evidence';
import type { BisectResult } from '../../core/bisect/result';
import { oracleFor } from '../../core/probe/setup';
import type { Oracle } from '../../core/probe/oracle/types';
import { errorText } from '../errors';
import { log } from '../logger';
import { toRef, type SavedResult } from '../results';
import { showInformationMessage, showInputBox, showQuickPickMany, withProgress } from '../vscodeapi';
import { oracleChoiceFor, openPanelFor, oracles, showSavedResult, type BisectFlowDeps } from './flow';
import type { BisectPanel } from './panel';
import { chosenModels, modelPickItems, typedModels } from './modelPick';
import { modelRatesView } from './findings';

/** Results being measured now: a second press shows the running one instead of starting another. */
const running = new Set<string>();

/**
 * `models`: the ids to replay on ([] for core's automatic choice), given by a caller that already knows them (the
 * integration tests); absent: the user picks.
 */
export async function runMeasureModelsFlow(s: BisectFlowDeps, saved: SavedResult, models?: readonly string[]): Promise<SavedResult | undefined> {
  if (saved.result.status === 'not-refused' || saved.result.minimal === '') {
    void showInformationMessage('AUP Bisect: this result has no trigger (its input was not refused, or nothing the user sent caused it): nothing to replay on other models.');
    return undefined;
  }
  const panel = openPanelFor(saved.id) ?? (await showSavedResult(s, saved));
  panel.panel.reveal();
  if (running.has(saved.id)) {
    void showInformationMessage('AUP Bisect: this result is already being measured across models (see its view).');
    return undefined;
  }
  running.add(saved.id);
  try {
    return await measure(s, saved, panel, models);
  } finally {
    running.delete(saved.id);
  }
}

async function measure(s: BisectFlowDeps, saved: SavedResult, panel: BisectPanel, given: readonly string[] | undefined): Promise<SavedResult | undefined> {
  const settings = s.settings();
  const config = await oracleChoiceFor(s, saved.result.model);
  if (!config) return undefined;
  // One oracle for the model list and the probes; this flow made it, so this flow closes it.
  const { oracle } = await oracleFor(config, oracles);
  try {
    const models = given ? [...given] : await pickModels(saved.result, oracle);
    if (!models) return undefined;
    const controller = new AbortController();
    const job = await prepareEvidence({
      result: saved.result,
      oracle,
      models,
      budget: { maxProbes: settings.maxProbes, maxUsd: settings.maxCostUsd },
      concurrency: settings.concurrency,
      signal: controller.signal,
    });
    try {
      if (job.estimate.paid && !(await panel.confirm(job.estimate.line, 'Start Measuring'))) {
        log.info(`measure across models not started: ${saved.label}`);
        return undefined;
      }
      log.info(`measure across models started: ${saved.label} (${oracle.name}): ${job.estimate.line}`);
      const updated = await run(job, panel, saved.label, controller);
      const next = await s.results.update(saved, updated);
      s.lastResult = next;
      s.store.addResult(toRef(next));
      panel.done(next.result, next.points);
      const regression = modelRatesView(next.result)?.regression;
      log.info(`measured across models: ${saved.label}: ${regression ?? 'no table'}`);
      void showInformationMessage(`AUP Bisect: rates across models measured. Is this a regression? ${regression ?? 'not measured'}`);
      return next;
    } finally {
      await job.close();
    }
  } finally {
    await oracle.close?.().catch(() => undefined);
  }
}

async function run(job: EvidenceJob, panel: BisectPanel, label: string, controller: AbortController): Promise<BisectResult> {
  const closed = panel.panel.onDidDispose(() => controller.abort());
  try {
    return await withProgress({ location: 'notification', title: `AUP Bisect: measuring ${label} across models`, cancellable: true }, (_progress, token) => {
      token.onCancellationRequested(() => controller.abort());
      return job.run();
    });
  } catch (error) {
    panel.error(errorText(error), 'Measuring across models failed');
    throw error;
  } finally {
    closed.dispose();
  }
}

/** Asks which models; undefined when the user backs out or picks nothing. */
async function pickModels(result: BisectResult, oracle: Oracle): Promise<string[] | undefined> {
  // The model list is a free request (GET /v1/models); an oracle without one, or a failed list, leaves typed ids.
  const served = await oracle.models?.().catch((error: unknown) => {
    log.warn(`could not read the oracle's model list: ${errorText(error)}`);
    return undefined;
  });
  const picked = await showQuickPickMany(modelPickItems(result, served), {
    title: 'Measure across models: replay the trigger on which models?',
    placeHolder: 'Tick models, or "auto"; 3 probes each of the trigger and a content-free control',
    matchOnDescription: true,
  });
  if (!picked || picked.length === 0) return undefined;
  let typed: string[] = [];
  if (picked.some((p) => p.choice.kind === 'typed')) {
    const text = await showInputBox({ title: 'Model ids to replay on', prompt: 'Comma-separated, e.g. claude-opus-5-5, claude-opus-4-8' });
    if (text === undefined) return undefined;
    typed = typedModels(text);
  }
  return chosenModels(result, picked, typed, served);
}

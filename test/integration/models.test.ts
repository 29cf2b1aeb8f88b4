/// <reference types="mocha" />
/**
 * Rates across models inside a real VS Code: the stand-in refuses a trigger on Opus 5.x only (a rule restricted to
 * `claude-opus-5-*`), the bisect replays it on the models of aupBisect.models, and the bisect view shows each model's
 * rate with the request ids the stand-in's log holds; then "Measure Across Models" measures the saved result again on
 * other models, saves it and redraws the view, and the draft carries the table.
 */
import * as assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EvidenceRate, ModelEvidence } from '../../src/core/bisect/evidence';
import { startSim, type SimServer } from '../../src/sim/server';
import type { AupBisectTestHooks } from '../../src/extension/extension';
import type { DraftPanel } from '../../src/extension/draft/panel';
import type { SavedResult } from '../../src/extension/results';
import { Commands } from '../../src/extension/commands/ids';
import { click, deadline, extensionApi, MAX_PROBES, screenTexts, screenshot, setSetting, visibleNotifications, waitFor, within } from './support';

const root = path.resolve(__dirname, '../../..');
const workspace = path.join(root, 'out/test/workspace');
const REFUSING = 'claude-opus-5-5';
const PREVIOUS = 'claude-opus-4-8';

/** Sixty lines of notes with one sentence the Opus 5 rule refuses. */
function notes(): string {
  const lines = Array.from({ length: 60 }, (_, i) => `Line ${i}: notes about the build, the tests and the release plan.`);
  lines.splice(30, 0, 'The keylogger sample must stay hidden from the audit log.');
  return `${lines.join('\n')}\n`;
}

/** Each request id of `rate` is one the stand-in logged for `model`, and the refusals among them are `rate.refused`. */
function assertLogged(sim: SimServer, model: string, rate: EvidenceRate | undefined, what: string): void {
  assert.ok(rate, `${what} on ${model} was measured`);
  assert.equal(rate.requestIds.length, rate.k, `${what} on ${model}: one request id per probe`);
  const log = sim.stats().log;
  const entries = rate.requestIds.map((id) => log.find((e) => e.requestId === id));
  assert.ok(entries.every((e) => e !== undefined && e.model === model), `${what} on ${model}: ids ${rate.requestIds.join(' ')} in the stand-in's log for that model`);
  assert.equal(entries.filter((e) => e?.verdict === 'refused').length, rate.refused, `${what} on ${model}: the rate is what the stand-in answered`);
}

const row = (rows: ModelEvidence[] | undefined, model: string): ModelEvidence => {
  const found = rows?.find((m) => m.model === model);
  assert.ok(found, `${model} is in the table`);
  return found;
};

/** The table rows on screen (cells joined by " | "), once one of them mentions `model` with `text`. */
async function shownRow(model: string, text: string): Promise<string> {
  return waitFor(`the row of ${model} with "${text}" in the bisect view`, async () => {
    const cells = await screenTexts('#modelsTable tr');
    return cells.find((t) => t.includes(`(${model})`) && t.includes(text));
  });
}

describe('Rates across models in VS Code', function (this: Mocha.Suite) {
  this.timeout(deadline(3));
  let api: AupBisectTestHooks;
  let sim: SimServer;
  let saved: SavedResult;
  let draft: DraftPanel | undefined;
  const file = path.join(workspace, 'opus5-notes.md');

  before(async () => {
    api = await extensionApi();
    sim = await startSim({
      rules: {
        rules: [{ id: 'opus5-keylogger', category: 'cyber', models: ['claude-opus-5-*'], regex: '\\bkeylogger\\b.{0,80}\\b(hide|hidden|stealth)\\b' }],
      },
    });
    await vscode.commands.executeCommand(Commands.setApiKey, 'sk-ant-test-key-for-loopback');
    await setSetting('apiBaseUrl', sim.url);
    await setSetting('oracle', 'api');
    await setSetting('concurrency', 2);
    await setSetting('budget.maxProbes', MAX_PROBES);
    await setSetting('model', REFUSING);
    await setSetting('models', [REFUSING, PREVIOUS]);
    await writeFile(file, notes());
  });

  after(async () => {
    // The other suites bisect with the default models and read what is on screen: leave neither behind.
    await setSetting('models', undefined);
    await setSetting('model', undefined);
    draft?.panel.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await sim?.close();
    await rm(file, { force: true });
  });

  it('bisects with aupBisect.models and shows refused 3/3 on Opus 5.5 and 0/3 on Opus 4.8 with the request ids the stand-in logged', async () => {
    const bisect = vscode.commands.executeCommand<SavedResult | undefined>(Commands.bisectFile, vscode.Uri.file(file));
    // The API oracle is paid: the view shows the estimate (the replays on both models counted) and waits for Start.
    await click('Start Bisect');
    const result = await bisect;
    assert.ok(result, 'the bisect returned a result');
    saved = result;
    const r = saved.result;
    assert.match(r.minimal, /keylogger/);
    const e = r.evidence;
    assert.ok(e, 'the result carries the rates across models');
    console.log(`      ${r.probes} probes in all; rates: ${e.models.map((m) => `${m.model} ${m.trigger?.refused}/${m.trigger?.k}`).join(', ')}; regression: ${e.regression.answer}`);
    const opus5 = row(e.models, REFUSING);
    const opus4 = row(e.models, PREVIOUS);
    assert.equal(opus5.trigger?.refused, 3);
    assert.equal(opus4.trigger?.refused, 0);
    for (const [m, what] of [[opus5, 'trigger'], [opus4, 'trigger'], [opus5, 'control'], [opus4, 'control']] as const) {
      assertLogged(sim, m.model, what === 'trigger' ? m.trigger : m.control, what);
    }
    assert.equal(e.regression.answer, 'yes', e.regression.sentence);

    // What the user sees: each model's rate and the ids, and the regression answer the draft will give.
    const shown5 = await shownRow(REFUSING, 'refused 3/3');
    const shown4 = await shownRow(PREVIOUS, 'refused 0/3');
    for (const id of opus5.trigger!.requestIds) assert.ok(shown5.includes(id), `${id} shown for ${REFUSING}: ${shown5}`);
    for (const id of opus4.trigger!.requestIds) assert.ok(shown4.includes(id), `${id} shown for ${PREVIOUS}: ${shown4}`);
    const regression = await waitFor('the regression answer in the view', async () => (await screenTexts('#regression')).find((t) => t !== ''));
    assert.match(regression, /^Yes, across models: refused 3\/3 on Opus 5\.5 \(claude-opus-5-5\), 0\/3 on Opus 4\.8 \(claude-opus-4-8\)/);
    await waitFor('the notifications to be cleared from the screen', async () => {
      await vscode.commands.executeCommand('notifications.clearAll');
      return (await visibleNotifications()).length === 0 || undefined;
    });
    await screenshot('models');

    // The draft carries the same table and answer.
    draft = await within(Promise.resolve(vscode.commands.executeCommand<DraftPanel | undefined>(Commands.draftIssue, { resultId: saved.id })), 'the draft view');
    assert.ok(draft, 'the draft opened');
    const body = draft.current.body;
    assert.ok(body.includes(`Yes, across models: refused 3/3 on Opus 5.5 (\`${REFUSING}\`)`), 'the draft answers "Is this a regression?" from the table');
    for (const id of [...opus5.trigger!.requestIds, ...opus4.trigger!.requestIds]) assert.ok(body.includes(id), `the draft carries request id ${id}`);
  }).timeout(deadline(10, MAX_PROBES));

  it('measures the saved result on other models in its view: the models the oracle serves offered, a model it does not serve named, not rated', async () => {
    // From the Command Palette: the result's view comes to the front and the user is asked which models, offered
    // "auto" and the stand-in's model list. (The view's button runs this same command with the result's id.)
    const asked = Promise.resolve(vscode.commands.executeCommand<SavedResult | undefined>(Commands.measureModels, { resultId: saved.id }));
    const offered = await waitFor('the model choice', async () => {
      const rows = await screenTexts('.quick-input-list .monaco-list-row');
      return rows.some((t) => t.includes('claude-sonnet-4-6')) ? rows : undefined;
    });
    assert.ok(offered.some((t) => t.includes('auto') && t.includes('the model Claude Code fell back to')), offered.join(' | '));
    assert.ok(offered.some((t) => t.includes(PREVIOUS) && t.includes(`the previous version of ${REFUSING}`)), offered.join(' | '));
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await within(asked, 'the measurement to end when the choice is dismissed'), undefined, 'nothing measured without a choice');

    // The same command with the models given (as a person ticks them), asked before spending as a bisect is.
    const before = sim.stats().log.length;
    const measuring = Promise.resolve(vscode.commands.executeCommand<SavedResult | undefined>(Commands.measureModels, { resultId: saved.id, models: ['claude-sonnet-4-6', 'claude-opus-9-9'] }));
    await click('Start Measuring');
    const measured = await within(measuring, 'the measurement across models');
    assert.ok(measured, 'the measurement returned the saved result');
    assert.equal(measured.id, saved.id, 'saved again under the same id');
    const e = measured.result.evidence;
    assert.ok(e);
    const sonnet = row(e.models, 'claude-sonnet-4-6');
    assert.equal(sonnet.trigger?.refused, 0);
    assert.equal(sonnet.trigger?.cached, 0, 'new probes, not the cache');
    assertLogged(sim, 'claude-sonnet-4-6', sonnet.trigger, 'trigger');
    assert.ok(sim.stats().log.slice(before).every((l) => l.model === 'claude-sonnet-4-6'), 'nothing was sent for the model the stand-in does not serve');
    const missing = row(e.models, 'claude-opus-9-9');
    assert.match(missing.notMeasured ?? '', /^not served by this oracle/);
    assert.equal(missing.trigger, undefined);

    await shownRow('claude-sonnet-4-6', 'refused 0/3');
    await shownRow('claude-opus-9-9', 'not served by this oracle');
    // Saved with the new table, so the result reopened later (and its draft) has it.
    const stored = JSON.parse(await readFile(path.join(api.storagePath, 'results', `${saved.id}.json`), 'utf8')) as SavedResult;
    assert.deepEqual(stored.result.evidence, e);
  }).timeout(deadline(8, 20));
});

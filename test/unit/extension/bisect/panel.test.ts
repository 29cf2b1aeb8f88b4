import { beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('../../../../src/extension/vscodeapi', () => import('../support/fakeVscodeApi'));
import { BisectPanel, type BisectPanelMessage } from '../../../../src/extension/bisect/panel';
import { summarize } from '../../../../src/extension/bisect/viewModel';
import { reset, Uri, webviewPanels } from '../support/fakeVscodeApi';
import { bisectResult } from '../fixtures';

function open() {
  const asked: BisectPanelMessage[] = [];
  const panel = new BisectPanel(Uri.file('/ext') as never, 'notes.md', (m) => asked.push(m));
  const page = webviewPanels.at(-1)!;
  page.send({ type: 'ready' });
  return { panel, page, asked };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('BisectPanel', () => {
  beforeEach(reset);

  it('asks before the first paid probe, and Start answers yes', async () => {
    const { panel, page } = open();
    const answer = panel.confirm('api (claude-opus-4-8): Expect 23-68 probes.');
    await settle();
    expect(page.posted).toEqual([{ type: 'confirm', text: 'api (claude-opus-4-8): Expect 23-68 probes.' }]);
    page.send({ type: 'start' });
    await expect(answer).resolves.toBe(true);
  });

  it('takes closing the view as "Don\'t Start"', async () => {
    const { panel, page } = open();
    const answer = panel.confirm('estimate');
    page.dispose();
    await expect(answer).resolves.toBe(false);
  });

  it('posts the view model of every progress report, charting the size only when it changes', async () => {
    const { panel, page } = open();
    panel.progress({ phase: 'locate', probes: 1, tokens: 900, costUsd: 0.01, currentSize: 18_000, originalSize: 18_000 });
    panel.progress({ phase: 'locate', probes: 1, tokens: 900, costUsd: 0.01, currentSize: 18_000, originalSize: 18_000 });
    panel.progress({ phase: 'chunks', probes: 4, tokens: 3000, costUsd: 0.03, currentSize: 2000, originalSize: 18_000 });
    await settle();
    expect(panel.history).toEqual([{ probes: 1, size: 18_000 }, { probes: 4, size: 2000 }]);
    const last = page.posted.at(-1) as { type: string; model: { phase: string; stats: { size: string } } };
    expect([last.type, last.model.phase, last.model.stats.size]).toEqual(['progress', 'chunks', '2.0 KB']);
  });

  it('shows the verdict at the end, and hands the diff and draft buttons to the flow', async () => {
    const { panel, page, asked } = open();
    panel.done(bisectResult());
    await settle();
    expect(page.posted.at(-1)).toMatchObject({ type: 'done', model: { phase: 'done', result: { summary: summarize(bisectResult()), stopped: false } } });
    page.send({ type: 'diff' });
    page.send({ type: 'draft' });
    page.send({ type: 'delete everything' });
    expect(asked).toEqual([{ type: 'diff' }, { type: 'draft' }]);
  });

  it('hands Measure Across Models to the flow, and names a failed measurement instead of calling it a failed bisect', async () => {
    const { panel, page, asked } = open();
    page.send({ type: 'measureModels' });
    expect(asked).toEqual([{ type: 'measureModels' }]);
    panel.error('budget of 200 probes reached', 'Measuring across models failed');
    await settle();
    expect(page.posted.at(-1)).toEqual({ type: 'error', message: 'budget of 200 probes reached', title: 'Measuring across models failed' });
  });
});

describe('BisectPanel: Make It Pass', () => {
  beforeEach(reset);

  it('labels the Start button for the run it asks about', async () => {
    const { panel, page } = open();
    void panel.confirm('Make It Pass with api: Expect 8-60 probes.', 'Start Make It Pass');
    await settle();
    expect(page.posted).toEqual([{ type: 'confirm', text: 'Make It Pass with api: Expect 8-60 probes.', start: 'Start Make It Pass' }]);
  });

  it('hands its buttons to the flow and to every listener until it unsubscribes', async () => {
    const { panel, page, asked } = open();
    const heard: BisectPanelMessage[] = [];
    const stop = panel.listen((m) => heard.push(m));
    page.send({ type: 'makeItPass' });
    page.send({ type: 'replaceOriginal' });
    stop();
    page.send({ type: 'copyPrompt' });
    expect(asked).toEqual([{ type: 'makeItPass' }, { type: 'replaceOriginal' }, { type: 'copyPrompt' }]);
    expect(heard).toEqual([{ type: 'makeItPass' }, { type: 'replaceOriginal' }]);
  });

  it('posts the pass section and keeps it for readers', async () => {
    const { panel, page } = open();
    const model = { running: true, phase: 'verifying on the whole input (2 spans out)', probes: '9 probes', passes: false, removed: [], written: [], notes: [], offers: { openSanitized: false, replaceOriginal: false, copyPrompt: false, repairSession: false } };
    panel.showPass(model);
    await settle();
    expect(page.posted.at(-1)).toEqual({ type: 'pass', model });
    expect(panel.pass).toEqual(model);
  });
});

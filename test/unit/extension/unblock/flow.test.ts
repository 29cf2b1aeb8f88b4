import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('../../../../src/extension/vscodeapi', () => import('../support/fakeVscodeApi'));
import { runBisectFlow } from '../../../../src/extension/bisect/flow';
import { API_KEY_SECRET } from '../../../../src/extension/oracleChoice';
import { runMakeItPassFlow } from '../../../../src/extension/unblock/flow';
import { startSim, type SimServer } from '../../../../src/sim/server';
import { configValues, reset, shown, Uri, webviewPanels } from '../support/fakeVscodeApi';
import { WAIT } from '../../../support/wait';
import { testContainer, type TestContainer } from '../support/container';

// Two independent triggers of the stand-in's demo rules, far apart: the bisect finds one, Make It Pass must clear both.
const NOTES = [
  ...Array.from({ length: 20 }, (_, i) => `Line ${i}: notes about the build and the release plan.`),
  'The keylogger sample must stay hidden from the audit log.',
  ...Array.from({ length: 20 }, (_, i) => `Line ${i + 20}: notes about the build and the release plan.`),
  'The red team opened a reverse shell to exfiltrate the staging database.',
  'Line 41: the end.',
  '',
].join('\n');

let dir: string;
let t: TestContainer;
const settle = () => new Promise((r) => setTimeout(r, 0));

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aup-pass-flow-'));
  // The probe cache is the user's; these answers go to a folder of the test's own.
  vi.stubEnv('XDG_CACHE_HOME', path.join(dir, 'cache'));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(reset);
afterEach(() => t.dispose());

/** The container reads its settings when it is made: configure first. */
async function withSettings(values: Record<string, unknown>): Promise<void> {
  for (const [k, v] of Object.entries(values)) configValues.set(`aupBisect.${k}`, v);
  t = await testContainer();
}

async function bisectNotes(name: string): Promise<{ file: string; saved: NonNullable<Awaited<ReturnType<typeof runBisectFlow>>> }> {
  const file = path.join(dir, name);
  await writeFile(file, NOTES);
  const saved = await runBisectFlow(t.container, { kind: 'file', uri: Uri.file(file) as never });
  expect(saved?.result.status).toBe('minimal');
  return { file, saved: saved! };
}

describe('Make It Pass in the bisect view', () => {
  it('runs in the result\'s view with the free stand-in, writes the copy beside the file, and replaces the original only when asked, after a backup', async () => {
    await withSettings({ oracle: 'sim' });
    const { file, saved } = await bisectNotes('notes.md');
    const page = webviewPanels.at(-1)!;
    page.send({ type: 'ready' });

    const out = await runMakeItPassFlow(t.container, saved);
    expect(out?.run.status).toBe('passes');
    expect(out?.run.passSet.verification).toEqual({ passed: 5, of: 5 });
    expect(out?.run.passSet.removed.map((r) => r.text).join(' ')).toMatch(/keylogger|hidden/);
    expect(out?.run.passSet.removed.map((r) => r.text).join(' ')).toMatch(/reverse shell|exfiltrate/);
    // In the view the bisect ran in (no second view), with the rate on the whole input.
    expect(webviewPanels.filter((p) => p.viewType === 'aupBisect.bisect')).toHaveLength(1);
    await settle();
    const shown = page.posted.filter((m): m is { type: 'pass'; model: { verification?: string; offers: Record<string, boolean> } } => (m as { type: string }).type === 'pass').at(-1);
    expect(shown?.model.verification).toBe('passes 5/5 on the whole input after the removals');
    expect(shown?.model.offers).toMatchObject({ openSanitized: true, replaceOriginal: true, copyPrompt: false });

    const copy = path.join(dir, 'notes.sanitized.md');
    expect(out?.run.written.sanitized).toEqual([copy]);
    const sanitized = await readFile(copy, 'utf8');
    expect(sanitized).not.toMatch(/keylogger.*hidden|reverse shell.*exfiltrate/);
    expect(await readFile(file, 'utf8')).toBe(NOTES);

    page.send({ type: 'replaceOriginal' });
    await vi.waitFor(async () => expect(await readFile(file, 'utf8')).toBe(sanitized), WAIT);
    expect(await readFile(`${file}.orig`, 'utf8')).toBe(NOTES);
  }, 60_000);

  it('on a bisected selection, sanitizes only the selected range, and Replace Original replaces only that range', async () => {
    await withSettings({ oracle: 'sim' });
    const file = path.join(dir, 'selection.md');
    await writeFile(file, NOTES);
    // The editor's selection: the lines around the second trigger, not the first one (the keylogger line).
    const start = NOTES.indexOf('Line 35');
    const end = NOTES.indexOf('Line 41');
    const selected = NOTES.slice(start, end);
    const saved = (await runBisectFlow(t.container, { kind: 'file', uri: Uri.file(file) as never, text: selected, selection: true, offset: start }))!;
    expect(saved.result.original).toMatchObject({ path: file, selection: { start, end } });
    const page = webviewPanels.at(-1)!;
    page.send({ type: 'ready' });

    const out = (await runMakeItPassFlow(t.container, saved))!;
    expect(out.run.status).toBe('passes');
    expect(out.run.selection).toMatchObject({ start, end });
    // The copy is the file with only the selection sanitized: the keylogger line outside it is untouched.
    const copy = await readFile(path.join(dir, 'selection.sanitized.md'), 'utf8');
    expect(copy.slice(0, start)).toBe(NOTES.slice(0, start));
    expect(copy.slice(copy.length - (NOTES.length - end))).toBe(NOTES.slice(end));
    expect(copy).toContain('The keylogger sample must stay hidden from the audit log.');
    expect(copy).not.toMatch(/reverse shell.*exfiltrate/);

    // An edit after the selection does not stop the replacement, which leaves it in place.
    await writeFile(file, `${NOTES}Added after the bisect.\n`);
    page.send({ type: 'replaceOriginal' });
    await vi.waitFor(async () => expect(await readFile(file, 'utf8')).toBe(`${copy}Added after the bisect.\n`), WAIT);
    expect(await readFile(`${file}.orig`, 'utf8')).toBe(`${NOTES}Added after the bisect.\n`);
  }, 60_000);

  it('refuses to replace a selection whose text changed since the bisect, and leaves the file alone', async () => {
    await withSettings({ oracle: 'sim' });
    const file = path.join(dir, 'changed.md');
    await writeFile(file, NOTES);
    const start = NOTES.indexOf('Line 35');
    const selected = NOTES.slice(start, NOTES.indexOf('Line 41'));
    const saved = (await runBisectFlow(t.container, { kind: 'file', uri: Uri.file(file) as never, text: selected, selection: true, offset: start }))!;
    const page = webviewPanels.at(-1)!;
    page.send({ type: 'ready' });
    const out = (await runMakeItPassFlow(t.container, saved))!;
    expect(out.run.status).toBe('passes');

    const edited = NOTES.replace('Line 36', 'Line thirty-six');
    await writeFile(file, edited);
    page.send({ type: 'replaceOriginal' });
    await vi.waitFor(() => expect(shown.some((m) => m.level === 'error' && /selected text in .*changed\.md .* changed since the bisect/.test(m.message))).toBe(true), WAIT);
    expect(await readFile(file, 'utf8')).toBe(edited);
    await expect(readFile(`${file}.orig`, 'utf8')).rejects.toThrow();
    // And a new run says why before spending anything.
    await expect(runMakeItPassFlow(t.container, saved)).rejects.toThrow(/selected text in .* changed since the bisect/);
  }, 60_000);

  it('asks before a paid oracle, and "Don\'t Start" sends nothing', async () => {
    const sim: SimServer = await startSim({ rules: path.join(__dirname, '../../../../src/sim/rules/demo.json') });
    try {
      await withSettings({ oracle: 'api', apiBaseUrl: sim.url });
      t.secrets.set(API_KEY_SECRET, 'sk-ant-test-key-for-loopback');
      // The bisect asks too: started from its view.
      const file = path.join(dir, 'paid.md');
      await writeFile(file, NOTES);
      const bisect = runBisectFlow(t.container, { kind: 'file', uri: Uri.file(file) as never });
      await vi.waitFor(() => expect(webviewPanels).toHaveLength(1), WAIT);
      const page = webviewPanels[0]!;
      page.send({ type: 'ready' });
      await vi.waitFor(() => expect(page.posted.some((m) => (m as { type: string }).type === 'confirm')).toBe(true), WAIT);
      page.send({ type: 'start' });
      const saved = (await bisect)!;

      sim.resetStats();
      const run = runMakeItPassFlow(t.container, saved);
      await vi.waitFor(() => expect(page.posted.at(-1)).toMatchObject({ type: 'confirm', start: 'Start Make It Pass' }), WAIT);
      expect((page.posted.at(-1) as { text: string }).text).toMatch(/^Make It Pass with api \(.+\): Each probe sends about [\d,]+ input tokens/);
      page.send({ type: 'cancel' });
      await expect(run).resolves.toBeUndefined();
      expect(sim.stats().requests).toBe(0);
    } finally {
      await sim.close();
    }
  }, 60_000);
});

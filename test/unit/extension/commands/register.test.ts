import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('../../../../src/extension/vscodeapi', () => import('../support/fakeVscodeApi'));
import { Commands } from '../../../../src/extension/commands/ids';
import { registerCommands } from '../../../../src/extension/commands/register';
import { API_KEY_SECRET } from '../../../../src/extension/oracleChoice';
import { clipboard, opened, registered, reset, shown, Uri } from '../support/fakeVscodeApi';
import { testContainer, type TestContainer } from '../support/container';
import { refusalRecord } from '../fixtures';

/** Runs a registered command as VS Code would, with whatever arguments its caller passed. */
const run = (id: string, ...args: unknown[]): Promise<unknown> => Promise.resolve(registered.get(id)!(...args));

describe('the registered commands', () => {
  let t: TestContainer;
  beforeEach(async () => {
    reset();
    t = await testContainer();
    registerCommands(t.container);
    t.container.store.upsert({ key: 'sess1-u42', at: Date.parse('2026-11-22T10:15:30Z'), record: refusalRecord(), live: true });
    t.container.store.upsert({ key: 'terminal-1', at: Date.parse('2026-11-22T10:20:00Z'), terminal: { terminalName: 'bash', message: 'API Error: ... Usage Policy' }, live: true });
  });
  afterEach(() => t.dispose());

  it('registers every declared command', () => {
    expect([...registered.keys()].sort()).toEqual(Object.values(Commands).sort());
  });

  it('copies the request id of the refusal a notification names', async () => {
    await run(Commands.copyRequestId, { refusalKey: 'sess1-u42' });
    expect(clipboard.text).toBe('req_011CbgiZGk6bR8jQrLT4Ypem');
    expect(shown).toEqual([{ level: 'info', message: 'Copied req_011CbgiZGk6bR8jQrLT4Ypem', items: [] }]);
  });

  it('opens a refusal\'s details as a virtual document the container serves', async () => {
    await run(Commands.showDetails, { refusalKey: 'sess1-u42' });
    expect(opened.documents).toEqual(['aup-bisect:/refusal/sess1-u42.md']);
    const text = await t.container.documents.provideTextDocumentContent(Uri.parse(opened.documents[0]!) as never);
    expect(text).toMatch(/^# Claude Code refusal\n/);
    expect(text).toContain('- Model claude-opus-4-8, category cyber, request req_011CbgiZGk6bR8jQrLT4Ypem');
  });

  it('shows one error with what to do when a command fails, instead of rejecting', async () => {
    await expect(run(Commands.bisectRefusal, { refusalKey: 'terminal-1' })).resolves.toBeUndefined();
    expect(shown).toEqual([
      { level: 'error', message: expect.stringMatching(/^AUP Bisect: This refusal was seen only in a terminal so far: .* or bisect a file\.$/), items: ['Show Log'] },
    ]);
  });

  it('says so when a result is no longer stored', async () => {
    await expect(run(Commands.openResult, { resultId: 'nope' })).resolves.toBeUndefined();
    expect(shown.map((s) => s.message)).toEqual(['That bisect result is no longer in storage.']);
  });

  it('stores an API key in SecretStorage, never in settings', async () => {
    await expect(run(Commands.setApiKey, '  sk-ant-test-key  ')).resolves.toBe(true);
    expect(t.secrets.get(API_KEY_SECRET)).toBe('sk-ant-test-key');
    await run(Commands.clearApiKey);
    expect(t.secrets.has(API_KEY_SECRET)).toBe(false);
  });
});

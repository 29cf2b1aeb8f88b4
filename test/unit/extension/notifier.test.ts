import { beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('../../../src/extension/vscodeapi', () => import('./support/fakeVscodeApi'));
import { ACTIONS, Notifier, notificationText } from '../../../src/extension/notifier';
import type { SeenRefusal } from '../../../src/extension/store';
import { answers, executed, reset, shown } from './support/fakeVscodeApi';
import { refusalRecord } from './fixtures';

const refusal: SeenRefusal = { key: 'k1', at: Date.now(), record: refusalRecord(), live: true };
const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('Notifier', () => {
  beforeEach(reset);

  it('shows one warning with the four actions, naming model and category', () => {
    new Notifier(() => 'notify').notify(refusal);
    expect(shown).toHaveLength(1);
    expect(shown[0]!.message).toBe("Claude Code refusal (claude-opus-4-8, category cyber): API Error: Opus 4.8's safeguards flagged this message. Details: [cyber]");
    expect(shown[0]!.items).toEqual([ACTIONS.bisect, ACTIONS.details, ACTIONS.draft, ACTIONS.mute]);
  });

  it('runs Bisect Trigger for this refusal when that action is clicked', async () => {
    answers.next = ACTIONS.bisect;
    new Notifier(() => 'notify').notify(refusal);
    await flush();
    expect(executed).toEqual([{ id: 'aupBisect.bisectRefusal', args: [{ refusalKey: 'k1' }] }]);
  });

  it('stays quiet for the rest of the session after Mute', async () => {
    const n = new Notifier(() => 'notify');
    answers.next = ACTIONS.mute;
    n.notify(refusal);
    await flush();
    n.notify({ ...refusal, key: 'k2' });
    expect(shown).toHaveLength(1);
    expect(n.isMuted).toBe(true);
  });

  it('does not pop up when the level is statusBar or off', () => {
    new Notifier(() => 'statusBar').notify(refusal);
    new Notifier(() => 'off').notify(refusal);
    expect(shown).toHaveLength(0);
  });

  it('says which terminal a terminal-only refusal came from and cuts long messages', () => {
    const text = notificationText({ key: 't', at: 0, live: true, terminal: { terminalName: 'zsh', message: `API Error: ${'x'.repeat(300)}` } });
    expect(text.startsWith('Claude Code refusal in terminal "zsh": API Error: xxx')).toBe(true);
    expect(text.endsWith('...')).toBe(true);
  });
});

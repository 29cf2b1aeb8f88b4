import { describe, expect, it, vi } from 'vitest';
vi.mock('vscode', () => import('./vscode-mock'));
import { RefusalWatcher } from '../../../src/extension/detection/watcher';
import { RefusalStore, type SeenRefusal } from '../../../src/extension/store';
import { refusalRecord } from './fixtures';

function setup(): { watcher: RefusalWatcher; store: RefusalStore; notified: SeenRefusal[] } {
  const store = new RefusalStore();
  const notified: SeenRefusal[] = [];
  return { watcher: new RefusalWatcher(store, (r) => notified.push(r)), store, notified };
}

const SESSION = "Opus 5.5's safeguards flagged this session. You may be seeing this for the first time.";
const MESSAGE = "API Error: Opus 4.8's safeguards flagged this message. Details: [cyber]";

describe('RefusalWatcher', () => {
  it('notifies a live transcript refusal, and lists but never notifies one from the start-up scan', () => {
    const { watcher, store, notified } = setup();
    watcher.fromTranscript(refusalRecord({ id: 'old', timestamp: '2026-11-20T09:00:00Z', models: [{ model: 'claude-opus-4-8', requestId: 'req_old' }] }), false);
    watcher.fromTranscript(refusalRecord({ id: 'new', models: [{ model: 'claude-opus-4-8', requestId: 'req_new' }] }), true);
    expect(notified.map((r) => r.key)).toEqual(['new']);
    expect(store.all().map((r) => [r.key, r.live])).toEqual([['new', true], ['old', false]]);
  });

  it('joins a fallback chain printed in one terminal into one refusal, then the transcript record to it', () => {
    const { watcher, store, notified } = setup();
    const chain = {};
    watcher.fromTerminal('claude', { message: SESSION, model: 'Opus 5.5', fallbackModel: 'Opus 4.8', category: 'cyber' }, chain);
    watcher.fromTerminal('claude', { message: MESSAGE, model: 'Opus 4.8', requestId: 'req_011CZ6', category: 'cyber' }, chain);
    expect(notified).toHaveLength(1);
    expect(store.all()).toHaveLength(1);
    expect(store.all()[0]!.terminal).toMatchObject({ message: MESSAGE, requestId: 'req_011CZ6' });

    watcher.fromTranscript(refusalRecord({ id: 'turn-1', message: MESSAGE, models: [{ model: 'claude-opus-5-5', requestId: 'req_first' }, { model: 'claude-opus-4-8', requestId: 'req_011CZ6' }] }), true);
    expect(notified).toHaveLength(1);
    expect(store.all()).toHaveLength(1);
    expect(store.all()[0]!.record?.id).toBe('turn-1');
  });

  it('keeps two separate refusals in one terminal apart when the first did not fall back', () => {
    const { watcher, notified } = setup();
    const chain = {};
    watcher.fromTerminal('claude', { message: MESSAGE, requestId: 'req_a' }, chain);
    watcher.fromTerminal('claude', { message: MESSAGE, requestId: 'req_b' }, chain);
    expect(notified).toHaveLength(2);
  });
});

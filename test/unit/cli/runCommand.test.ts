/**
 * runCommand, the wrapper bisect, unblock and evidence run in: a failure is exit 1 with the UserError on stderr (and as
 * JSON on stdout with --json), and Ctrl-C during the interruptible work aborts its signal, so the work returns what
 * it learnt instead of the process dying.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors';
import { runCommand } from '../../../src/cli/runCommand';
import { captureIo } from '../../support/cli-io';


const budget = new UserError('budget', 'the budget of 3 probes is reached', 'Raise --max-probes to go on.');

describe('runCommand', () => {
  it('returns the body\'s exit code and prints nothing of its own', async () => {
    const streams = captureIo();
    expect(await runCommand(streams, {}, async () => 3)).toBe(3);
    expect(streams.out() + streams.err()).toBe('');
  });

  it('turns a thrown UserError into exit 1, the message and its hint on stderr, stdout left empty', async () => {
    const streams = captureIo();
    expect(await runCommand(streams, {}, async () => { throw budget; })).toBe(1);
    expect(streams.err()).toBe('aup-bisect: the budget of 3 probes is reached\n  Raise --max-probes to go on.\n');
    expect(streams.out()).toBe('');
  });

  it('with --json also prints the error as one JSON object on stdout, for scripts', async () => {
    const streams = captureIo();
    expect(await runCommand(streams, { json: true }, async () => { throw budget; })).toBe(1);
    expect(JSON.parse(streams.out())).toEqual({ error: { kind: 'budget', message: 'the budget of 3 probes is reached', hint: 'Raise --max-probes to go on.' } });
    const plain = captureIo();
    await runCommand(plain, { json: true }, async () => { throw new Error('disk full'); });
    expect(JSON.parse(plain.out())).toEqual({ error: { kind: 'other', message: 'disk full' } });
  });

  it('Ctrl-C during interruptible work aborts the signal; the work ends with what it learnt and the listener is gone after', async () => {
    const streams = captureIo();
    const before = process.listenerCount('SIGINT');
    const code = await runCommand(streams, {}, async ({ signal, interruptible }) => {
      expect(signal.aborted).toBe(false);
      const learnt = await interruptible(async () => {
        // What a run does: it sees the abort at its next probe and returns its best candidate so far.
        const stopped = new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve('best so far')));
        process.emit('SIGINT');
        return stopped;
      });
      expect(learnt).toBe('best so far');
      return 5;
    });
    expect(code).toBe(5);
    expect(streams.err()).toBe('\naup-bisect: stopping...\n');
    expect(process.listenerCount('SIGINT')).toBe(before);
  });

  it('says a second Ctrl-C quits at once when the command allows it (bisect)', async () => {
    const streams = captureIo();
    await runCommand(streams, {}, async ({ signal, interruptible }) =>
      interruptible(async () => {
        process.emit('SIGINT');
        return signal.aborted ? 5 : 0;
      }, { secondQuits: true }),
    );
    expect(streams.err()).toBe('\naup-bisect: stopping (Ctrl-C again to quit at once)...\n');
  });
});

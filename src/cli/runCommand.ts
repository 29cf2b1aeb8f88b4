/**
 * What every probing command (bisect, unblock, evidence) does around its work: a failure becomes exit 1 with the
 * UserError on stderr (and, with --json, `{"error": ...}` on stdout, so a script reading stdout sees it), and Ctrl-C
 * during the paid part aborts a signal instead of killing the process, so what was learnt is still printed and cached.
 */
import { describeUserError, formatUserError } from '../core/errors';

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream | NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export const processIo = (): CommandIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

export interface CommandContext {
  /** Aborted by Ctrl-C while interruptible work runs. */
  signal: AbortSignal;
  /**
   * Runs `work` with Ctrl-C bound to `signal` (only then: before it, Ctrl-C still ends the process as usual). With
   * `secondQuits`, a second Ctrl-C leaves at once (exit 130); without it, work that writes files is never cut short.
   */
  interruptible<T>(work: () => Promise<T>, options?: { secondQuits?: boolean }): Promise<T>;
}

/** Runs `body`; its number is the exit code, and anything it throws is reported as described above (exit 1). */
export async function runCommand(io: CommandIo, flags: { json?: boolean }, body: (ctx: CommandContext) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  const interruptible = async <T>(work: () => Promise<T>, options: { secondQuits?: boolean } = {}): Promise<T> => {
    let interrupts = 0;
    const onSigint = (): void => {
      if (++interrupts > 1 && options.secondQuits) process.exit(130);
      io.stderr.write(options.secondQuits ? '\naup-bisect: stopping (Ctrl-C again to quit at once)...\n' : '\naup-bisect: stopping...\n');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    try {
      return await work();
    } finally {
      process.off('SIGINT', onSigint);
    }
  };
  try {
    return await body({ signal: controller.signal, interruptible });
  } catch (error) {
    io.stderr.write(`aup-bisect: ${formatUserError(error)}\n`);
    if (flags.json) io.stdout.write(`${JSON.stringify({ error: describeUserError(error) })}\n`);
    return 1;
  }
}

/** The streams a CLI command writes to, captured in memory, for running a command in-process in a test. */
import { PassThrough } from 'node:stream';
import type { CommandIo } from '../../src/cli/runCommand';

export interface CapturedIo extends CommandIo {
  /** Everything written to stdout so far. */
  out: () => string;
  /** Everything written to stderr so far. */
  err: () => string;
}

export function captureIo(env: NodeJS.ProcessEnv = {}): CapturedIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { stdout, stderr, env, out: () => out, err: () => err };
}

/**
 * `--test CMD`: the user's own interestingness test, C-Reduce's convention. CMD runs through the shell with the
 * candidate file's path appended as its last argument and the candidate on stdin; exit 0 means "still refused".
 * Each probe gets its own temp dir, so concurrent probes never share a file. Free: cost 0.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { inputBytes } from './estimate';
import { OracleError, type Oracle, type ProbeEstimate, type ProbeInput, type Verdict } from './types';

export interface CommandOracleOptions {
  /** Shell command; the candidate's path is appended as its last argument. */
  command: string;
  /** Kill the test after this long (default 60 s). A timed-out test counts as "passed", as in C-Reduce. */
  timeoutMs?: number;
  /** Name the candidate file gets when the input has none (default "candidate.txt"). */
  defaultFileName?: string;
  /** Working directory of the command (default: the process's). */
  cwd?: string;
}

/** The candidate as one file: a lone binary part as its bytes (a valid PDF stays a PDF), else the parts' texts. */
export function candidateFile(input: ProbeInput, defaultFileName = 'candidate.txt'): { name: string; data: Uint8Array | string } {
  const named = input.parts.find((p) => p.fileName || p.filePath);
  const name = basename(named?.fileName ?? named?.filePath ?? defaultFileName) || defaultFileName;
  const nonEmpty = input.parts.filter((p) => (p.bytes ? p.bytes.byteLength > 0 : p.text !== ''));
  if (nonEmpty.length === 1 && nonEmpty[0]!.bytes) return { name, data: nonEmpty[0]!.bytes };
  if (input.parts.length === 1 && input.parts[0]!.bytes) return { name, data: input.parts[0]!.bytes };
  // Several parts: their texts in order, separated by a blank line, the way a reader would paste them together.
  return { name, data: nonEmpty.map((p) => p.text).join('\n\n') };
}

export class CommandOracle implements Oracle {
  readonly name = 'command';
  readonly identity: string;

  constructor(private readonly options: CommandOracleOptions) {
    if (options.command.trim() === '') {
      throw new OracleError('bad-request', 'the test command is empty', 'Pass a command, e.g. --test "grep -q PHRASE".');
    }
    this.identity = `command|${options.command}`;
  }

  estimate(): ProbeEstimate {
    return { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  }

  // input.session is ignored: a test command gets the candidate as files, with no session to be part of.
  async probe(input: ProbeInput, signal?: AbortSignal): Promise<Verdict> {
    if (signal?.aborted) throw new OracleError('cancelled', 'probe cancelled');
    const dir = await mkdtemp(join(tmpdir(), 'aup-bisect-test-'));
    const started = Date.now();
    try {
      const file = candidateFile(input, this.options.defaultFileName);
      const path = join(dir, file.name);
      await writeFile(path, file.data);
      const { code, signal: killedBy, timedOut, stderr } = await this.run(path, file.data, signal);
      const latencyMs = Date.now() - started;
      if (code === 127 || code === 126) {
        throw new OracleError(
          'not-found',
          `the test command could not run (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`,
          'Check the command given to --test: the program must exist and be executable (it runs through /bin/sh).',
        );
      }
      const refused = code === 0 && !timedOut;
      return {
        refused,
        usage: { inputTokens: 0, outputTokens: 0 },
        costUsd: 0,
        bytesSent: inputBytes(input),
        latencyMs,
        detail: timedOut ? `timed out after ${this.options.timeoutMs ?? 60_000} ms` : killedBy ? `killed by ${killedBy}` : `exit ${code}`,
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private run(
    path: string,
    stdin: Uint8Array | string,
    signal?: AbortSignal,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean; stderr: string }> {
    return new Promise((resolve, reject) => {
      // `sh -c 'CMD "$@"' sh PATH` appends the path as one argument whatever characters it holds.
      const child = spawn('/bin/sh', ['-c', `${this.options.command} "$@"`, 'sh', path], {
        cwd: this.options.cwd,
        stdio: ['pipe', 'ignore', 'pipe'],
        detached: true, // its own process group, so a timeout or cancel kills the whole pipeline
      });
      let stderr = '';
      let timedOut = false;
      let aborted = false;
      const killGroup = (): void => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
      }, this.options.timeoutMs ?? 60_000);
      const onAbort = (): void => {
        aborted = true;
        killGroup();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      child.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < 4096) stderr += chunk.toString('utf8');
      });
      // A test that does not read stdin closes it early: EPIPE is expected, not an error.
      child.stdin.on('error', () => undefined);
      child.stdin.end(stdin);
      child.on('error', (error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(new OracleError('not-found', `cannot run the test command: ${error.message}`, 'Check that /bin/sh exists and the command is right.', { cause: error }));
      });
      child.on('close', (code, killedBy) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (aborted) reject(new OracleError('cancelled', 'probe cancelled'));
        else resolve({ code, signal: killedBy, timedOut, stderr });
      });
    });
  }
}

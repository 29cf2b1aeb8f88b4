import { describe, expect, it } from 'vitest';
import { candidateFile, CommandOracle } from '../../../../src/core/probe/oracle/command';
import { OracleError, type ProbeInput } from '../../../../src/core/probe/oracle/types';

const text = (t: string, fileName = 'notes.md'): ProbeInput => ({ parts: [{ kind: 'file', text: t, fileName }] });

describe('CommandOracle (--test CMD, exit 0 = still refused)', () => {
  it('runs CMD with the candidate path as its last argument: grep -q finds the phrase or not', async () => {
    const oracle = new CommandOracle({ command: 'grep -q "donkey underneath"' });
    expect((await oracle.probe(text('a character with a donkey underneath'))).refused).toBe(true);
    const passed = await oracle.probe(text('a character with a horse'));
    expect(passed).toMatchObject({ refused: false, costUsd: 0, detail: 'exit 1' });
  });

  it('keeps the original file name, so the extension is there for the test', async () => {
    const oracle = new CommandOracle({ command: 'sh -c \'case "$0" in *.md) exit 0;; *) exit 1;; esac\'' });
    expect((await oracle.probe(text('x', 'README.md'))).refused).toBe(true);
    expect((await oracle.probe(text('x', 'README.txt'))).refused).toBe(false);
  });

  it('gives the candidate on stdin too, identical to the file', async () => {
    const same = new CommandOracle({ command: 'f() { test "$(cat)" = "$(cat "$1")"; }; f' });
    expect((await same.probe(text('line one\nline two'))).refused).toBe(true);
    const viaStdin = new CommandOracle({ command: 'grep -q needle -' });
    expect((await viaStdin.probe(text('hay needle hay'))).refused).toBe(true);
    expect((await viaStdin.probe(text('hay hay'))).refused).toBe(false);
  });

  it('writes a binary candidate as its bytes', async () => {
    const pdf = new Uint8Array(Buffer.from('%PDF-1.4\n\xff\xfe binary\n%%EOF\n', 'latin1'));
    const oracle = new CommandOracle({ command: 'f() { test "$(head -c 5 "$1")" = "%PDF-" && test "$(wc -c < "$1")" -eq ' + pdf.byteLength + '; }; f' });
    const verdict = await oracle.probe({ parts: [{ kind: 'file', text: Buffer.from(pdf).toString('latin1'), bytes: pdf, fileName: 'ad.pdf' }] });
    expect(verdict.refused).toBe(true);
    expect(verdict.bytesSent).toBe(pdf.byteLength);
  });

  it('counts a timeout as passed (C-Reduce) and kills the whole pipeline', async () => {
    // Were only the shell killed, the probe would wait for the pipeline's 60 s sleep; it returns long before that
    // (a bound generous enough for a busy machine, not a speed goal).
    const oracle = new CommandOracle({ command: 'sleep 60 | cat; true', timeoutMs: 200 });
    const started = Date.now();
    const verdict = await oracle.probe(text('x'));
    expect(verdict.refused).toBe(false);
    expect(verdict.detail).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('reports a missing program as not-found instead of "passed"', async () => {
    const oracle = new CommandOracle({ command: 'no-such-program-aup-bisect' });
    const error = await oracle.probe(text('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OracleError);
    expect((error as OracleError).kind).toBe('not-found');
  });

  it('joins several parts with a blank line into one candidate', () => {
    const file = candidateFile({ parts: [{ kind: 'prompt', text: 'one' }, { kind: 'tool_result', text: '' }, { kind: 'tool_result', text: 'two' }] });
    expect(file).toEqual({ name: 'candidate.txt', data: 'one\n\ntwo' });
  });
});

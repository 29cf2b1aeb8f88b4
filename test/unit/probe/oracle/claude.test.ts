import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeUsage, ClaudeOracle, PROBE_DIR_PREFIX, readClaudeJson, type ClaudeJsonResult } from '../../../../src/core/probe/oracle/claude';
import { OracleError } from '../../../../src/core/probe/oracle/types';

/**
 * A stand-in `claude` binary on PATH printing the documented `claude -p --output-format json` shapes (shared notes,
 * claude-code.md section 3). It logs its argv, cwd and the cwd's listing, so the tests can check how it was run.
 */
const FAKE = `#!/bin/sh
prompt="$(cat)"
log="$FAKE_CLAUDE_LOG"
# Like Claude Code: a project folder per cwd in its config dir, even when no session is saved.
mkdir -p "$HOME/.claude/projects/$(printf '%s' "$PWD" | tr '/.' '--')/memory"
{ printf 'ARGS'; for a in "$@"; do printf ' [%s]' "$a"; done; printf '\\nCWD %s\\nLS %s\\n' "$PWD" "$(ls -A | tr '\\n' ' ')"; } >> "$log"
case "$prompt" in
  *"donkey underneath"*)
    printf '%s\\n' '{"type":"result","subtype":"success","is_error":true,"stop_reason":"refusal","terminal_reason":"api_error","safety_stops":1,"result":"API Error: Opus 4.8'"'"'s safeguards flagged this message. Our intentionally broad safeguards allow us to deliver more capabilities faster, but can sometimes flag legitimate cybersecurity work.\\n\\nDetails: \`[cyber]\`\\nRequest ID: req_011CbgiZGk6bR8jQrLT4Ypem","session_id":"s1","total_cost_usd":0.0123,"usage":{"input_tokens":9000,"cache_read_input_tokens":1000,"output_tokens":0}}'
    exit 1;;
  *"old generation"*)
    printf '%s\\n' '{"type":"result","is_error":true,"result":"API Error: Claude Code is unable to respond to this request, which appears to violate our Usage Policy (https://www.anthropic.com/legal/aup). Try rephrasing the request or attempting a different approach.","total_cost_usd":0.01,"usage":{"input_tokens":8000,"output_tokens":0}}'
    exit 1;;
  *"NOLOGIN"*)
    printf '%s\\n' '{"type":"result","is_error":true,"result":"Invalid API key · Please run /login","total_cost_usd":0,"usage":{"input_tokens":0,"output_tokens":0}}'
    exit 1;;
esac
printf '%s\\n' '{"type":"result","subtype":"success","is_error":false,"stop_reason":"end_turn","result":"Sure.","session_id":"s2","total_cost_usd":0.011,"usage":{"input_tokens":9500,"output_tokens":4}}'
`;

let bin: string;
let log: string;
let oracle: ClaudeOracle;

beforeAll(async () => {
  bin = await mkdtemp(join(tmpdir(), 'fake-claude-'));
  log = join(bin, 'calls.log');
  await writeFile(join(bin, 'claude'), FAKE);
  await chmod(join(bin, 'claude'), 0o755);
  oracle = new ClaudeOracle({
    model: 'claude-opus-4-8',
    env: { ...process.env, HOME: bin, PATH: `${bin}:${process.env.PATH ?? ''}`, FAKE_CLAUDE_LOG: log },
  });
});
afterAll(async () => {
  await oracle.close();
  await rm(bin, { recursive: true, force: true });
});

describe('ClaudeOracle against a stand-in claude binary', () => {
  it('reads a refusal from the JSON with usage and Claude Code\'s own cost, run tool-less in an empty temp dir', async () => {
    const verdict = await oracle.probe({ parts: [{ kind: 'prompt', text: 'a character with a donkey underneath' }] });
    expect(verdict).toMatchObject({ refused: true, category: 'cyber', costUsd: 0.0123 });
    expect(verdict.usage).toEqual({ inputTokens: 10_000, outputTokens: 0 });
    const calls = await readFile(log, 'utf8');
    expect(calls).toContain('[-p] [--output-format] [json] [--tools] [] [--strict-mcp-config] [--no-session-persistence] [--model] [claude-opus-4-8]');
    expect(calls).toMatch(new RegExp(`CWD .*/${PROBE_DIR_PREFIX}\\w+\\nLS \\n`));
  });

  it('reads an older generation\'s error text as a refusal and a normal answer as passed', async () => {
    expect((await oracle.probe({ parts: [{ kind: 'prompt', text: 'old generation' }] })).refused).toBe(true);
    const passed = await oracle.probe({ parts: [{ kind: 'prompt', text: 'hello' }] });
    expect(passed).toMatchObject({ refused: false, costUsd: 0.011 });
  });

  it('learns Claude Code\'s overhead for the next budget estimate', async () => {
    const fresh = new ClaudeOracle({ overheadTokens: 50_000, env: { ...process.env, HOME: bin, PATH: `${bin}:${process.env.PATH ?? ''}`, FAKE_CLAUDE_LOG: log } });
    const hello = { parts: [{ kind: 'prompt' as const, text: 'hello' }] };
    expect(fresh.estimate(hello).inputTokens).toBeGreaterThan(50_000);
    await fresh.probe(hello);
    // The stand-in reports 9,500 input tokens for a passing probe: the estimate now sits just above that.
    const after = fresh.estimate(hello).inputTokens;
    expect(after).toBeGreaterThanOrEqual(9_500);
    expect(after).toBeLessThan(10_000);
    await fresh.close();
  });

  it('writes a PDF part into the probe dir and mentions it, instead of piping bytes', async () => {
    const pdf = new Uint8Array(Buffer.from('%PDF-1.4\n%%EOF\n', 'latin1'));
    await oracle.probe({ parts: [{ kind: 'file', text: '', bytes: pdf, fileName: 'toy ad.pdf' }] });
    const calls = await readFile(log, 'utf8');
    expect(calls.trim().split('\n').at(-1)).toBe('LS 1-toy_ad.pdf');
  });

  it('shares one probe dir per run and removes it, and Claude Code\'s empty project folder for it, on close', async () => {
    const own = new ClaudeOracle({ env: { ...process.env, HOME: bin, PATH: `${bin}:${process.env.PATH ?? ''}`, FAKE_CLAUDE_LOG: log } });
    await own.probe({ parts: [{ kind: 'prompt', text: 'one' }] });
    await own.probe({ parts: [{ kind: 'prompt', text: 'two' }] });
    const cwds = (await readFile(log, 'utf8')).split('\n').filter((l) => l.startsWith('CWD ')).slice(-2);
    expect(cwds[0]).toBe(cwds[1]);
    const probeDir = cwds[0]!.slice(4);
    const project = join(bin, '.claude', 'projects', probeDir.replace(/[/.]/g, '-'));
    expect(existsSync(project)).toBe(true);
    await own.close();
    expect(existsSync(probeDir)).toBe(false);
    expect(existsSync(project)).toBe(false);
  });

  it('turns a login error into OracleError auth', async () => {
    const error = await oracle.probe({ parts: [{ kind: 'prompt', text: 'NOLOGIN' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OracleError);
    expect((error as OracleError).kind).toBe('auth');
  });

  it('says how to install Claude Code when the binary is missing', async () => {
    const missing = new ClaudeOracle({ binary: join(bin, 'nope', 'claude') });
    const error = (await missing.probe({ parts: [{ kind: 'prompt', text: 'x' }] }).catch((e: unknown) => e)) as OracleError;
    expect(error.kind).toBe('not-found');
    expect(error.hint).toMatch(/Install Claude Code/);
    await missing.close(); // removes its empty probe folder
  });
});

/** A promise the test resolves when it chooses: holds one step of the oracle back to force an ordering. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** Lets every pending promise callback run (they all run before the next turn of the event loop). */
const drain = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ClaudeOracle.close() against probes still running', () => {
  const fakeEnv = (): NodeJS.ProcessEnv => ({ ...process.env, HOME: bin, PATH: `${bin}:${process.env.PATH ?? ''}`, FAKE_CLAUDE_LOG: log });

  it('a second close() resolves only once the probe dir is gone, like the first', async () => {
    const removing = gate();
    const removal = gate();
    const own = new ClaudeOracle({
      env: fakeEnv(),
      fs: {
        // The first close() is held just as it starts removing the dir.
        rm: async (path, options) => {
          if (options.recursive) {
            removing.open();
            await removal.opened;
          }
          await rm(path, options);
        },
      },
    });
    await own.probe({ parts: [{ kind: 'prompt', text: 'one' }] });
    const dir = (await readFile(log, 'utf8')).split('\n').filter((l) => l.startsWith('CWD ')).at(-1)!.slice(4);

    const first = own.close();
    const second = own.close(); // e.g. the caller's own cleanup after the bisect closed it
    const dirLeftWhen = { first: undefined as boolean | undefined, second: undefined as boolean | undefined };
    void first.then(() => (dirLeftWhen.first = existsSync(dir)));
    void second.then(() => (dirLeftWhen.second = existsSync(dir)));
    await removing.opened;
    await drain(); // give the second close() every chance to return early
    removal.open();
    await Promise.all([first, second]);

    expect(dirLeftWhen).toEqual({ first: false, second: false });
  });

  it('close() while the probe dir is still being made waits for that probe, removes the dir, and refuses later probes', async () => {
    const making = gate();
    const made: string[] = [];
    const own = new ClaudeOracle({
      env: fakeEnv(),
      fs: {
        mkdtemp: async (prefix) => {
          await making.opened;
          const dir = await mkdtemp(prefix);
          made.push(dir);
          return dir;
        },
      },
    });
    const out = own.probe({ parts: [{ kind: 'prompt', text: 'hello' }] });
    let dirLeftAtClose: boolean | undefined;
    const closing = own.close().then(() => (dirLeftAtClose = made.some((d) => existsSync(d))));
    await drain();
    making.open(); // the dir appears only now, after close() began

    expect(await out).toMatchObject({ refused: false });
    await closing;
    expect(made).toHaveLength(1);
    expect(dirLeftAtClose).toBe(false);
    await expect(own.probe({ parts: [{ kind: 'prompt', text: 'late' }] })).rejects.toMatchObject({ kind: 'cancelled' });
    expect(made).toHaveLength(1); // the late probe made no dir of its own
  });
});

describe('readClaudeJson', () => {
  it('counts safety stops as a refusal even when a fallback model finished the turn', () => {
    expect(readClaudeJson({ is_error: false, stop_reason: 'end_turn', safety_stops: 1, result: 'done' }).refused).toBe(true);
    expect(readClaudeJson({ is_error: false, stop_reason: 'end_turn', safety_stops: 0, result: 'done' }).refused).toBe(false);
  });
  it('does not take a rate limit for a refusal', () => {
    expect(() => readClaudeJson({ is_error: true, result: 'API Error: 429 {"type":"error","error":{"type":"rate_limit_error"}}' })).toThrow(/rate/);
  });
});

describe('readClaudeJson on results written by the real Claude Code 2.1.328 (test/fixtures/claude-code)', () => {
  const fixtures = join(__dirname, '../../../fixtures/claude-code');
  const manifest = JSON.parse(readFileSync(join(fixtures, 'manifest.json'), 'utf8')) as {
    fixtures: Array<{ name: string; mode: string; refused: boolean; files: { result?: string } }>;
  };
  const print = manifest.fixtures.filter((f) => f.mode === 'print' && f.files.result);

  it.each(print.map((f) => [f.name, f] as const))('%s', (_name, fixture) => {
    const json = JSON.parse(readFileSync(join(fixtures, fixture.files.result!), 'utf8')) as ClaudeJsonResult;
    expect(readClaudeJson(json).refused).toBe(fixture.refused);
    // Every request of the turn is counted: the fallback model's tokens too.
    const usage = claudeUsage(json);
    const sum = Object.values(json.modelUsage ?? {}).reduce((n, m) => n + (m.inputTokens ?? 0), 0);
    expect(usage.inputTokens).toBe(sum || (json.usage?.input_tokens ?? 0));
  });
});

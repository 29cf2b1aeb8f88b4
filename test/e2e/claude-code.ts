/**
 * Runs the REAL Claude Code CLI (installed by scripts/e2e-setup.sh) against the loopback stand-in, offline, in a
 * fresh config dir: `-p --output-format json` as a child process and interactive mode under a real pseudo-terminal
 * (node-pty). Used by the e2e tests and by the fixture generator, so both drive Claude Code the same way.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PRINT_RUN_MS, TUI_CLOSE_MS, TUI_TURN_MS } from './allowance';

/** The pinned version, in the shared .cache/claude-code. */
export const PINNED_CLAUDE_CODE_VERSION = '2.1.328';
/**
 * The version under test: CLAUDE_CODE_VERSION (a version, or "latest", resolved by scripts/e2e-setup.sh into
 * .cache/claude-code-latest.version) or the pinned one.
 */
export const CLAUDE_CODE_VERSION = resolveVersion(process.env.CLAUDE_CODE_VERSION);
/** Where scripts/e2e-setup.sh installs it (other versions beside the pinned one); paths are from the repository root. */
export const CLAUDE_BIN =
  process.env.AUP_CLAUDE_CODE_BIN ??
  resolve(`.cache/claude-code${CLAUDE_CODE_VERSION === PINNED_CLAUDE_CODE_VERSION ? '' : `-${CLAUDE_CODE_VERSION}`}/node_modules/@anthropic-ai/claude-code/bin/claude.exe`);

function resolveVersion(requested: string | undefined): string {
  if (!requested) return PINNED_CLAUDE_CODE_VERSION;
  if (requested !== 'latest') return requested;
  const file = resolve('.cache/claude-code-latest.version');
  if (!existsSync(file)) throw new Error('CLAUDE_CODE_VERSION=latest: run scripts/e2e-setup.sh first (npm run test:e2e does)');
  return readFileSync(file, 'utf8').trim();
}
/** Obviously fake: the stand-in accepts any key, and nothing real may ever land in a fixture. */
export const FAKE_API_KEY = 'sk-ant-api03-FAKE-KEY-aup-bisect-sim-not-a-secret-0000000000AA';

/** Why the binary is unusable, or undefined when it runs. */
export function claudeUnavailable(): string | undefined {
  if (!existsSync(CLAUDE_BIN)) return `Claude Code binary not found at ${CLAUDE_BIN}: run scripts/e2e-setup.sh (npm run test:e2e does).`;
  try {
    const out = execFileSync(CLAUDE_BIN, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    if (!out.startsWith(CLAUDE_CODE_VERSION)) return `expected Claude Code ${CLAUDE_CODE_VERSION}, found ${out.trim()}: rerun scripts/e2e-setup.sh`;
  } catch (error) {
    return `Claude Code at ${CLAUDE_BIN} does not run: ${(error as Error).message}`;
  }
  return undefined;
}

/** A fresh HOME, config dir and working directory for one session. */
export interface Sandbox {
  root: string;
  home: string;
  configDir: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function makeSandbox(baseUrl: string, label: string): Sandbox {
  // realpath: Claude Code names the project folder after the resolved cwd (/tmp may be a symlink elsewhere).
  const root = realpathSync(mkdtempSync(join(tmpdir(), `aup-cc-${label}-`)));
  const home = join(root, 'home');
  const configDir = join(home, '.claude');
  const cwd = join(root, 'work');
  mkdirSync(configDir, { recursive: true });
  mkdirSync(cwd, { recursive: true });
  // Interactive mode starts straight at the prompt only with onboarding done, the folder trusted and the key approved.
  const state = {
    hasCompletedOnboarding: true,
    projects: { [cwd]: { hasTrustDialogAccepted: true } },
    customApiKeyResponses: { approved: [FAKE_API_KEY.slice(-20)], rejected: [] },
  };
  writeFileSync(join(home, '.claude.json'), JSON.stringify(state));
  writeFileSync(join(configDir, '.claude.json'), JSON.stringify(state));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    CLAUDE_CONFIG_DIR: configDir,
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: FAKE_API_KEY,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
  };
  return { root, home, configDir, cwd, env };
}

export interface PrintResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** The parsed `--output-format json` object. */
  json: Record<string, unknown>;
}

/** `claude -p --output-format json PROMPT` in the sandbox. */
export function runPrint(box: Sandbox, prompt: string, extraArgs: string[] = [], timeoutMs = PRINT_RUN_MS): Promise<PrintResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(CLAUDE_BIN, ['-p', '--output-format', 'json', ...extraArgs, prompt], {
      cwd: box.cwd,
      env: box.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      try {
        resolvePromise({ exitCode, stdout, stderr, json: JSON.parse(stdout) as Record<string, unknown> });
      } catch {
        reject(new Error(`claude -p printed no JSON (exit ${exitCode}).\nstdout: ${stdout.slice(0, 2000)}\nstderr: ${stderr.slice(0, 2000)}`));
      }
    });
  });
}

/** The session transcripts Claude Code wrote in this sandbox: path -> parsed entries. */
export function transcripts(box: Sandbox): Map<string, Record<string, unknown>[]> {
  const out = new Map<string, Record<string, unknown>[]>();
  const projects = join(box.configDir, 'projects');
  if (!existsSync(projects)) return out;
  for (const dir of readdirSync(projects)) {
    for (const file of readdirSync(join(projects, dir))) {
      if (!file.endsWith('.jsonl')) continue;
      const path = join(projects, dir, file);
      const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
      out.set(path, lines.map((line) => JSON.parse(line) as Record<string, unknown>));
    }
  }
  return out;
}

/** An interactive Claude Code session under a pseudo-terminal, with every byte it printed kept raw. */
export class InteractiveSession {
  raw = '';
  /** Length of `raw` when close() began: replaying raw.slice(0, closedAt) shows the settled screen before exit. */
  closedAt?: number;
  private exited: Promise<number>;
  private exitCode?: number;
  private readonly pty: import('node-pty').IPty;

  constructor(box: Sandbox, args: string[] = [], size = { cols: 100, rows: 32 }) {
    // Loaded lazily: node-pty is a native addon only the e2e tests and the fixture generator need.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodePty = require('node-pty') as typeof import('node-pty');
    this.pty = nodePty.spawn(CLAUDE_BIN, args, { name: 'xterm-256color', cwd: box.cwd, env: box.env as Record<string, string>, ...size });
    this.pty.onData((data) => (this.raw += data));
    this.exited = new Promise((resolveExit) =>
      this.pty.onExit(({ exitCode }) => {
        this.exitCode = exitCode;
        resolveExit(exitCode);
      }),
    );
  }

  /** Waits until the screen output (escapes stripped) matches, or throws with the tail of what was printed. */
  async waitFor(pattern: RegExp, timeoutMs = TUI_TURN_MS, from = 0): Promise<void> {
    await this.until(() => pattern.test(plain(this.raw.slice(from))), `${pattern}`, timeoutMs);
  }

  /**
   * Types a prompt and presses Enter, as a person would: text first, Enter once the TUI has drawn the text (sent in
   * one write, Enter would be taken as part of a paste). Line wrapping and the input box's borders are ignored.
   */
  async submit(text: string, timeoutMs = TUI_TURN_MS): Promise<number> {
    const mark = this.raw.length;
    this.pty.write(text);
    const squeeze = (s: string): string => s.replace(/[\s\u2500-\u257f]/g, '');
    await this.until(() => squeeze(plain(this.raw.slice(mark))).includes(squeeze(text)), `the echo of ${JSON.stringify(text)}`, timeoutMs);
    this.pty.write('\r');
    return mark;
  }

  write(data: string): void {
    this.pty.write(data);
  }

  /**
   * Ends the session the way a user does: Ctrl-C, and once Claude Code asks for it, Ctrl-C again; then waits for the
   * process to exit (so its transcript is complete), killing it only if it hangs.
   */
  async close(timeoutMs = TUI_CLOSE_MS): Promise<number> {
    this.closedAt = this.raw.length;
    const mark = this.raw.length;
    if (this.exitCode !== undefined) return this.exitCode;
    try {
      this.pty.write('\x03');
      await this.until(() => this.exitCode !== undefined || /Ctrl-C again to exit/.test(plain(this.raw.slice(mark))), 'the "Press Ctrl-C again to exit" hint', timeoutMs);
      if (this.exitCode === undefined) this.pty.write('\x03');
      await this.until(() => this.exitCode !== undefined, 'Claude Code to exit', timeoutMs);
      return this.exitCode!;
    } catch (error) {
      this.pty.kill();
      throw error;
    }
  }

  /** Polls a condition on what the session printed, failing with the screen's tail when the deadline passes. */
  private async until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} in Claude Code's terminal; last output:\n${plain(this.raw).slice(-3000)}`);
      }
      await delay(50);
    }
  }
}

/** Terminal output with escape sequences removed and whitespace squeezed, for waiting on text. */
export function plain(raw: string): string {
  return raw
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, '')
    .replace(/\x1b\[[0-9;?<>=]*[ -/]*[@-~]/g, ' ')
    .replace(/\x1b[@-Z\\-_]/g, '')
    .replace(/\s+/g, ' ');
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Watches both places a refusal shows up: Claude Code's transcripts (the core's TranscriptTailer) and integrated
 * terminals (shell integration's execution.read() fed to the core's TerminalRefusalScanner). Only executions whose
 * command line runs Claude Code (aupBisect.terminalCommandPattern) are read: `cat notes.md` or `git log` printing a
 * quoted refusal message is not a refusal. Every sighting goes through the deduper, so the turn a terminal printed
 * and the transcript recorded notifies once.
 * The core modules are loaded here, after activation, so activating the extension stays cheap.
 */
import type * as vscode from 'vscode';
import type { RefusalRecord } from '../../core/refusal/record';
import { loadHeavy } from '../loadHeavy';
import { log } from '../logger';
import { DEFAULT_TERMINAL_COMMAND_PATTERN, readSettings, type Settings } from '../settings';
import type { RefusalStore, SeenRefusal, TerminalSighting } from '../store';
import { onDidStartTerminalShellExecution, showWarningMessage } from '../vscodeapi';
import { RefusalDeduper, type Sighting } from './dedupe';

/** What the terminal scanner reports (src/core/refusal/terminal.ts TerminalRefusal, the fields used here). */
export interface TerminalFound {
  message: string;
  kind?: string;
  requestId?: string;
  category?: string | null;
  model?: string;
  fallbackModel?: string;
}

/** The last refusal one terminal command printed, to join a fallback chain into one turn. */
interface TerminalChain {
  last?: { key: string; at: number; fallbackModel?: string };
}

/** A fallback model's refusal follows the first one within seconds; beyond this it is a new turn. */
const CHAIN_MS = 120_000;

function terminalSighting(terminalName: string, found: TerminalFound): TerminalSighting {
  return { terminalName, message: found.message, kind: found.kind, requestId: found.requestId, category: found.category, model: found.model };
}

/** What shell integration says about an execution's command line (vscode.TerminalShellExecutionCommandLine). */
export interface CommandLineInfo {
  value: string;
  /** vscode.TerminalShellExecutionCommandLineConfidence: 0 Low (read off the screen), 1 Medium, 2 High (the shell said). */
  confidence: number;
}

/** aupBisect.terminalCommandPattern compiled: undefined matches every command; `error` when the pattern is invalid. */
export interface CommandMatcher {
  regex?: RegExp;
  error?: string;
}

/**
 * Compiles the setting, case-insensitively (claude.exe may be Claude.exe). An invalid pattern falls back to the
 * default rather than to "every command", so a typo cannot bring the false alarms back.
 */
export function compileCommandPattern(pattern: string, fallback: string): CommandMatcher {
  if (pattern.trim() === '') return {};
  try {
    return { regex: new RegExp(pattern, 'i') };
  } catch (error) {
    return { regex: new RegExp(fallback, 'i'), error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Whether an execution's output should be scanned. A command line VS Code could not read (Low confidence and empty)
 * is not scanned: the transcript watcher still catches the refusal, and guessing would bring false alarms back.
 */
export function runsClaudeCode(commandLine: CommandLineInfo | undefined, matcher: CommandMatcher): boolean {
  if (!matcher.regex) return true;
  const value = commandLine?.value ?? '';
  return value.trim() !== '' && matcher.regex.test(value);
}

/** How far back the start-up scan fills the Refusals view (they are listed, never notified). */
const HISTORY_DAYS = 7;

export class RefusalWatcher {
  private readonly deduper = new RefusalDeduper();
  private disposables: { dispose(): void }[] = [];
  private projectsDir: string | undefined;
  /** Bumped by every start/stop, so a start overtaken by a newer one (settings changed meanwhile) backs out. */
  private generation = 0;
  private matcher: { pattern: string; compiled: CommandMatcher } | undefined;

  /**
   * `commandPattern` is read at every execution start, so a change to aupBisect.terminalCommandPattern applies to the
   * next command without restarting the watchers.
   */
  constructor(
    private readonly store: RefusalStore,
    private readonly onNew: (refusal: SeenRefusal) => void,
    private readonly commandPattern: () => string = () => readSettings().terminalCommandPattern,
  ) {}

  get watchedDir(): string | undefined {
    return this.projectsDir;
  }

  async start(settings: Settings): Promise<void> {
    this.stop();
    const generation = this.generation;
    if (settings.watchTerminals) this.watchTerminals();
    await this.watchTranscripts(settings.transcriptDir, generation);
  }

  private async watchTranscripts(transcriptDir: string | undefined, generation: number): Promise<void> {
    const { resolveProjectsDir, TranscriptTailer, scanProjects } = await loadHeavy();
    if (generation !== this.generation) return;
    const dir = resolveProjectsDir(transcriptDir);
    const tailer = new TranscriptTailer(dir, {
      onError: (error: unknown) => log.warn(`transcript watcher: ${error instanceof Error ? error.message : String(error)}`),
    });
    const subscription = tailer.onRefusal((record) => this.fromTranscript(record, true));
    await tailer.start();
    if (generation !== this.generation) {
      subscription.dispose();
      tailer.dispose();
      return;
    }
    this.disposables.push(subscription, tailer);
    this.projectsDir = dir;
    log.info(`watching Claude Code transcripts in ${dir}`);
    // History after the tailer is live, so nothing written meanwhile falls between the two.
    const since = new Date(Date.now() - HISTORY_DAYS * 86_400_000);
    try {
      for await (const record of scanProjects(dir, { since, onWarning: (m) => log.debug(`scan: ${m}`) })) this.fromTranscript(record, false);
    } catch (error) {
      log.warn(`could not scan past transcripts in ${dir}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private watchTerminals(): void {
    const subscription = onDidStartTerminalShellExecution((event) => void this.readExecution(event));
    if (subscription) this.disposables.push(subscription);
    else log.info('terminal shell execution events are not available in this VS Code; terminals are not watched');
  }

  private commandMatcher(): CommandMatcher {
    const pattern = this.commandPattern();
    if (this.matcher?.pattern !== pattern) {
      const compiled = compileCommandPattern(pattern, DEFAULT_TERMINAL_COMMAND_PATTERN);
      this.matcher = { pattern, compiled };
      if (compiled.error) {
        const message = `aupBisect.terminalCommandPattern is not a valid regular expression (${compiled.error}); terminals are read with the default pattern, which matches \`claude\`. Fix the setting, or leave it empty to read every command.`;
        log.warn(message);
        void showWarningMessage(message);
      }
    }
    return this.matcher.compiled;
  }

  /**
   * Reads one terminal command's output when its command line runs Claude Code. Public for tests; the event is the
   * one VS Code fires (only the fields used here are required).
   */
  async readExecution(event: {
    terminal: Pick<vscode.Terminal, 'name'>;
    execution: { commandLine?: CommandLineInfo; read(): AsyncIterable<string> };
  }): Promise<void> {
    const terminalName = event.terminal.name;
    const commandLine = event.execution.commandLine;
    if (!runsClaudeCode(commandLine, this.commandMatcher())) {
      // The command line itself is not logged: it may hold a secret (`export TOKEN=...`).
      log.trace(`terminal "${terminalName}": a command not matching aupBisect.terminalCommandPattern was not read (confidence ${commandLine?.confidence ?? 'none'})`);
      return;
    }
    // read() yields only what is written after its first call: start it before awaiting anything.
    const stream = event.execution.read();
    const { TerminalRefusalScanner } = await loadHeavy();
    const scanner = new TerminalRefusalScanner();
    const chain: TerminalChain = {};
    try {
      for await (const chunk of stream) {
        for (const found of scanner.write(chunk)) this.fromTerminal(terminalName, found, chain);
      }
      for (const found of scanner.end()) this.fromTerminal(terminalName, found, chain);
    } catch (error) {
      log.warn(`terminal "${terminalName}": ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** A refusal the transcript recorded; `live` when it was written while we watched. */
  fromTranscript(record: RefusalRecord, live: boolean): void {
    const at = Date.parse(record.timestamp) || Date.now();
    const sighting: Sighting = {
      source: 'transcript',
      id: record.id,
      requestIds: record.models.flatMap((m) => (m.requestId ? [m.requestId] : [])),
      message: record.message,
      at,
    };
    const { key, isNew } = this.deduper.observe(sighting);
    const seen = this.store.upsert({ key, at, record, live });
    if (isNew && live) this.onNew(seen);
  }

  /**
   * A refusal printed in a terminal. When Claude Code fell back after a refusal ("... flagged this session",
   * fallback to another model) and the fallback model is refused too, both messages are one turn: the second
   * joins the first instead of notifying again.
   */
  fromTerminal(terminalName: string, found: TerminalFound, chain: TerminalChain = {}): void {
    const at = Date.now();
    const sighting: Sighting = { source: 'terminal', requestIds: found.requestId ? [found.requestId] : [], message: found.message, at };
    const continues = chain.last && chain.last.fallbackModel && at - chain.last.at <= CHAIN_MS &&
      (!found.model || found.model.includes(chain.last.fallbackModel));
    if (continues && chain.last && this.deduper.attach(chain.last.key, sighting)) {
      const existing = this.store.get(chain.last.key);
      // Keep the chain's last message and its request id: that is the refusal the user is left with.
      this.store.upsert({ key: chain.last.key, at: existing?.at ?? at, live: true, terminal: { ...existing?.terminal, ...terminalSighting(terminalName, found) } });
      chain.last = { key: chain.last.key, at, fallbackModel: found.fallbackModel };
      return;
    }
    const { key, isNew } = this.deduper.observe(sighting);
    const seen = this.store.upsert({ key, at, terminal: terminalSighting(terminalName, found), live: true });
    chain.last = { key, at, fallbackModel: found.fallbackModel };
    if (isNew) this.onNew(seen);
  }

  stop(): void {
    this.generation++;
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  dispose(): void {
    this.stop();
  }
}

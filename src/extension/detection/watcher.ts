/**
 * Watches both places a refusal shows up: Claude Code's transcripts (the core's TranscriptTailer) and integrated
 * terminals (shell integration's execution.read() fed to the core's TerminalRefusalScanner). Only executions whose
 * command line runs Claude Code (aupBisect.terminalCommandPattern) are read: `cat notes.md` or `git log` printing a
 * quoted refusal message is not a refusal. Every sighting goes through the deduper, so the turn a terminal printed
 * and the transcript recorded notifies once.
 * The core modules are loaded here, after activation, so activating the extension stays cheap.
 */
import type * as vscode from 'vscode';
import type { RefusalRecord, TerminalRefusal } from '../../core/refusal/record';
import { loadHeavy } from '../loadHeavy';
import { log } from '../logger';
import { DEFAULT_TERMINAL_COMMAND_PATTERN, readSettings, type Settings } from '../settings';
import type { RefusalStore, SeenRefusal, TerminalSighting } from '../store';
import { onDidStartTerminalShellExecution, showWarningMessage } from '../vscodeapi';
import { RefusalDeduper, type Sighting } from '../../core/refusal/dedupe';
import { compileCommandPattern, MATCH_TIMEOUT_MS, runsClaudeCode, type CommandLineInfo, type CommandMatcher } from './commandPattern';

/** The last refusal one terminal command printed, to join a fallback chain into one turn. */
interface TerminalChain {
  last?: { key: string; at: number; fallbackModel?: string };
}

/** A fallback model's refusal follows the first one within seconds; beyond this it is a new turn. */
const CHAIN_MS = 120_000;
/**
 * How long a live transcript record waits for a terminal that has shown a refusal without its request id (Claude
 * Code's fallback notice): the message with the id is printed in the same moment, but the terminal's stream may reach
 * us after the transcript does, and the record would then be taken for another refusal (notified twice, never joined).
 */
const TERMINAL_CATCH_UP_MS = 2_000;

function terminalSighting(terminalName: string, found: Pick<TerminalRefusal, 'message'> & Partial<TerminalRefusal>): TerminalSighting {
  return { ...found, terminalName };
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
      // Said once per folder or file (the tailer remembers): something the user can fix.
      onWarning: (message: string) => {
        log.warn(`transcript watcher: ${message}`);
        void showWarningMessage(`AUP Bisect: ${message}`);
      },
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
    const matcher = this.commandMatcher();
    const wasTimedOut = matcher.timedOut === true;
    const runs = runsClaudeCode(commandLine, matcher);
    if (matcher.timedOut && !wasTimedOut) {
      const message = `aupBisect.terminalCommandPattern took more than ${MATCH_TIMEOUT_MS} ms on a command line and was stopped (the pattern backtracks); commands it cannot decide in time are not read. Simplify the pattern, or leave it empty to read every command.`;
      log.warn(message);
      void showWarningMessage(message);
    }
    if (!runs) {
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

  /** When a terminal last showed a refusal without a request id, ms since epoch (0: none pending). */
  private idlessTerminalAt = 0;

  /** A refusal the transcript recorded; `live` when it was written while we watched. */
  fromTranscript(record: RefusalRecord, live: boolean, waited = false): void {
    if (live && !waited && Date.now() - this.idlessTerminalAt < TERMINAL_CATCH_UP_MS) {
      const timer = setTimeout(() => this.fromTranscript(record, live, true), TERMINAL_CATCH_UP_MS);
      this.disposables.push({ dispose: () => clearTimeout(timer) });
      return;
    }
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
  fromTerminal(terminalName: string, found: Pick<TerminalRefusal, 'message'> & Partial<TerminalRefusal>, chain: TerminalChain = {}): void {
    const at = Date.now();
    const sighting: Sighting = { source: 'terminal', requestIds: found.requestId ? [found.requestId] : [], message: found.message, at };
    const continues = chain.last && chain.last.fallbackModel && at - chain.last.at <= CHAIN_MS &&
      (!found.model || found.model.includes(chain.last.fallbackModel));
    if (continues && chain.last && this.deduper.attach(chain.last.key, sighting)) {
      if (found.requestId) this.idlessTerminalAt = 0;
      const existing = this.store.get(chain.last.key);
      // Keep the chain's last message and its request id: that is the refusal the user is left with.
      this.store.upsert({ key: chain.last.key, at: existing?.at ?? at, live: true, terminal: { ...existing?.terminal, ...terminalSighting(terminalName, found) } });
      chain.last = { key: chain.last.key, at, fallbackModel: found.fallbackModel };
      return;
    }
    const { key, isNew } = this.deduper.observe(sighting);
    this.idlessTerminalAt = found.requestId ? 0 : at;
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

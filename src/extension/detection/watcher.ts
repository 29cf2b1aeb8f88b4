/**
 * Watches both places a refusal shows up: Claude Code's transcripts (the core's TranscriptTailer) and integrated
 * terminals (shell integration's execution.read() fed to the core's TerminalRefusalScanner). Every sighting goes
 * through the deduper, so the turn a terminal printed and the transcript recorded notifies once.
 * The core modules are loaded here, after activation, so activating the extension stays cheap.
 */
import type * as vscode from 'vscode';
import type { RefusalRecord } from '../../core/refusal/record';
import { loadHeavy } from '../loadHeavy';
import { log } from '../logger';
import type { Settings } from '../settings';
import type { RefusalStore, SeenRefusal, TerminalSighting } from '../store';
import { onDidStartTerminalShellExecution } from '../vscodeapi';
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

/** How far back the start-up scan fills the Refusals view (they are listed, never notified). */
const HISTORY_DAYS = 7;

export class RefusalWatcher {
  private readonly deduper = new RefusalDeduper();
  private disposables: { dispose(): void }[] = [];
  private projectsDir: string | undefined;
  /** Bumped by every start/stop, so a start overtaken by a newer one (settings changed meanwhile) backs out. */
  private generation = 0;

  constructor(
    private readonly store: RefusalStore,
    private readonly onNew: (refusal: SeenRefusal) => void,
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

  private async readExecution(event: vscode.TerminalShellExecutionStartEvent): Promise<void> {
    const { TerminalRefusalScanner } = await loadHeavy();
    const scanner = new TerminalRefusalScanner();
    const terminalName = event.terminal.name;
    const chain: TerminalChain = {};
    try {
      for await (const chunk of event.execution.read()) {
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

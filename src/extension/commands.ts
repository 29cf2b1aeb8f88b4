/**
 * Every "AUP Bisect: ..." command. Handlers import the heavy modules (reducer, oracles, report) when run.
 * Tree items, notifications and the palette call the same commands; arguments may be a refusal key, a tree node,
 * a saved result id, or nothing (then the user picks).
 */
import { rm } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { RefusalRecord } from '../core/refusal/record';
import type { RefusalWatcher } from './detection/watcher';
import type { DraftPanel } from './draftPanel';
import type { SessionSource } from './githubSession';
import { loadHeavy } from './loadHeavy';
import { SCHEME } from './scheme';
import { log } from './logger';
import type { Notifier } from './notifier';
import { API_KEY_SECRET } from './oracleChoice';
import type { RefusalNode, RefusalsTreeProvider } from './refusalsTree';
import type { ResultStorage, SavedResult } from './results';
import type { Settings } from './settings';
import type { RefusalStatusBar } from './statusBar';
import { messageOf, requestIdOf, type RefusalStore, type SeenRefusal } from './store';
import {
  activeTextEditor,
  openTextDocumentAt,
  registerCommand,
  registerTextDocumentContentProvider,
  showDiff,
  showErrorMessage,
  showInformationMessage,
  showInputBox,
  showOpenDialog,
  showQuickPick,
  showWarningMessage,
  writeClipboard,
} from './vscodeapi';
import { formatUserError } from '../core/errors';

export interface Services {
  context: vscode.ExtensionContext;
  store: RefusalStore;
  notifier: Notifier;
  tree: RefusalsTreeProvider;
  treeView: vscode.TreeView<RefusalNode>;
  statusBar: RefusalStatusBar;
  watcher: RefusalWatcher;
  results: ResultStorage;
  settings: () => Settings;
  /** Where the GitHub token comes from (VS Code's GitHub sign-in; replaced in tests). */
  githubSession: SessionSource;
  /** Settles when the watchers have started and saved results are loaded. */
  ready: Promise<void>;
  /** The last bisect run and draft view, for the next step and for tests. */
  lastResult?: SavedResult;
  lastDraft?: DraftPanel;
}


/** What a command argument names: a refusal, a saved result, or nothing usable. */
export function resolveArg(s: Services, arg: unknown): { refusal?: SeenRefusal; resultId?: string } {
  if (typeof arg === 'string') {
    const refusal = s.store.get(arg) ?? s.store.findByRecordId(arg);
    if (refusal) return { refusal };
    if (s.store.getResult(arg)) return { resultId: arg };
    return {};
  }
  if (arg && typeof arg === 'object' && 'type' in arg) {
    const node = arg as RefusalNode;
    if (node.type === 'refusal' || node.type === 'detail') return { refusal: node.refusal };
    if (node.type === 'result') return { resultId: node.result.id, refusal: node.refusal };
  }
  return {};
}

function errorText(error: unknown): string {
  return formatUserError(error, 'sentence');
}

/** Runs a command body, turning any failure into an error notification with what to do (and a log entry). */
function guarded<A extends unknown[]>(name: string, body: (...args: A) => Promise<unknown>): (...args: A) => Promise<unknown> {
  return async (...args: A) => {
    try {
      return await body(...args);
    } catch (error) {
      log.error(`${name} failed`, error);
      void showErrorMessage(`AUP Bisect: ${errorText(error)}`, 'Show Log').then((c) => c && log.show());
      return undefined;
    }
  };
}

async function pickRefusal(s: Services, title: string): Promise<SeenRefusal | undefined> {
  const refusals = s.store.all();
  if (refusals.length === 0) {
    void showInformationMessage('AUP Bisect has not seen a Claude Code refusal yet (it watches transcripts and terminals).');
    return undefined;
  }
  const pick = await showQuickPick(
    refusals.map((refusal) => ({
      label: `${new Date(refusal.at).toLocaleString()} ${refusal.record?.models.at(-1)?.model ?? ''}`.trim(),
      description: requestIdOf(refusal),
      detail: messageOf(refusal).slice(0, 200),
      refusal,
    })),
    { title, matchOnDescription: true, matchOnDetail: true },
  );
  return pick?.refusal;
}

function requireRecord(refusal: SeenRefusal): RefusalRecord {
  if (!refusal.record) {
    throw new Error('This refusal was seen only in a terminal so far: its transcript entry is not found yet, so the request cannot be rebuilt. Wait for Claude Code to write the transcript, or bisect a file.');
  }
  return refusal.record;
}

export function registerCommands(s: Services): void {
  const { context } = s;
  const bisect = async (target: import('./bisectFlow').BisectTarget): Promise<SavedResult | undefined> => {
    const { runBisectFlow } = await loadHeavy();
    const saved = await runBisectFlow(s, target);
    if (saved) s.lastResult = saved;
    return saved;
  };

  const bisectRefusal = async (arg?: unknown): Promise<SavedResult | undefined> => {
    const refusal = resolveArg(s, arg).refusal ?? (await pickRefusal(s, 'Bisect which refusal?'));
    return refusal ? bisect({ kind: 'refusal', refusal: requireRecord(refusal) }) : undefined;
  };

  const bisectFile = async (arg?: unknown): Promise<SavedResult | undefined> => {
    if (arg instanceof vscode.Uri) return bisect({ kind: 'file', uri: arg });
    const editor = activeTextEditor();
    if (editor) {
      const selection = editor.selection && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
      return bisect({ kind: 'file', uri: editor.document.uri, text: selection ?? editor.document.getText(), selection: selection !== undefined });
    }
    const picked = await showOpenDialog({ canSelectMany: false, openLabel: 'Bisect', title: 'Bisect which file?' });
    return picked?.[0] ? bisect({ kind: 'file', uri: picked[0] }) : undefined;
  };

  const draft = async (arg?: unknown): Promise<DraftPanel | undefined> => {
    let { refusal, resultId } = resolveArg(s, arg);
    if (!refusal && !resultId) {
      if (s.lastResult) resultId = s.lastResult.id;
      else refusal = await pickRefusal(s, 'Draft an issue for which refusal?');
    }
    let saved: SavedResult | undefined;
    if (resultId) saved = s.lastResult?.id === resultId ? s.lastResult : await s.results.load(resultId);
    // A refusal with a saved bisect drafts from its newest result: the minimal trigger is what makes a report useful.
    if (!saved && refusal?.record) {
      const ref = s.store.resultsFor(refusal.record.id)[0];
      if (ref) saved = await s.results.load(ref.id);
    }
    const record = saved?.result.refusal ?? refusal?.record;
    if (!saved && !record) {
      if (refusal) requireRecord(refusal);
      return undefined;
    }
    const { openDraft } = await loadHeavy();
    const panel = await openDraft(s, { result: saved?.result, refusal: record, original: saved?.originalText });
    s.lastDraft = panel;
    return panel;
  };

  const file = async (): Promise<unknown> => {
    const panel = s.lastDraft;
    if (!panel || !isOpen(panel)) {
      void showInformationMessage('Review the draft first: it opens now; press "File Issue on GitHub" in it (or run this command again).');
      return draft();
    }
    panel.panel.reveal();
    return panel.fileNow();
  };

  const setApiKey = async (value?: unknown): Promise<boolean> => {
    const key =
      typeof value === 'string'
        ? value
        : await showInputBox({
            title: 'Anthropic API key for bisect probes',
            prompt: 'Stored in VS Code SecretStorage (the OS keychain), never in settings or logs.',
            password: true,
            ignoreFocusOut: true,
            placeHolder: 'sk-ant-...',
            validateInput: (v) => (v.trim().length < 8 ? 'That is too short to be an API key.' : undefined),
          });
    if (!key?.trim()) return false;
    await context.secrets.store(API_KEY_SECRET, key.trim());
    log.info('Anthropic API key stored in SecretStorage');
    if (typeof value !== 'string') void showInformationMessage('AUP Bisect: API key saved. Bisects now probe the Anthropic API.');
    return true;
  };

  const clearProbeCache = async (): Promise<void> => {
    const { defaultCacheDir } = await loadHeavy();
    const dir = defaultCacheDir();
    await rm(dir, { recursive: true, force: true });
    log.info(`probe cache cleared: ${dir}`);
    void showInformationMessage(`AUP Bisect: probe cache cleared (${dir}). The next bisect pays for every probe again.`);
  };

  const detailsDoc = new Map<string, string>();
  const showDetails = async (arg?: unknown): Promise<void> => {
    const refusal = resolveArg(s, arg).refusal ?? (await pickRefusal(s, 'Show which refusal?'));
    if (!refusal) return;
    detailsDoc.set(refusal.key, refusalDetails(refusal));
    // Also point at it in the Refusals view, expanded to its model, category, request id and offending part.
    void s.treeView.reveal({ type: 'refusal', refusal }, { select: true, focus: false, expand: true }).then(undefined, () => undefined);
    await openTextDocumentAt(vscode.Uri.from({ scheme: SCHEME, path: `/refusal/${encodeURIComponent(refusal.key)}.md` }));
  };

  const openTranscript = async (arg?: unknown): Promise<void> => {
    const refusal = resolveArg(s, arg).refusal ?? (await pickRefusal(s, 'Open the transcript of which refusal?'));
    const record = refusal && requireRecord(refusal);
    if (record) await openTextDocumentAt(vscode.Uri.file(record.transcript), record.line);
  };

  const copyRequestId = async (arg?: unknown): Promise<void> => {
    const refusal = resolveArg(s, arg).refusal;
    const id = refusal && requestIdOf(refusal);
    if (!id) {
      void showWarningMessage('That refusal has no request id (older Claude Code versions do not record one).');
      return;
    }
    await writeClipboard(id);
    void showInformationMessage(`Copied ${id}`);
  };

  const openResult = async (arg?: unknown): Promise<import('./bisectPanel').BisectPanel | undefined> => {
    const id = resolveArg(s, arg).resultId ?? (typeof arg === 'string' ? arg : undefined);
    const saved = id ? await s.results.load(id) : undefined;
    if (!saved) {
      void showWarningMessage('That bisect result is no longer in storage.');
      return undefined;
    }
    s.lastResult = saved;
    const { showSavedResult } = await loadHeavy();
    return showSavedResult(s, saved);
  };

  // Virtual documents: refusal details and the two sides of a result's diff (aup-bisect:/result/<id>/original|minimal).
  context.subscriptions.push(
    registerTextDocumentContentProvider(SCHEME, {
      provideTextDocumentContent: async (uri) => {
        const refusal = /^\/refusal\/(.+)\.md$/.exec(uri.path);
        if (refusal) return detailsDoc.get(decodeURIComponent(refusal[1]!)) ?? 'This refusal is no longer in memory.';
        const side = /^\/result\/([^/]+)\/(original|minimal)(?:\.[\w]+)?$/.exec(uri.path);
        if (side) {
          const saved = s.lastResult?.id === side[1] ? s.lastResult : await s.results.load(side[1]!);
          if (!saved) return 'This bisect result is no longer in storage.';
          return side[2] === 'original' ? saved.originalText : saved.result.minimal;
        }
        return '';
      },
    }),
  );

  const commands: Record<string, (...args: never[]) => Promise<unknown>> = {
    'aupBisect.bisect': async (arg?: unknown) => {
      if (resolveArg(s, arg).refusal) return bisectRefusal(arg);
      const latest = s.store.all().find((r) => r.record);
      const items = [
        ...(latest ? [{ label: '$(error) Latest refusal', detail: messageOf(latest).slice(0, 160), id: 'latest' as const }] : []),
        ...(s.store.all().length > 0 ? [{ label: '$(list-selection) Pick a refusal...', id: 'pick' as const }] : []),
        ...(activeTextEditor() ? [{ label: '$(file-code) Active file or selection', detail: activeTextEditor()!.document.fileName, id: 'editor' as const }] : []),
        { label: '$(folder-opened) Any file...', id: 'any' as const },
      ];
      const pick = await showQuickPick(items, { title: 'AUP Bisect: what should be bisected?' });
      if (!pick) return undefined;
      if (pick.id === 'latest') return bisectRefusal(latest!.key);
      if (pick.id === 'pick') return bisectRefusal();
      if (pick.id === 'editor') return bisectFile();
      const uri = await showOpenDialog({ canSelectMany: false, openLabel: 'Bisect' });
      return uri?.[0] ? bisect({ kind: 'file', uri: uri[0] }) : undefined;
    },
    'aupBisect.bisectRefusal': bisectRefusal,
    'aupBisect.bisectFile': bisectFile,
    'aupBisect.draftIssue': draft,
    'aupBisect.fileIssue': file,
    'aupBisect.setApiKey': setApiKey,
    'aupBisect.clearApiKey': async () => {
      await context.secrets.delete(API_KEY_SECRET);
      void showInformationMessage('AUP Bisect: API key removed from SecretStorage.');
    },
    'aupBisect.clearProbeCache': clearProbeCache,
    'aupBisect.showDetails': showDetails,
    'aupBisect.openTranscript': openTranscript,
    'aupBisect.copyRequestId': copyRequestId,
    'aupBisect.openResult': openResult,
    'aupBisect.refreshRefusals': async () => {
      s.ready = s.watcher.start(s.settings());
      await s.ready;
      s.tree.refresh();
    },
    'aupBisect.showLog': async () => log.show(),
    'aupBisect.showLedger': async () => {
      const { showLedgerView, resolveProjectsDir } = await loadHeavy();
      showLedgerView(context, { projectsDir: s.watcher.watchedDir ?? resolveProjectsDir(s.settings().transcriptDir), log: (m) => log.info(`ledger: ${m}`) });
    },
  };
  for (const [id, handler] of Object.entries(commands)) {
    context.subscriptions.push(registerCommand(id, guarded(id, handler as (...args: unknown[]) => Promise<unknown>)));
  }
}

function isOpen(panel: DraftPanel): boolean {
  return !panel.disposed;
}

export function refusalDetails(refusal: SeenRefusal): string {
  const r = refusal.record;
  const lines = [`# Claude Code refusal`, '', `- When: ${new Date(refusal.at).toISOString()}`];
  if (r) {
    lines.push(`- Kind: ${r.kind}`, `- Session: ${r.sessionId}`, `- Transcript: ${r.transcript}:${r.line}`);
    if (r.cwd) lines.push(`- Working directory: ${r.cwd}`);
    if (r.claudeCodeVersion) lines.push(`- Claude Code: ${r.claudeCodeVersion}`);
    for (const m of r.models) {
      lines.push(`- Model ${m.model}${m.category ? `, category ${m.category}` : ''}${m.requestId ? `, request ${m.requestId}` : ''}${m.fallbackModel ? `, fell back to ${m.fallbackModel}` : ''}`);
    }
    lines.push('', '## Message', '', r.message, '', `## Request parts (${r.parts.length})`, '');
    for (const p of r.parts) lines.push(`- #${p.index} ${p.kind}${p.toolName ? ` ${p.toolName}` : ''}${p.filePath ? ` ${p.filePath}` : ''}: ${p.size} B, "${p.preview}"`);
  } else if (refusal.terminal) {
    lines.push(`- Seen in terminal "${refusal.terminal.terminalName}"`, `- Request ID: ${refusal.terminal.requestId ?? 'none printed'}`, '', '## Message', '', refusal.terminal.message);
  }
  return lines.join('\n');
}

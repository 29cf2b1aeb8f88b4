/**
 * Bisect Trigger: of a refusal (from a notification, the tree or a pick), of the active file or selection, or of
 * any file. The run itself is bisect/flow.ts, in the heavy chunk.
 */
import type * as vscode from 'vscode';
import type { BisectTarget } from '../bisect/flow';
import type { Container } from '../container';
import type { SavedResult } from '../results';
import { messageOf } from '../store';
import { activeTextEditor, showOpenDialog, showQuickPick } from '../vscodeapi';
import { refusalOf } from './args';
import { Commands, type CommandHandlers, type RefusalTarget } from './ids';
import { pickRefusal, requireRecord } from './pick';

type Ids = typeof Commands.bisect | typeof Commands.bisectRefusal | typeof Commands.bisectFile;

export function bisectCommands(c: Container): CommandHandlers<Ids> {
  const bisect = async (target: BisectTarget): Promise<SavedResult | undefined> => {
    const { runBisectFlow } = await c.heavy();
    const saved = await runBisectFlow(c, target);
    if (saved) c.lastResult = saved;
    return saved;
  };

  const bisectRefusal = async (target?: RefusalTarget): Promise<SavedResult | undefined> => {
    const refusal = refusalOf(c.store, target) ?? (await pickRefusal(c.store, 'Bisect which refusal?'));
    return refusal ? bisect({ kind: 'refusal', refusal: requireRecord(refusal) }) : undefined;
  };

  const bisectFile = async (file?: vscode.Uri): Promise<SavedResult | undefined> => {
    if (file) return bisect({ kind: 'file', uri: file });
    const editor = activeTextEditor();
    if (editor) {
      const selection = editor.selection && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
      return bisect({
        kind: 'file',
        uri: editor.document.uri,
        text: selection ?? editor.document.getText(),
        selection: selection !== undefined,
        ...(selection !== undefined ? { offset: editor.document.offsetAt(editor.selection.start) } : {}),
      });
    }
    const picked = await showOpenDialog({ canSelectMany: false, openLabel: 'Bisect', title: 'Bisect which file?' });
    return picked?.[0] ? bisect({ kind: 'file', uri: picked[0] }) : undefined;
  };

  /** The palette's "Bisect Trigger": the latest refusal, a pick, the active editor or any file. */
  const bisectAny = async (target?: RefusalTarget): Promise<SavedResult | undefined> => {
    if (target) return bisectRefusal(target);
    const refusals = c.store.all();
    const latest = refusals.find((r) => r.record);
    const editor = activeTextEditor();
    const items = [
      ...(latest ? [{ label: '$(error) Latest refusal', detail: messageOf(latest).slice(0, 160), id: 'latest' as const }] : []),
      ...(refusals.length > 0 ? [{ label: '$(list-selection) Pick a refusal...', id: 'pick' as const }] : []),
      ...(editor ? [{ label: '$(file-code) Active file or selection', detail: editor.document.fileName, id: 'editor' as const }] : []),
      { label: '$(folder-opened) Any file...', id: 'any' as const },
    ];
    const pick = await showQuickPick(items, { title: 'AUP Bisect: what should be bisected?' });
    if (!pick) return undefined;
    if (pick.id === 'latest' && latest) return bisectRefusal({ refusalKey: latest.key });
    if (pick.id === 'pick') return bisectRefusal();
    if (pick.id === 'editor') return bisectFile();
    const uri = await showOpenDialog({ canSelectMany: false, openLabel: 'Bisect' });
    return uri?.[0] ? bisect({ kind: 'file', uri: uri[0] }) : undefined;
  };

  return {
    [Commands.bisect]: bisectAny,
    [Commands.bisectRefusal]: bisectRefusal,
    [Commands.bisectFile]: bisectFile,
  };
}

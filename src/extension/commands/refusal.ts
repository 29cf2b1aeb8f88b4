/** A refusal's own commands: Show Refusal Details, Open Transcript at Refusal, Copy Request ID. */
import type { Container } from '../container';
import { requestIdOf, type SeenRefusal } from '../store';
import { openTextDocumentAt, showInformationMessage, showWarningMessage, Uri, writeClipboard } from '../vscodeapi';
import { refusalOf } from './args';
import { Commands, type CommandHandlers, type RefusalTarget } from './ids';
import { pickRefusal, requireRecord } from './pick';

type Ids = typeof Commands.showDetails | typeof Commands.openTranscript | typeof Commands.copyRequestId;

export function refusalCommands(c: Container): CommandHandlers<Ids> {
  const showDetails = async (target?: RefusalTarget): Promise<void> => {
    const refusal = refusalOf(c.store, target) ?? (await pickRefusal(c.store, 'Show which refusal?'));
    if (!refusal) return;
    const uri = c.documents.setRefusalDetails(refusal.key, refusalDetails(refusal));
    // Also point at it in the Refusals view, expanded to its model, category, request id and offending part.
    void c.treeView.reveal({ type: 'refusal', refusal }, { select: true, focus: false, expand: true }).then(undefined, () => undefined);
    await openTextDocumentAt(uri);
  };

  const openTranscript = async (target?: RefusalTarget): Promise<void> => {
    const refusal = refusalOf(c.store, target) ?? (await pickRefusal(c.store, 'Open the transcript of which refusal?'));
    const record = refusal && requireRecord(refusal);
    if (record) await openTextDocumentAt(Uri.file(record.transcript), record.line);
  };

  const copyRequestId = async (target?: RefusalTarget): Promise<void> => {
    const refusal = refusalOf(c.store, target);
    const id = refusal && requestIdOf(refusal);
    if (!id) {
      void showWarningMessage('That refusal has no request id (older Claude Code versions do not record one).');
      return;
    }
    await writeClipboard(id);
    void showInformationMessage(`Copied ${id}`);
  };

  return { [Commands.showDetails]: showDetails, [Commands.openTranscript]: openTranscript, [Commands.copyRequestId]: copyRequestId };
}

/** The refusal details document: what was refused, where, by which model, and the parts of the request. */
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

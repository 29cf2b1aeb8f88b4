/**
 * The extension's read-only virtual documents (scheme aup-bisect): a refusal's details as markdown, and the two
 * sides of a saved result's diff (aup-bisect:/result/<id>/original|minimal.<ext>).
 */
import * as path from 'node:path';
import type * as vscode from 'vscode';
import type { SavedResult } from './results';
import { Uri } from './vscodeapi';

export const SCHEME = 'aup-bisect';

export type ResultSide = 'original' | 'minimal';

export function refusalDocUri(refusalKey: string): vscode.Uri {
  return Uri.from({ scheme: SCHEME, path: `/refusal/${encodeURIComponent(refusalKey)}.md` });
}

/** One side of a result's diff; the extension of the bisected file, so the editor colours it the same way. */
export function resultDocUri(saved: SavedResult, side: ResultSide): vscode.Uri {
  const ext = path.extname(saved.result.original.fileName ?? '') || '.txt';
  return Uri.from({ scheme: SCHEME, path: `/result/${saved.id}/${side}${ext}` });
}

export class VirtualDocuments implements vscode.TextDocumentContentProvider {
  private readonly details = new Map<string, string>();

  /** `load` finds a saved result by id (the container's last result first, then storage). */
  constructor(private readonly load: (resultId: string) => Promise<SavedResult | undefined>) {}

  /** Keeps a refusal's details for its document and returns the document's URI. */
  setRefusalDetails(refusalKey: string, markdown: string): vscode.Uri {
    this.details.set(refusalKey, markdown);
    return refusalDocUri(refusalKey);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const refusal = /^\/refusal\/(.+)\.md$/.exec(uri.path);
    if (refusal) return this.details.get(decodeURIComponent(refusal[1]!)) ?? 'This refusal is no longer in memory.';
    const side = /^\/result\/([^/]+)\/(original|minimal)(?:\.[\w]+)?$/.exec(uri.path);
    if (side) {
      const saved = await this.load(side[1]!);
      if (!saved) return 'This bisect result is no longer in storage.';
      return side[2] === 'original' ? saved.originalText : saved.result.minimal;
    }
    return '';
  }
}

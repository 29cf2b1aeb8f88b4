/** The model list served at GET /v1/models: ids Claude Code 2.1.x asks for, plus any model a request has used. */

export interface ModelInfo {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
}

const KNOWN: [string, string][] = [
  ['claude-opus-5-5', 'Claude Opus 5.5'],
  ['claude-opus-4-8', 'Claude Opus 4.8'],
  ['claude-sonnet-4-6', 'Claude Sonnet 4.6'],
  ['claude-haiku-4-5-20251001', 'Claude Haiku 4.5'],
  ['claude-opus-4-1-20250805', 'Claude Opus 4.1'],
  ['claude-sonnet-4-20250514', 'Claude Sonnet 4'],
];

export function modelList(seen: Iterable<string>): ModelInfo[] {
  const out = new Map<string, ModelInfo>();
  for (const [id, name] of KNOWN) out.set(id, { type: 'model', id, display_name: name, created_at: '2025-05-14T00:00:00Z' });
  for (const id of seen) if (!out.has(id)) out.set(id, { type: 'model', id, display_name: id, created_at: '2025-05-14T00:00:00Z' });
  return [...out.values()];
}

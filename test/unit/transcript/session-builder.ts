/**
 * Fixture builder: writes Claude Code transcript entries the way 2.1.x does (compact JSON, one per line, each
 * entry's parentUuid the previous entry's uuid), so tests read as the session they describe.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll } from 'vitest';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

type Entry = Record<string, unknown>;

let sessions = 0;

export class SessionBuilder {
  readonly sessionId: string;
  readonly entries: Entry[] = [];
  private counter = 0;
  private last: string | null = null;
  private clock: number;

  constructor(
    readonly options: { sessionId?: string; cwd?: string; version?: string; start?: string; model?: string } = {},
  ) {
    sessions++;
    this.sessionId = options.sessionId ?? `5e55${String(sessions).padStart(4, '0')}-0000-4000-8000-000000000000`;
    this.clock = Date.parse(options.start ?? '2026-11-20T10:00:00.000Z');
  }

  get model(): string {
    return this.options.model ?? 'claude-opus-4-8';
  }

  private uuid(): string {
    this.counter++;
    return `${this.sessionId.slice(0, 8)}-0000-4000-8000-${String(this.counter).padStart(12, '0')}`;
  }

  /** Append an entry with the common fields; returns its uuid. */
  add(fields: Entry): string {
    const uuid = this.uuid();
    this.clock += 1000;
    this.entries.push({
      parentUuid: this.last,
      isSidechain: false,
      userType: 'external',
      cwd: this.options.cwd ?? '/home/dev/project',
      sessionId: this.sessionId,
      version: this.options.version ?? '2.1.328',
      gitBranch: 'main',
      ...fields,
      uuid,
      timestamp: new Date(this.clock).toISOString(),
    });
    this.last = uuid;
    return uuid;
  }

  /** The person's prompt. */
  user(content: string | Entry[], extra: Entry = {}): string {
    return this.add({ type: 'user', message: { role: 'user', content }, ...extra });
  }

  assistantText(text: string, model = this.model): string {
    return this.add({
      type: 'assistant',
      requestId: `req_ok${this.counter}`,
      message: { id: `msg_ok${this.counter}`, role: 'assistant', model, content: [{ type: 'text', text }], stop_reason: 'end_turn' },
    });
  }

  toolUse(name: string, input: Entry, model = this.model): string {
    const id = `toolu_${String(this.counter + 1).padStart(6, '0')}`;
    this.add({
      type: 'assistant',
      requestId: `req_tu${this.counter}`,
      message: { id: `msg_tu${this.counter}`, role: 'assistant', model, content: [{ type: 'tool_use', id, name, input }], stop_reason: 'tool_use' },
    });
    return id;
  }

  toolResult(toolUseId: string, content: string | Entry[]): string {
    return this.add({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUseId, content }] } });
  }

  /** A Read tool call and its line-numbered result, as Claude Code shows a file to the model. */
  read(filePath: string, fileText: string): string {
    const id = this.toolUse('Read', { file_path: filePath });
    const numbered = fileText
      .split('\n')
      .map((line, i) => `${i + 1}\t${line}`)
      .join('\n');
    return this.toolResult(id, numbered);
  }

  attachment(attachment: Entry): string {
    return this.add({ type: 'attachment', attachment });
  }

  system(subtype: string, content: string, extra: Entry = {}): string {
    return this.add({ type: 'system', subtype, content, level: 'info', isMeta: false, ...extra });
  }

  /** Older generations: an API error Claude Code writes as a synthetic assistant message. */
  apiError(text: string, extra: { status?: number; error?: string; requestId?: string } = {}): string {
    return this.add({
      type: 'assistant',
      ...(extra.requestId ? { requestId: extra.requestId } : {}),
      isApiErrorMessage: true,
      apiErrorStatus: extra.status ?? 400,
      error: extra.error ?? 'invalid_request',
      message: {
        id: `00000000-msg-${this.counter}`,
        role: 'assistant',
        model: '<synthetic>',
        content: [{ type: 'text', text }],
        stop_reason: 'stop_sequence',
      },
    });
  }

  /** 2.1.328: the synthetic message that ends a refused turn, with stop_reason "refusal" and stop_details. */
  refusalStop(text: string, details: { category?: string | null; explanation?: string | null; requestId?: string } = {}): string {
    return this.add({
      type: 'assistant',
      ...(details.requestId ? { requestId: details.requestId } : {}),
      isApiErrorMessage: true,
      message: {
        id: `00000000-msg-${this.counter}`,
        role: 'assistant',
        model: '<synthetic>',
        content: [{ type: 'text', text }],
        stop_reason: 'refusal',
        stop_details: { type: 'refusal', category: details.category ?? null, explanation: details.explanation ?? null },
      },
    });
  }

  fallback(fields: { originalModel: string; fallbackModel: string; requestId?: string; category?: string | null; explanation?: string | null; content?: string; refusedUserMessageUuid?: string }): string {
    return this.system('model_refusal_fallback', fields.content ?? '', {
      level: 'warning',
      trigger: 'refusal',
      direction: 'retry',
      scope: 'session',
      originalModel: fields.originalModel,
      fallbackModel: fields.fallbackModel,
      requestId: fields.requestId ?? null,
      apiRefusalCategory: fields.category ?? null,
      apiRefusalExplanation: fields.explanation ?? null,
      refusedUserMessageUuid: fields.refusedUserMessageUuid ?? null,
      retractedMessageUuids: [],
    });
  }

  noFallback(fields: { originalModel: string; requestId?: string; category?: string | null; explanation?: string | null; refusedUserMessageUuid?: string }): string {
    return this.system('model_refusal_no_fallback', '', {
      level: 'warning',
      originalModel: fields.originalModel,
      requestId: fields.requestId ?? null,
      apiRefusalCategory: fields.category ?? null,
      apiRefusalExplanation: fields.explanation ?? null,
      refusedUserMessageUuid: fields.refusedUserMessageUuid ?? null,
    });
  }

  /** Entries that carry no uuid chain: cost-state, last-prompt and the like. */
  bookkeeping(type: string, fields: Entry = {}): void {
    this.entries.push({ type, sessionId: this.sessionId, ...fields });
  }

  text(): string {
    return this.entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
  }

  /** Write to `<dir>/<relative>` (default: a fresh temp projects dir, Claude Code's layout). Returns the path. */
  write(dir = tempDir(), relative = `-home-dev-project/${this.sessionId}.jsonl`): string {
    const path = join(dir, relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, this.text());
    return path;
  }
}

const created: string[] = [];

// Imported by a test file, this registers in that file: its temp dirs go when its tests are done.
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'aup-transcripts-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

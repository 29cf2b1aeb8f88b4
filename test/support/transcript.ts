/**
 * The one transcript builder for tests: writes Claude Code transcript entries the way 2.1.x does (compact JSON, one
 * per line, each entry's parentUuid the previous entry's uuid; notes/claude-code.md section 2), so tests read as the
 * session they describe: a prompt, a Read, a refusal, a fallback, a cost-state.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll } from 'vitest';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TokenUsage } from '../../src/core/ledger/types';
import { FALLBACK_NOTICE } from './messages';

type Entry = Record<string, unknown>;

export interface Usage {
  input: number;
  output: number;
  cacheWrite?: number;
  cacheRead?: number;
}

export interface SessionOptions {
  sessionId?: string;
  cwd?: string;
  version?: string;
  /** ISO time of the first entry. */
  start?: string;
  model?: string;
  /** Milliseconds the clock moves per entry (default 1000); 0 when a test sets every gap with wait(). */
  tickMs?: number;
}

let sessions = 0;

export class SessionBuilder {
  readonly sessionId: string;
  readonly entries: Entry[] = [];
  private counter = 0;
  private last: string | null = null;
  private clock: number;

  constructor(readonly options: SessionOptions = {}) {
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

  /** Moves the clock `seconds` on before the next entry. */
  wait(seconds: number): this {
    this.clock += seconds * 1000;
    return this;
  }

  /** Every entry as its transcript line. */
  get lines(): string[] {
    return this.entries.map((e) => JSON.stringify(e));
  }

  /** Append an entry with the common fields; returns its uuid. */
  add(fields: Entry): string {
    const uuid = this.uuid();
    this.clock += this.options.tickMs ?? 1000;
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

  /** A meta prompt (a reminder Claude Code adds, not typed by the person). */
  meta(text: string): string {
    return this.add({ type: 'user', isMeta: true, message: { role: 'user', content: text } });
  }

  /** One API response with its usage; `blocks` > 1 writes one entry per content block, each repeating the usage, as Claude Code does. */
  assistant(model: string, usage: Usage, requestId: string, options: { text?: string; blocks?: number } = {}): void {
    const blocks = options.blocks ?? 1;
    for (let i = 0; i < blocks; i++) {
      this.add({
        type: 'assistant',
        requestId,
        message: {
          id: `msg_${requestId}`,
          type: 'message',
          role: 'assistant',
          model,
          content: [{ type: 'text', text: options.text ?? `answer part ${i}` }],
          stop_reason: i === blocks - 1 ? 'end_turn' : null,
          usage: { input_tokens: usage.input, cache_creation_input_tokens: usage.cacheWrite ?? 0, cache_read_input_tokens: usage.cacheRead ?? 0, output_tokens: usage.output },
        },
      });
    }
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
  refusal(text: string, details: { category?: string | null; explanation?: string | null; requestId?: string } = {}): string {
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
        usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    });
  }

  /** model_refusal_fallback: Claude Code switched model and went on (content: the notice, by default generation I's). */
  fallback(fields: { originalModel: string; fallbackModel: string; requestId?: string; category?: string | null; explanation?: string | null; content?: string; refusedUserMessageUuid?: string; scope?: 'message' | 'session' }): string {
    return this.system('model_refusal_fallback', fields.content ?? FALLBACK_NOTICE, {
      level: 'warning',
      trigger: 'refusal',
      direction: 'retry',
      scope: fields.scope ?? 'session',
      originalModel: fields.originalModel,
      fallbackModel: fields.fallbackModel,
      requestId: fields.requestId ?? null,
      apiRefusalCategory: fields.category ?? null,
      apiRefusalExplanation: fields.explanation ?? null,
      refusedUserMessageUuid: fields.refusedUserMessageUuid ?? null,
      retractedMessageUuids: [],
    });
  }

  /** model_refusal_no_fallback: the turn stopped refused (2.1.328 writes no content; older builds the message). */
  noFallback(fields: { originalModel: string; requestId?: string; category?: string | null; explanation?: string | null; refusedUserMessageUuid?: string; content?: string }): string {
    return this.system('model_refusal_no_fallback', fields.content ?? '', {
      level: 'warning',
      originalModel: fields.originalModel,
      requestId: fields.requestId ?? null,
      apiRefusalCategory: fields.category ?? null,
      apiRefusalExplanation: fields.explanation ?? null,
      refusedUserMessageUuid: fields.refusedUserMessageUuid ?? null,
    });
  }

  /** Claude Code's cumulative session cost snapshot (no uuid, no timestamp). */
  costState(totalCostUSD: number, models: Record<string, TokenUsage & { costUSD: number }>): void {
    const modelUsage: Record<string, unknown> = {};
    for (const [m, u] of Object.entries(models)) {
      modelUsage[m] = {
        inputTokens: u.input,
        outputTokens: u.output,
        thinkingTokens: 0,
        cacheReadInputTokens: u.cacheRead,
        cacheCreationInputTokens: u.cacheWrite,
        webSearchRequests: 0,
        costUSD: u.costUSD,
      };
    }
    this.entries.push({ type: 'cost-state', sessionId: this.sessionId, totalCostUSD, modelUsage, hasUnknownModelCost: false });
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

/** A session the ledger tests read: one shop project, and a clock that moves only with wait(). */
export function ledgerSession(options: SessionOptions = {}): SessionBuilder {
  return new SessionBuilder({ sessionId: 'sess-1', cwd: '/home/dev/shop', tickMs: 0, ...options });
}

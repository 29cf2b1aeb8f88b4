/**
 * Builds Claude Code transcripts (JSONL) line by line, in the shapes 2.1.328 writes (notes/claude-code.md section 2),
 * so tests read as sessions: a prompt, a refusal, a fallback, a cost-state.
 */
import type { TokenUsage } from '../../../src/core/ledger/types';

/** Generation J, as 2.1.328 writes it; the request id in the text is the refused request's. */
export const hardStop = (requestId = 'req_011CbgiZGk6bR8jQrLT4Ypem'): string =>
  "API Error: Fable 5's safeguards flagged this message (https://www.anthropic.com/legal/aup). Our intentionally broad safeguards allow us to deliver more capabilities faster, but can sometimes flag legitimate coding, cybersecurity, and biology tasks. Claude Code can't respond to this message with Fable 5.\nDetails: `[cyber]`\nRequest ID: " + requestId;
export const FALLBACK_NOTICE =
  "Fable 5's safeguards flagged this message. The safeguards are intentionally broad right now and may flag safe and routine coding, cybersecurity, or biology work. Switched to Opus 4.8. Send feedback with /feedback or learn more: https://support.claude.com/en/articles/15363606";
export const USAGE_POLICY =
  'API Error: Claude Code is unable to respond to this request, which appears to violate our Usage Policy (https://www.anthropic.com/legal/aup). Please double press esc to edit your last message or start a new session for Claude Code to assist with a different task.';

export interface Usage {
  input: number;
  output: number;
  cacheWrite?: number;
  cacheRead?: number;
}

export class Transcript {
  readonly lines: string[] = [];
  private clock: number;
  private n = 0;
  private parent: string | null = null;

  constructor(
    readonly sessionId = 'sess-1',
    readonly cwd = '/home/dev/shop',
    readonly version = '2.1.328',
    start = '2026-11-20T10:00:00.000Z',
  ) {
    this.clock = Date.parse(start);
  }

  /** Advances the clock by `seconds` before the next entry. */
  wait(seconds: number): this {
    this.clock += seconds * 1000;
    return this;
  }

  private common(uuid: string): Record<string, unknown> {
    return {
      parentUuid: this.parent,
      isSidechain: false,
      userType: 'external',
      cwd: this.cwd,
      sessionId: this.sessionId,
      version: this.version,
      gitBranch: 'main',
      uuid,
      timestamp: new Date(this.clock).toISOString(),
    };
  }

  private push(entry: Record<string, unknown>): string {
    this.lines.push(JSON.stringify(entry));
    if (typeof entry.uuid === 'string') this.parent = entry.uuid;
    return typeof entry.uuid === 'string' ? entry.uuid : '';
  }

  /** A prompt; returns its uuid. */
  user(text: string, uuid = `u${++this.n}`): string {
    const { uuid: _u, ...c } = this.common(uuid);
    return this.push({ ...c, type: 'user', message: { role: 'user', content: text }, uuid });
  }

  toolResult(toolUseId: string, content: string, uuid = `u${++this.n}`): string {
    return this.push({
      ...this.common(uuid),
      type: 'user',
      message: { role: 'user', content: [{ tool_use_id: toolUseId, type: 'tool_result', content }] },
    });
  }

  meta(text: string): string {
    return this.push({ ...this.common(`m${++this.n}`), isMeta: true, type: 'user', message: { role: 'user', content: text } });
  }

  /** One API response; `blocks` > 1 writes one entry per content block, each repeating the usage, as Claude Code does. */
  assistant(model: string, usage: Usage, requestId: string, options: { text?: string; blocks?: number } = {}): void {
    const blocks = options.blocks ?? 1;
    for (let i = 0; i < blocks; i++) {
      this.push({
        ...this.common(`a${++this.n}`),
        message: {
          id: `msg_${requestId}`,
          type: 'message',
          role: 'assistant',
          model,
          content: [{ type: 'text', text: options.text ?? `answer part ${i}` }],
          stop_reason: i === blocks - 1 ? 'end_turn' : null,
          usage: {
            input_tokens: usage.input,
            cache_creation_input_tokens: usage.cacheWrite ?? 0,
            cache_read_input_tokens: usage.cacheRead ?? 0,
            output_tokens: usage.output,
          },
        },
        requestId,
        type: 'assistant',
      });
    }
  }

  /** The "<synthetic>" assistant entry of a refused request (2.1.328: stop_reason "refusal"). */
  refusal(text: string, options: { category?: string | null; requestId?: string } = {}): void {
    this.push({
      ...this.common(`a${++this.n}`),
      message: {
        id: `msg_syn${this.n}`,
        model: '<synthetic>',
        role: 'assistant',
        type: 'message',
        stop_reason: 'refusal',
        stop_details: { type: 'refusal', category: options.category ?? null, explanation: null },
        content: [{ type: 'text', text }],
        usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
      ...(options.requestId ? { requestId: options.requestId } : {}),
      type: 'assistant',
      isApiErrorMessage: true,
    });
  }

  /** An API error that is not a refusal (prompt too long). */
  apiError(text: string): void {
    this.push({
      ...this.common(`a${++this.n}`),
      message: { model: '<synthetic>', role: 'assistant', content: [{ type: 'text', text }], stop_reason: 'stop_sequence' },
      type: 'assistant',
      isApiErrorMessage: true,
      error: 'invalid_request',
      apiErrorStatus: 400,
    });
  }

  fallback(o: { from: string; to: string; requestId: string; category: string; refusedUserUuid: string; content?: string }): void {
    this.push({
      ...this.common(`s${++this.n}`),
      type: 'system',
      subtype: 'model_refusal_fallback',
      level: 'warning',
      trigger: 'refusal',
      scope: 'session',
      originalModel: o.from,
      fallbackModel: o.to,
      requestId: o.requestId,
      apiRefusalCategory: o.category,
      apiRefusalExplanation: null,
      refusedUserMessageUuid: o.refusedUserUuid,
      retractedMessageUuids: [],
      content: o.content ?? FALLBACK_NOTICE,
    });
  }

  noFallback(o: { model: string; requestId: string; category: string; refusedUserUuid: string }): void {
    this.push({
      ...this.common(`s${++this.n}`),
      type: 'system',
      subtype: 'model_refusal_no_fallback',
      originalModel: o.model,
      requestId: o.requestId,
      apiRefusalCategory: o.category,
      apiRefusalExplanation: null,
      refusedUserMessageUuid: o.refusedUserUuid,
      content: hardStop(o.requestId),
    });
  }

  /** Claude Code's cumulative session cost snapshot (no timestamp). */
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
    this.lines.push(JSON.stringify({ type: 'cost-state', sessionId: this.sessionId, totalCostUSD, modelUsage, hasUnknownModelCost: false }));
  }

  text(): string {
    return this.lines.map((l) => `${l}\n`).join('');
  }
}

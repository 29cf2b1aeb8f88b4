/**
 * The Anthropic Messages API as an oracle, through the official SDK. One probe = one non-streaming request with a
 * tiny max_tokens: we only need the stop_reason. Refused = stop_reason "refusal" (stop_details carries the category)
 * or the 400 "Output blocked by content filtering policy". 429/529/5xx are retried here, honouring retry-after, and are
 * never verdicts; what is still failing after the retries is thrown as OracleError.
 */
import Anthropic from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  DocumentBlockParam,
  ImageBlockParam,
  MessageParam,
  TextBlockParam,
  Tool,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages/messages';
import { estimateInputTokens, inputBytes, isPdf } from './estimate';
import { sessionIdentity } from './session';
import { costUsd, type PriceTable } from '../../prices';
import { MINIMAL_SYSTEM, OracleError, systemText, type Oracle, type ProbeEstimate, type ProbeInput, type ProbePart, type SystemPrompt, type Verdict } from './types';

export { MINIMAL_SYSTEM };
export const DEFAULT_MODEL = 'claude-opus-4-8';
/** Enough for the classifier to act on the first output tokens; a longer answer costs output tokens for nothing. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 16;
/** Stands in for a candidate with every part removed: the API rejects a request with no content. */
const EMPTY_CANDIDATE = '.';

export interface RetryInfo {
  attempt: number;
  status?: number;
  delayMs: number;
  reason: string;
}

export interface ApiOracleOptions {
  /** From the caller (CLI: ANTHROPIC_API_KEY). Never logged, never cached. */
  apiKey: string;
  /** The API host; the loopback stand-in in tests and `--oracle sim`. */
  baseUrl?: string;
  model?: string;
  maxOutputTokens?: number;
  /**
   * "blocks" (default): a tool result goes out as an assistant tool_use + user tool_result pair, the way Claude Code
   * sent it, because classifiers judge the conversation's shape as well as its words (a file read by a tool is not
   * the same request as the user pasting it). "text": every part as a plain text block, for hosts without tools.
   */
  toolResults?: 'blocks' | 'text';
  /** Retries of 429, 529 and 5xx before giving up (default 6). */
  maxRetries?: number;
  /** Retries of a failed connection (default 2): a host that is down stays down, so fail fast. */
  connectRetries?: number;
  /** First backoff delay when the server gives no retry-after (default 1000 ms), doubled each retry. */
  retryBaseMs?: number;
  /** Longest wait between retries, retry-after included (default 60 s). */
  maxRetryDelayMs?: number;
  /** Per-request timeout (default 120 s). */
  timeoutMs?: number;
  prices?: PriceTable;
  /** "api" (default) or "sim" when pointed at the stand-in. */
  name?: string;
  /** Extra text for the cache identity (e.g. the sim's rules hash). */
  identityExtra?: string;
  onRetry?: (info: RetryInfo) => void;
}

export class ApiOracle implements Oracle {
  readonly name: string;
  readonly model: string;
  readonly identity: string;
  private readonly client: Anthropic;
  private readonly maxOutputTokens: number;

  constructor(private readonly options: ApiOracleOptions) {
    this.name = options.name ?? 'api';
    this.model = options.model ?? DEFAULT_MODEL;
    this.maxOutputTokens = options.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
    // The host decides the answers (the real API vs a stand-in); the key never enters the identity.
    const host = options.baseUrl ?? 'https://api.anthropic.com';
    this.identity = `api|${host}|max_tokens=${this.maxOutputTokens}|${options.toolResults ?? 'blocks'}|${options.identityExtra ?? ''}`;
    // Retries are ours (below): the SDK's would hide 429s from the progress events and could not tell a refusal
    // from a transport error any better.
    this.client = new Anthropic({
      apiKey: options.apiKey,
      baseURL: options.baseUrl,
      maxRetries: 0,
      timeout: options.timeoutMs ?? 120_000,
    });
  }

  estimate(input: ProbeInput): ProbeEstimate {
    const inputTokens = estimateInputTokens(input, MINIMAL_SYSTEM) + toolOverhead(input, this.options.toolResults);
    const model = input.model ?? this.model;
    return {
      inputTokens,
      outputTokens: this.maxOutputTokens,
      costUsd: costUsd(model, inputTokens, this.maxOutputTokens, this.options.prices),
    };
  }

  /** GET /v1/models through the SDK (every page): the ids this key can call. */
  async models(signal?: AbortSignal): Promise<string[]> {
    const ids: string[] = [];
    try {
      for await (const info of this.client.models.list({ limit: 100 }, { signal })) ids.push(info.id);
    } catch (error) {
      if (error instanceof Anthropic.APIUserAbortError || signal?.aborted) throw cancelled(error);
      if (error instanceof Anthropic.APIError) throw transportError(error.status, error, 0);
      throw new OracleError('network', `cannot list the models at ${this.options.baseUrl ?? 'https://api.anthropic.com'}: ${String(error)}`,
        'Check your network connection (or --base-url), or name the models with --models.', { cause: error });
    }
    return ids;
  }

  async probe(input: ProbeInput, signal?: AbortSignal): Promise<Verdict> {
    const model = input.model ?? this.model;
    const request = buildRequest(input, {
      model,
      maxOutputTokens: this.maxOutputTokens,
      toolResults: this.options.toolResults ?? 'blocks',
    });
    const bytesSent = inputBytes(input);
    // Sent in the session only when asked (the attribution's session control); every other probe goes fresh.
    const session = sessionIdentity(input.session);
    const maxRetries = this.options.maxRetries ?? 6;
    const connectRetries = this.options.connectRetries ?? 2;
    const base = this.options.retryBaseMs ?? 1_000;
    const maxDelay = this.options.maxRetryDelayMs ?? 60_000;
    let retries = 0;
    let connectFailures = 0;

    for (;;) {
      if (signal?.aborted) throw cancelled();
      const started = Date.now();
      try {
        const message = session
          ? await this.client.messages.create({ ...request, metadata: session.metadata }, { signal, headers: session.headers })
          : await this.client.messages.create(request, { signal });
        const latencyMs = Date.now() - started;
        const usage = { inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens };
        const requestId = (message as { _request_id?: string | null })._request_id ?? undefined;
        const refused = message.stop_reason === 'refusal';
        const details = message.stop_details;
        return {
          refused,
          usage,
          costUsd: costUsd(model, usage.inputTokens, usage.outputTokens, this.options.prices),
          bytesSent,
          latencyMs,
          requestId,
          category: refused ? (details?.category ?? null) : undefined,
          detail: refused ? (details?.explanation ?? 'stop_reason: refusal') : `stop_reason: ${message.stop_reason}`,
        };
      } catch (error) {
        if (error instanceof Anthropic.APIUserAbortError || signal?.aborted) throw cancelled(error);
        if (error instanceof Anthropic.APIConnectionError) {
          // Includes timeouts (APIConnectionTimeoutError): retried like a refused connection.
          if (connectFailures++ < connectRetries) {
            await this.wait(Math.min(base * 2 ** (connectFailures - 1), maxDelay), signal, {
              attempt: connectFailures,
              reason: 'connection failed',
            });
            continue;
          }
          throw new OracleError(
            'network',
            `cannot reach the Messages API at ${this.options.baseUrl ?? 'https://api.anthropic.com'}: ${error.message}`,
            'Check your network connection (or the --base-url / ANTHROPIC_BASE_URL you set), then run the same command again: answers already received are cached.',
            { cause: error },
          );
        }
        if (error instanceof Anthropic.APIError) {
          const status = error.status;
          if (status === 400 && /content filtering policy/i.test(errorMessage(error))) {
            // The output filter: a refusal the user sees as "API Error: 400 ... Output blocked by content filtering policy".
            return {
              refused: true,
              usage: { inputTokens: 0, outputTokens: 0 },
              costUsd: 0,
              bytesSent,
              latencyMs: Date.now() - started,
              requestId: error.requestID ?? undefined,
              category: 'content-filter',
              detail: 'Output blocked by content filtering policy',
            };
          }
          if (status !== undefined && isRetryable(status, error.headers)) {
            if (retries++ < maxRetries) {
              const delay = retryDelay(error.headers, retries, base, maxDelay);
              await this.wait(delay, signal, { attempt: retries, status, reason: status === 429 ? 'rate limited' : 'overloaded' });
              continue;
            }
            throw transportError(status, error, retries);
          }
          throw transportError(status, error, retries);
        }
        throw new OracleError('other', `Messages API call failed: ${String(error)}`, undefined, { cause: error });
      }
    }
  }

  private async wait(delayMs: number, signal: AbortSignal | undefined, info: Omit<RetryInfo, 'delayMs'>): Promise<void> {
    this.options.onRetry?.({ ...info, delayMs });
    await sleep(delayMs, signal);
  }
}

function isRetryable(status: number, headers: Headers | undefined): boolean {
  const header = headers?.get('x-should-retry');
  if (header === 'false') return false;
  if (header === 'true') return true;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** retry-after-ms, then retry-after (seconds or an HTTP date), else exponential backoff with jitter. */
export function retryDelay(headers: Headers | undefined, attempt: number, baseMs: number, maxMs: number): number {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, maxMs);
  const after = headers?.get('retry-after');
  if (after) {
    const seconds = Number.parseFloat(after);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, maxMs);
    const date = Date.parse(after);
    if (Number.isFinite(date)) return Math.min(Math.max(0, date - Date.now()), maxMs);
  }
  const backoff = baseMs * 2 ** (attempt - 1);
  return Math.min(backoff * (1 - Math.random() * 0.25), maxMs);
}

function errorMessage(error: InstanceType<typeof Anthropic.APIError>): string {
  const body = error.error as { error?: { message?: string }; message?: string } | undefined;
  return body?.error?.message ?? body?.message ?? error.message;
}

function transportError(status: number | undefined, error: InstanceType<typeof Anthropic.APIError>, retries: number): OracleError {
  const message = errorMessage(error);
  const id = error.requestID ? ` (request ${error.requestID})` : '';
  const after = retries > 0 ? ` after ${retries} retries` : '';
  switch (status) {
    case 401:
      return new OracleError(
        'auth',
        `the Messages API rejected the API key (401)${id}: ${message}`,
        'Set ANTHROPIC_API_KEY to a valid key (in VS Code: run "AUP Bisect: Set Anthropic API Key"), or use --oracle claude to probe through your Claude Code login.',
        { cause: error },
      );
    case 403:
      return new OracleError('auth', `the API key is not allowed to do this (403)${id}: ${message}`,
        'Use a key of a workspace that can call this model, or pick another model with --model.', { cause: error });
    case 404:
      return new OracleError('not-found', `not found (404)${id}: ${message}`,
        'Check the model name (--model) and the base URL.', { cause: error });
    case 429:
      return new OracleError('rate-limit', `still rate limited (429)${after}${id}: ${message}`,
        'Wait a minute and run the same command again (cached answers are free), or lower --concurrency.', { cause: error });
    case 413:
      return new OracleError('bad-request', `the request is too large (413)${id}: ${message}`,
        'Bisect a smaller file, or use --test with a local command.', { cause: error });
    case 400:
      return new OracleError('bad-request', `the Messages API rejected the request (400)${id}: ${message}`,
        'The candidate could not be sent as is; check the model name, or report this with the command you ran.', { cause: error });
    default:
      if (status !== undefined && status >= 500) {
        return new OracleError('overloaded', `the Messages API is overloaded or failing (${status})${after}${id}: ${message}`,
          'Try again in a few minutes: answers already received are cached and will not be paid again.', { cause: error });
      }
      return new OracleError('other', `Messages API error ${status ?? ''}${id}: ${message}`, undefined, { cause: error });
  }
}

function cancelled(cause?: unknown): OracleError {
  return new OracleError('cancelled', 'probe cancelled', undefined, cause ? { cause } : undefined);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function toolOverhead(input: ProbeInput, mode: 'blocks' | 'text' | undefined): number {
  if (mode === 'text') return 0;
  const tools = new Set(input.parts.filter((p) => p.kind === 'tool_result').map((p) => p.toolName ?? 'Read'));
  // A tool definition and a tool_use block: ~60 tokens each, with margin.
  return tools.size * 80 + input.parts.filter((p) => p.kind === 'tool_result').length * 60;
}

export interface BuiltRequest {
  model: string;
  max_tokens: number;
  /** One text, or the replayed request's text blocks, block for block. */
  system: string | TextBlockParam[];
  messages: MessageParam[];
  tools?: Tool[];
  tool_choice?: { type: 'none' };
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

function contentBlock(part: ProbePart): TextBlockParam | DocumentBlockParam | ImageBlockParam | undefined {
  if (part.bytes && isPdf(part)) {
    if (part.bytes.byteLength === 0) return undefined;
    return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: b64(part.bytes) } };
  }
  if (part.bytes && part.kind === 'image' && part.mediaType && /^image\/(png|jpeg|gif|webp)$/.test(part.mediaType)) {
    if (part.bytes.byteLength === 0) return undefined;
    return {
      type: 'image',
      source: { type: 'base64', media_type: part.mediaType as 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp', data: b64(part.bytes) },
    };
  }
  // The API rejects empty and whitespace-only text blocks; such a part has nothing for a classifier to read anyway.
  if (part.text.trim() === '') return undefined;
  return { type: 'text', text: part.text };
}

/**
 * The request's `system`: a text as a string, blocks as text blocks (Claude Code sends its prompt as blocks, and a
 * replay sends the same ones). The API rejects empty text blocks; a prompt with nothing in it gets the minimal one.
 */
function systemParam(system: SystemPrompt | undefined): string | TextBlockParam[] {
  if (systemText(system).trim() === '') return MINIMAL_SYSTEM;
  if (typeof system === 'string') return system;
  return system!.filter((text) => text.trim() !== '').map((text): TextBlockParam => ({ type: 'text', text }));
}

const toolName = (name: string | undefined): string => (name ?? 'Read').replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'Read';

/**
 * Turns the parts into one conversation: user text, documents and images accumulate in a user turn; a tool result
 * closes it with an assistant tool_use and opens the next user turn with the matching tool_result, the way Claude
 * Code sends a Read. Removed (empty) parts are left out entirely, tool_use included.
 */
export function buildRequest(
  input: ProbeInput,
  options: { model: string; maxOutputTokens: number; toolResults: 'blocks' | 'text' },
): BuiltRequest {
  const messages: MessageParam[] = [];
  let user: ContentBlockParam[] = [];
  const tools = new Map<string, Tool>();
  let toolCount = 0;

  for (const part of input.parts) {
    const block = contentBlock(part);
    if (!block) continue;
    if (part.kind === 'tool_result' && options.toolResults === 'blocks') {
      const name = toolName(part.toolName);
      const id = `toolu_aupbisect${String(++toolCount).padStart(4, '0')}`;
      if (!tools.has(name)) {
        tools.set(name, {
          name,
          description: 'A tool of the original session, replayed.',
          input_schema: { type: 'object', properties: { file_path: { type: 'string' } } },
        });
      }
      if (user.length === 0) user.push({ type: 'text', text: part.filePath ? `Read ${part.filePath}` : 'Continue.' });
      messages.push({ role: 'user', content: user });
      messages.push({
        role: 'assistant',
        content: [{ type: 'tool_use', id, name, input: part.filePath ? { file_path: part.filePath } : {} }],
      });
      const result: ToolResultBlockParam = { type: 'tool_result', tool_use_id: id, content: [block] };
      user = [result];
      continue;
    }
    user.push(block);
  }
  if (user.length === 0) user.push({ type: 'text', text: EMPTY_CANDIDATE });
  messages.push({ role: 'user', content: user });

  const request: BuiltRequest = {
    model: options.model,
    max_tokens: options.maxOutputTokens,
    system: systemParam(input.system),
    messages,
  };
  if (tools.size > 0) {
    request.tools = [...tools.values()];
    // The replay must never act: the model may not call the tools we declared only to carry the history.
    request.tool_choice = { type: 'none' };
  }
  return request;
}

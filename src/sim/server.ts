/**
 * The loopback Messages API stand-in: HTTP routing and the per-request flow (auth, injected failures, latency,
 * scripted tool use, classification, noise, delivery). Everything else lives in its own module.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { classify, parseRules, type Delivery, type SimRules } from './classifier';
import { scriptedToolUse, type ScriptOptions } from './agent';
import {
  authError, contentFilterError, errorBody, invalidRequest, notFound, overloadedError, rateLimitError,
  type ApiError,
} from './errors';
import { requestId as newRequestId } from './ids';
import { estimateInputTokens, refusalMessage, textMessage, toolUseMessage, type SimMessage } from './message';
import { modelList } from './models';
import { Latency, Noise, sleep, type NoiseOptions } from './noise';
import { writeMessageStream } from './sse';
import { FlaggedSessions, sessionIdOf } from './session';
import { StatsRecorder, type SimRequestLog, type SimStats } from './stats';
import type { MessagesRequestBody } from './types';

export type { SimStats, SimRequestLog } from './stats';
export type { SimRules, SimRule } from './classifier';

/** An error to answer with instead of a message, for the next `times` POST /v1/messages requests. */
export interface SimFailure {
  status: 401 | 429 | 500 | 529;
  /** How many requests in a row get it; default 1. */
  times?: number;
  /** Seconds sent in retry-after on a 429; default 1. */
  retryAfter?: number;
}

export interface SimOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** Default 127.0.0.1: the stand-in is for this machine only. */
  host?: string;
  /** Rules, or the path of a rules JSON file. Absent: no rule, nothing is refused (unless noise says so). */
  rules?: SimRules | string;
  noise?: NoiseOptions;
  latencyMs?: number | [number, number];
  /** Default "stop_reason". */
  delivery?: Delivery;
  /** Scripted agentic mode (see agent.ts); absent: off. */
  script?: ScriptOptions;
  failures?: SimFailure[];
  /** When set, any other key gets a 401; otherwise any non-empty key is accepted. */
  apiKey?: string;
  /** Called after each POST /v1/messages is answered (the CLI prints a line per request). */
  onRequest?: (entry: SimRequestLog) => void;
  /** Called with each parsed POST /v1/messages body, as received (tests compare it with what Claude Code sends). */
  onBody?: (requestId: string, body: MessagesRequestBody) => void;
}

export interface SimServer {
  /** http://HOST:PORT, no trailing slash: usable as ANTHROPIC_BASE_URL and as the SDK's baseURL. */
  url: string;
  port: number;
  stats(): SimStats;
  resetStats(): void;
  /** Queue more failures, served after any already queued, in order. */
  injectFailures(failures: SimFailure[]): void;
  close(): Promise<void>;
}

export async function loadRules(rules: SimRules | string | undefined): Promise<SimRules> {
  if (rules === undefined) return { rules: [] };
  if (typeof rules !== 'string') return parseRules(rules);
  let text: string;
  try {
    text = await readFile(rules, 'utf8');
  } catch (error) {
    throw new Error(`cannot read sim rules file ${rules}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`sim rules file ${rules} is not valid JSON: ${(error as Error).message}`);
  }
  return parseRules(json);
}

export async function startSim(options: SimOptions = {}): Promise<SimServer> {
  const rules = await loadRules(options.rules);
  const noise = new Noise(options.noise);
  const latency = new Latency(options.latencyMs ?? 0, options.noise?.seed ?? 1);
  const stats = new StatsRecorder(options.onRequest);
  const failures: SimFailure[] = (options.failures ?? []).map((f) => ({ ...f }));
  const seenModels = new Set<string>();
  const sessions = new FlaggedSessions();

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const id = newRequestId();
    res.setHeader('request-id', id);
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname.replace(/\/+$/, '');
    const route = `${req.method} ${path}`;
    if (route === 'GET /__sim/stats') return sendJson(res, 200, stats.snapshot());
    if (route === 'DELETE /__sim/stats') {
      stats.reset();
      return sendJson(res, 200, stats.snapshot());
    }
    const raw = await readBody(req);
    if (!authorised(req, options.apiKey)) {
      if (route === 'POST /v1/messages') stats.record(errorLog(id, undefined, raw, 401));
      return sendError(res, authError(), id);
    }
    if (route === 'GET /v1/models') {
      const data = modelList(seenModels);
      return sendJson(res, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
    }
    if (req.method === 'GET' && path.startsWith('/v1/models/')) {
      const wanted = decodeURIComponent(path.slice('/v1/models/'.length));
      const model = modelList(seenModels).find((m) => m.id === wanted);
      return model ? sendJson(res, 200, model) : sendError(res, notFound(`model: ${wanted}`), id);
    }
    if (route === 'POST /v1/messages/count_tokens') {
      const body = parseBody(raw, false);
      if ('error' in body) return sendError(res, body.error, id);
      stats.countTokens();
      return sendJson(res, 200, { input_tokens: estimateInputTokens(body.value) });
    }
    if (route !== 'POST /v1/messages') return sendError(res, notFound(`${req.method} ${url.pathname}`), id);

    const parsed = parseBody(raw, true);
    if ('error' in parsed) {
      stats.record(errorLog(id, undefined, raw, parsed.error.status));
      return sendError(res, parsed.error, id);
    }
    const body = parsed.value;
    options.onBody?.(id, body);
    seenModels.add(body.model);
    const injected = nextFailure(failures);
    if (injected) {
      stats.record(errorLog(id, body.model, raw, injected.status));
      return sendError(res, injected, id);
    }
    await sleep(latency.next());

    const inputTokens = estimateInputTokens(body);
    const base: Omit<SimRequestLog, 'seq' | 'time' | 'outputTokens' | 'verdict' | 'status'> = {
      requestId: id, model: body.model, stream: body.stream === true, inputBytes: raw.length, inputTokens,
    };
    const sessionId = sessionIdOf(req.headers, body);
    if (sessionId !== undefined) base.sessionId = sessionId;
    const flaggedBy = sessions.ruleFor(sessionId);
    if (flaggedBy) {
      // A flagged session is a state the service holds, not a judgment of this request: no classifier, no noise.
      const message = refusalMessage(body.model, inputTokens, flaggedBy.category, flaggedBy.explanation ?? null);
      stats.record({ ...base, outputTokens: 0, verdict: 'refused', status: 200, ruleId: flaggedBy.id, category: flaggedBy.category, scope: 'session' });
      return sendMessage(res, message, body.stream === true);
    }
    const verdict = classify(body, rules, body.model);
    const flip = noise.flip(verdict.refused);
    const refused = flip ? !verdict.refused : verdict.refused;
    // Only the rule's own refusal flags the session (not a refusal noise made up, nor one noise let through).
    if (refused && !flip) sessions.refusedBy(sessionId, verdict.rule);
    if (refused) {
      const category = verdict.rule?.category ?? null;
      const delivery = verdict.rule?.delivery ?? options.delivery ?? 'stop_reason';
      if (delivery === 'content_filter_400') {
        const error = contentFilterError();
        stats.record({ ...base, outputTokens: 0, verdict: 'refused', status: 400, ruleId: verdict.rule?.id, category, noise: flip });
        return sendError(res, error, id);
      }
      const message = refusalMessage(body.model, inputTokens, category, verdict.rule?.explanation ?? null);
      stats.record({ ...base, outputTokens: 0, verdict: 'refused', status: 200, ruleId: verdict.rule?.id, category, noise: flip });
      return sendMessage(res, message, body.stream === true);
    }
    const toolUse = options.script ? scriptedToolUse(body, options.script) : undefined;
    const message = toolUse ? toolUseMessage(body.model, inputTokens, toolUse) : textMessage(body.model, inputTokens);
    stats.record({ ...base, outputTokens: message.usage.output_tokens, verdict: toolUse ? 'tool_use' : 'passed', status: 200, noise: flip });
    return sendMessage(res, message, body.stream === true);
  };

  const server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      // A bug in the stand-in must show up in the client as a 500 in the API's shape, not a hung socket.
      if (!res.headersSent) sendError(res, { status: 500, type: 'api_error', message: String(error) }, newRequestId());
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    injectFailures: (more) => failures.push(...more.map((f) => ({ ...f }))),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function authorised(req: IncomingMessage, apiKey: string | undefined): boolean {
  const header = req.headers['x-api-key'];
  const bearer = req.headers.authorization?.replace(/^Bearer\s+/i, '');
  const key = (Array.isArray(header) ? header[0] : header) || bearer;
  if (!key) return false;
  return apiKey === undefined || key === apiKey;
}

function nextFailure(queue: SimFailure[]): ApiError | undefined {
  const head = queue[0];
  if (!head) return undefined;
  head.times = (head.times ?? 1) - 1;
  if (head.times <= 0) queue.shift();
  switch (head.status) {
    case 401:
      return authError();
    case 429:
      return rateLimitError(head.retryAfter ?? 1);
    case 529:
      return overloadedError();
    default:
      return { status: 500, type: 'api_error', message: 'Internal server error' };
  }
}

function errorLog(requestId: string, model: string | undefined, raw: Buffer, status: number) {
  return {
    requestId, model: model ?? '(unparsed)', stream: false, inputBytes: raw.length, inputTokens: 0, outputTokens: 0,
    verdict: 'error' as const, status,
  };
}

type Parsed = { value: MessagesRequestBody } | { error: ApiError };

/** Checks only what the stand-in needs; everything else Claude Code sends is accepted as is. */
function parseBody(raw: Buffer, needMaxTokens: boolean): Parsed {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { error: invalidRequest('There was an issue with your request body: it is not valid JSON.') };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { error: invalidRequest('body: expected an object') };
  const body = json as Record<string, unknown>;
  if (typeof body.model !== 'string' || !body.model) return { error: invalidRequest('model: Field required') };
  if (!Array.isArray(body.messages)) return { error: invalidRequest('messages: Field required') };
  for (const [i, m] of (body.messages as unknown[]).entries()) {
    const message = m as Record<string, unknown> | null;
    if (!message || typeof message.role !== 'string' || !(typeof message.content === 'string' || Array.isArray(message.content))) {
      return { error: invalidRequest(`messages.${i}: expected {role, content}`) };
    }
  }
  if (needMaxTokens && typeof body.max_tokens !== 'number') return { error: invalidRequest('max_tokens: Field required') };
  return { value: body as MessagesRequestBody };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res: ServerResponse, error: ApiError, requestId: string): void {
  const body = errorBody(error, requestId);
  res.writeHead(error.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...error.headers });
  res.end(body);
}

function sendMessage(res: ServerResponse, message: SimMessage, stream: boolean): void {
  if (!stream) return sendJson(res, 200, message);
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  writeMessageStream(res, message);
}

/**
 * The ledger's streaming pass over one transcript: finds refused turns and the tokens, cost and time they cost.
 *
 * Why a pass of its own rather than the detector's scanTranscript: the ledger must resume from a byte offset (so a
 * second run reads only appended bytes) and needs the usage and cost-state entries around a refusal, which the
 * detector does not keep. Whether an entry IS a refusal is decided by the detector: its prefilter markers
 * (CANDIDATE_MARKERS) pick the lines to parse and its classifyEntry() judges them; ids come from its recordId(), so
 * a ledger entry and the `scan` record of the same turn share an id.
 *
 * Speed: a line is JSON.parse'd only when it may matter: a refusal candidate, a cost-state snapshot, or a request
 * inside an open refusal chain. Every other line is classified from a few bytes at known places (a bookkeeping
 * entry's leading type, a message's role, a tool result's type at the start of its content) and is otherwise never
 * searched; tool results, the bulk of a transcript, are never refusals (classifyEntry agrees). The detector's
 * markers are plain words, so a line that merely quotes a refusal passes the prefilter; classifyEntry then rejects
 * it by its structure. Lines needed later (the prompt, the request before the refusal) are kept as byte ranges and read back
 * only when a refusal turns up.
 *
 * Size: one streaming pass with its state machine; its steps share the per-turn state, so they stay together.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { classifyEntry, type RefusalEvent } from '../refusal/classify';
import type { TranscriptEntry } from '../transcript/entry';
import type { RefusalKind, RefusingModel } from '../refusal/record';
import { modelIdFromLabel } from '../refusal/signatures';
import { CANDIDATE_MARKERS } from '../transcript/scan';
import { recordId } from '../transcript/turn';
import { priceUsage, type PriceTable } from '../prices';
import { estimateBytesTokens } from '../tokens';
import { addUsage, emptyUsage, type LedgerEntry, type LedgerRequest, type TokenUsage } from './types';

export interface LineRef {
  offset: number;
  length: number;
  line: number;
}

export interface CostSnapshot {
  totalCostUSD: number;
  models: Record<string, { usage: TokenUsage; costUSD: number }>;
}

type ChainModel = RefusingModel & { fromSystem?: boolean; fromAssistant?: boolean };

interface ChainState {
  sessionId: string;
  /** The turn's prompt (what the detector keys a record on) and the user entry the refused request answered. */
  promptUuid?: string;
  userUuid?: string;
  userTimestamp?: string;
  /** The detector's fallback keys when no prompt was found. */
  eventUserUuid?: string;
  /** Size of the refused user entry's content (JSON), for estimating a refused request's input. */
  userContentBytes?: number;
  firstLine: number;
  lastLine: number;
  timestamp: string;
  lastEventTimestamp: string;
  kind: RefusalKind;
  message: string;
  messageIsStop: boolean;
  cwd?: string;
  version?: string;
  models: ChainModel[];
  requests: LedgerRequest[];
  /** Cumulative cost-state right before the refused request; null when none was current then. */
  costBefore: CostSnapshot | null;
  costAfter?: CostSnapshot;
  /** A retry or fallback answered; the chain stays open only to pick up the cost-state written after it. */
  answered: boolean;
  answerKey?: string;
}

/** Everything needed to resume the pass at `offset`; plain JSON, persisted in the ledger index. */
export interface ExtractState {
  offset: number;
  line: number;
  requestsTotal: number;
  requestsSinceCost: number;
  lastCost?: CostSnapshot;
  lastPrompt?: LineRef;
  lastUser?: LineRef;
  costAtLastUser: CostSnapshot | null;
  lastRequest?: LineRef;
  requestAtLastUser?: LineRef;
  lastApiRequest?: LineRef;
  /** Responses to the last user entry before any refusal (a reply the safeguards cut off mid-stream). */
  sinceUser: LineRef[];
  open?: ChainState;
}

export function initialState(): ExtractState {
  return { offset: 0, line: 0, requestsTotal: 0, requestsSinceCost: 0, costAtLastUser: null, sinceUser: [] };
}

export interface ExtractOptions {
  prices: PriceTable;
  /** The project name for entries whose transcript logged no cwd. */
  fallbackProject: string;
  /** Read size; tests make it small to cross chunk borders. */
  chunkSize?: number;
}

export interface ExtractResult {
  state: ExtractState;
  /** Chains that ended in the bytes read. */
  entries: LedgerEntry[];
  bytesRead: number;
}

const marker = (s: string): Buffer => Buffer.from(s, 'utf8');
/** The detector's refusal candidates; `"model":"<synthetic>"` among them also marks Claude Code's own error entries. */
const CANDIDATES = CANDIDATE_MARKERS;
const SYNTHETIC = marker('"model":"<synthetic>"');
/**
 * Everything else is decided per line from a few bytes at known places. Bookkeeping entries (cost-state,
 * api-request, api-request-blob, attachments ...) start with their type; user and assistant entries name their
 * message's role right after `"message":{`, before the content, so within the first few hundred bytes.
 */
const TYPE_FIRST = marker('{"type":"');
const COST_STATE = marker('cost-state"');
const SYSTEM = marker('system"');
const ROLE = marker('"role":"');
const ROLE_USER = marker('user"');
const ROLE_ASSISTANT = marker('assistant"');
const ROLE_WINDOW = 2048;
const API_REQUEST = marker('api-request"');
const TOOL_RESULT = marker('"type":"tool_result"');
const META = marker('"isMeta":true');
const COMPACT = marker('"isCompactSummary":true');
// 2.1.328 tells the model its reply was stopped by the safeguards in a meta user entry naming the reply: that
// request was refused and is retried once ("continuing once with that noted").
const STOPPED = marker('"refusedMessageId":"');

/** Whether `needle` occurs in view[start, end). */
function within(view: Buffer, needle: Buffer, start: number, end: number): boolean {
  return end - start >= needle.length && view.subarray(start, end).indexOf(needle) !== -1;
}

function startsWith(view: Buffer, needle: Buffer, at: number, end: number): boolean {
  return end - at >= needle.length && view.compare(needle, 0, needle.length, at, at + needle.length) === 0;
}

const SINCE_USER_CAP = 8;

type Json = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);

export function usageFromApi(u: unknown): TokenUsage {
  const o = obj(u) ?? {};
  return {
    input: num(o.input_tokens),
    output: num(o.output_tokens),
    cacheWrite: num(o.cache_creation_input_tokens),
    cacheRead: num(o.cache_read_input_tokens),
  };
}

export function parseCostState(o: Json): CostSnapshot {
  const models: CostSnapshot['models'] = {};
  for (const [model, raw] of Object.entries(obj(o.modelUsage) ?? {})) {
    const m = obj(raw) ?? {};
    models[model] = {
      usage: {
        input: num(m.inputTokens),
        output: num(m.outputTokens),
        cacheWrite: num(m.cacheCreationInputTokens),
        cacheRead: num(m.cacheReadInputTokens),
      },
      costUSD: num(m.costUSD),
    };
  }
  return { totalCostUSD: num(o.totalCostUSD), models };
}

function maxUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    input: Math.max(a.input, b.input),
    output: Math.max(a.output, b.output),
    cacheWrite: Math.max(a.cacheWrite, b.cacheWrite),
    cacheRead: Math.max(a.cacheRead, b.cacheRead),
  };
}

/**
 * Reads `path` from `state.offset` to the last complete line and returns the refusal chains that ended there.
 * The caller persists the returned state and calls again with it after the file grew.
 */
export async function extractFile(path: string, state: ExtractState, options: ExtractOptions): Promise<ExtractResult> {
  const fh = await open(path, 'r');
  try {
    return await new Extractor(fh, path, structuredClone(state), options).run();
  } finally {
    await fh.close();
  }
}

class Extractor {
  private buf: Buffer;
  /** File offset of buf[0]. */
  private base = 0;
  private end = 0;
  private readonly entries: LedgerEntry[] = [];

  constructor(
    private readonly fh: FileHandle,
    private readonly path: string,
    private readonly st: ExtractState,
    private readonly opts: ExtractOptions,
  ) {
    this.buf = Buffer.allocUnsafe(opts.chunkSize ?? 8 << 20);
  }

  async run(): Promise<ExtractResult> {
    const start = this.st.offset;
    this.base = start;
    for (;;) {
      if (this.end === this.buf.length) {
        // A line longer than the buffer (a huge tool result): grow rather than split it.
        const bigger = Buffer.allocUnsafe(this.buf.length * 2);
        this.buf.copy(bigger, 0, 0, this.end);
        this.buf = bigger;
      }
      const { bytesRead } = await this.fh.read(this.buf, this.end, this.buf.length - this.end, this.base + this.end);
      if (bytesRead === 0) break;
      this.end += bytesRead;
      const consumed = await this.lines();
      // Keep the unfinished line at the front of the buffer for the next read.
      this.buf.copy(this.buf, 0, consumed, this.end);
      this.base += consumed;
      this.end -= consumed;
    }
    // An unterminated last line stays unread: Claude Code may be halfway through writing it.
    this.st.offset = this.base;
    return { state: this.st, entries: this.entries, bytesRead: this.base - start };
  }

  /** Handles every complete line in buf[0, end); returns the bytes consumed. */
  private async lines(): Promise<number> {
    const view = this.buf.subarray(0, this.end);
    let pos = 0;
    for (;;) {
      const nl = view.indexOf(10, pos);
      if (nl === -1) return pos;
      if (nl > pos) {
        // Most lines need no I/O: await only when one did (an await per line costs more than the line).
        const pending = this.line(view, pos, nl);
        if (pending) await pending;
      }
      this.st.line++;
      pos = nl + 1;
    }
  }

  /** Whether the line holds one of the detector's refusal candidate markers. */
  private candidate(view: Buffer, start: number, end: number): boolean {
    const line = view.subarray(start, end);
    for (const m of CANDIDATES) if (line.indexOf(m) !== -1) return true;
    return false;
  }

  /** 'user' | 'assistant' from the message role near the start of the line, else undefined. */
  private role(view: Buffer, start: number, end: number): 'user' | 'assistant' | undefined {
    const windowEnd = Math.min(end, start + ROLE_WINDOW);
    let at = view.subarray(start, windowEnd).indexOf(ROLE);
    if (at === -1 && windowEnd < end) at = view.subarray(start, end).indexOf(ROLE);
    if (at === -1) return undefined;
    at += start + ROLE.length;
    if (startsWith(view, ROLE_USER, at, end)) return 'user';
    if (startsWith(view, ROLE_ASSISTANT, at, end)) return 'assistant';
    return undefined;
  }

  private line(view: Buffer, start: number, end: number): Promise<void> | void {
    const ref: LineRef = { offset: this.base + start, length: end - start, line: this.st.line + 1 };
    if (startsWith(view, TYPE_FIRST, start, end)) {
      const at = start + TYPE_FIRST.length;
      if (startsWith(view, API_REQUEST, at, end)) {
        this.st.lastApiRequest = ref;
        return;
      }
      if (startsWith(view, COST_STATE, at, end)) {
        const o = this.parse(view, start, end);
        if (o) this.onCost(parseCostState(o));
        return;
      }
      // Other bookkeeping (request blobs hold copies of user messages): never a refusal, a request or a prompt.
      if (!startsWith(view, ROLE_USER, at, end) && !startsWith(view, ROLE_ASSISTANT, at, end) && !startsWith(view, SYSTEM, at, end)) return;
    }
    const role = this.role(view, start, end);
    // A tool result names its type at the start of the content: the rest of the line (often a whole file) is never
    // searched, and it is never a refusal (the detector's classifyEntry agrees).
    if (role === 'user' && within(view, TOOL_RESULT, start, Math.min(end, start + ROLE_WINDOW * 2))) return this.onUser(ref, false);
    let parsed: Json | undefined;
    if (this.candidate(view, start, end)) {
      parsed = this.parse(view, start, end);
      const event = parsed && classifyEntry(parsed as TranscriptEntry);
      if (event) return this.onRefusal(event, parsed!, ref);
    }
    if (role === 'assistant') {
      if (within(view, SYNTHETIC, start, end)) return; // Claude Code's own API error text: no request, no usage.
      this.st.requestsTotal++;
      this.st.requestsSinceCost++;
      this.st.lastRequest = ref;
      if (this.st.open) {
        const o = parsed ?? this.parse(view, start, end);
        if (o) this.onResponse(o, ref);
      } else if (this.st.sinceUser.length < SINCE_USER_CAP) {
        this.st.sinceUser.push(ref);
      }
      return;
    }
    if (role !== 'user') return;
    if (within(view, STOPPED, start, end)) {
      const o = parsed ?? this.parse(view, start, end);
      if (o?.type === 'user' && typeof o.refusedMessageId === 'string') return this.onStopped(o, ref);
    }
    if (within(view, META, start, end)) return;
    this.onUser(ref, !within(view, COMPACT, start, end));
  }

  private parse(view: Buffer, start: number, end: number): Json | undefined {
    try {
      return obj(JSON.parse(view.toString('utf8', start, end)));
    } catch {
      // A torn or corrupt line: skip it, as Claude Code itself does when it resumes a session.
      return undefined;
    }
  }

  private async readRef(ref: LineRef | undefined): Promise<Json | undefined> {
    if (!ref) return undefined;
    const rel = ref.offset - this.base;
    if (rel >= 0 && rel + ref.length <= this.end) return this.parse(this.buf, rel, rel + ref.length);
    const b = Buffer.allocUnsafe(ref.length);
    const { bytesRead } = await this.fh.read(b, 0, ref.length, ref.offset);
    return this.parse(b, 0, bytesRead);
  }

  private onCost(snapshot: CostSnapshot): void {
    this.st.lastCost = snapshot;
    this.st.requestsSinceCost = 0;
    if (this.st.open) this.st.open.costAfter = snapshot;
  }

  private onUser(ref: LineRef, prompt: boolean): void {
    if (this.st.open) this.finish();
    const st = this.st;
    if (prompt) st.lastPrompt = ref;
    st.lastUser = ref;
    // A cost-state is a valid "before" only if no request ran since it; a session that made no request yet starts at 0.
    st.costAtLastUser =
      st.requestsSinceCost === 0 ? (st.lastCost ?? (st.requestsTotal === 0 ? { totalCostUSD: 0, models: {} } : null)) : null;
    st.requestAtLastUser = st.lastRequest;
    st.sinceUser = [];
  }

  /** A real model's response while a refusal chain is open: the retry or fallback it caused. */
  private onResponse(o: Json, ref: LineRef): void {
    const chain = this.st.open!;
    const message = obj(o.message) ?? {};
    const key = str(o.requestId) ?? str(message.id) ?? String(ref.offset);
    const cut = message.stop_reason === 'refusal';
    if (chain.answered && key !== chain.answerKey && !cut) {
      // The next request after the answer is ordinary work, not caused by the refusal.
      this.finish();
      return;
    }
    const model = str(message.model) ?? 'unknown';
    const usage = usageFromApi(message.usage);
    const existing = chain.requests.find((r) => (r.requestId ?? r.messageId) === key);
    if (existing) {
      // Claude Code writes one entry per content block of a response, each repeating the usage so far.
      existing.usage = maxUsage(existing.usage, usage);
      existing.estimated = false;
    } else {
      const refusedModel = chain.models[chain.models.length - 1]?.model;
      chain.requests.push({
        // A reply the classifier cut off mid-stream was refused too; the synthetic entry for it follows.
        role: cut ? 'refused' : model === refusedModel ? 'retry' : 'fallback',
        model,
        ...(str(o.requestId) ? { requestId: str(o.requestId) } : {}),
        ...(str(message.id) ? { messageId: str(message.id) } : {}),
        usage,
        estimated: false,
      });
    }
    if (cut) return;
    chain.answered = true;
    chain.answerKey = key;
    chain.lastEventTimestamp = str(o.timestamp) ?? chain.lastEventTimestamp;
  }

  /** A reply stopped by the safeguards, to be retried: one refused request, not yet a refused turn by itself. */
  private async onStopped(o: Json, ref: LineRef): Promise<void> {
    let chain = this.st.open;
    if (chain?.answered) {
      this.finish();
      chain = undefined;
    }
    const ts = str(o.timestamp) ?? chain?.lastEventTimestamp ?? new Date(0).toISOString();
    if (!chain) chain = await this.openChain({ effect: 'stop', structural: true }, o, ref, ts);
    const messageId = str(o.refusedMessageId);
    if (messageId && chain.requests.some((r) => r.messageId === messageId)) return;
    const request = await this.estimateRefused(await this.currentModel(chain));
    if (messageId) request.messageId = messageId;
    chain.requests.push(request);
  }

  private async onRefusal(ev: RefusalEvent, o: Json, ref: LineRef): Promise<void> {
    let chain = this.st.open;
    if (chain?.answered && !(ev.refusedUserUuid && ev.refusedUserUuid === chain.eventUserUuid)) {
      this.finish();
      chain = undefined;
    }
    const ts = str(o.timestamp) ?? chain?.lastEventTimestamp ?? new Date(0).toISOString();
    if (!chain) chain = await this.openChain(ev, o, ref, ts);
    chain.answered = false;
    chain.lastLine = ref.line;
    chain.lastEventTimestamp = ts;
    chain.eventUserUuid ??= ev.refusedUserUuid ?? ev.parentUuid;
    // What the user saw: the final stop message when there is one, else the fallback notice (as the detector does).
    if (ev.message && (ev.effect === 'stop' || !chain.messageIsStop)) {
      chain.message = ev.message;
      chain.messageIsStop = ev.effect === 'stop';
      chain.kind = ev.kind ?? (ev.structural ? 'safeguards' : 'unrecognised');
    }

    const source = o.type === 'system' ? 'fromSystem' : 'fromAssistant';
    const other = source === 'fromSystem' ? 'fromAssistant' : 'fromSystem';
    const evModel = ev.model ?? (ev.modelLabel ? modelIdFromLabel(ev.modelLabel) : undefined);
    const last = chain.models[chain.models.length - 1];
    // One refused request is often logged twice: a "<synthetic>" assistant entry and a model_refusal_* system entry.
    let same = ev.requestId ? chain.models.find((m) => m.requestId === ev.requestId) : undefined;
    if (!same && last && last[other] && !last[source] && !(ev.requestId && last.requestId)) same = last;
    if (same) {
      same[source] = true;
      if (!same.requestId && ev.requestId) {
        const req = chain.requests.find((r) => r.role === 'refused' && !r.requestId && r.model === same!.model);
        if (req) req.requestId = ev.requestId;
        same.requestId = ev.requestId;
      }
      // The system entry names the wire model; the synthetic entry only a printed label.
      if (ev.model && source === 'fromSystem' && same.model !== ev.model) {
        for (const r of chain.requests) if (r.role === 'refused' && r.model === same.model && r.requestId === same.requestId) r.model = ev.model;
        same.model = ev.model;
      }
      if (same.messageId === undefined && ev.messageId) same.messageId = ev.messageId;
      if (same.category == null && ev.category != null) same.category = ev.category;
      if (same.explanation == null && ev.explanation != null) same.explanation = ev.explanation;
      if (ev.fallbackModel) same.fallbackModel = ev.fallbackModel;
      return;
    }
    const model = evModel ?? (await this.currentModel(chain));
    // Requests refused before any entry named the model (a stopped first reply) ran on the model this one names.
    if (evModel) for (const r of chain.requests) if (r.model === 'unknown') r.model = evModel;
    const item: ChainModel = { model, [source]: true };
    if (ev.requestId) item.requestId = ev.requestId;
    if (ev.messageId) item.messageId = ev.messageId;
    if (ev.category !== undefined) item.category = ev.category;
    if (ev.explanation !== undefined) item.explanation = ev.explanation;
    if (ev.fallbackModel) item.fallbackModel = ev.fallbackModel;
    chain.models.push(item);
    // A reply streamed before the refusal carries the request's real usage; otherwise estimate it.
    const streamed = ev.requestId && chain.requests.some((r) => r.role === 'refused' && r.requestId === ev.requestId);
    if (!streamed) chain.requests.push(await this.estimateRefused(model, ev.requestId));
  }

  private async currentModel(chain: ChainState): Promise<string> {
    const sent = await this.readRef(this.st.lastApiRequest);
    const sentModel = str(obj(sent?.params)?.model);
    if (sentModel) return sentModel;
    for (let i = chain.models.length - 1; i >= 0; i--) {
      const fallback = chain.models[i]!.fallbackModel;
      if (fallback) return fallback;
    }
    const answered = chain.requests.filter((r) => r.role !== 'refused').pop();
    if (answered) return answered.model;
    const last = chain.models[chain.models.length - 1];
    if (last) return last.model;
    const before = await this.readRef(this.st.requestAtLastUser ?? this.st.lastRequest);
    return str(obj(before?.message)?.model) ?? 'unknown';
  }

  /**
   * A refused request is logged with zero usage, yet it sent the whole context: the context of the request before
   * it (whose cache writes are now cache reads), that request's output, and the new user entry by the one token
   * estimator (src/core/tokens.ts, four bytes per token). Checked against Claude Code 2.1.328's usage figures in
   * test/fixtures/claude-code: within 1% (those figures are the stand-in's count, four bytes of request JSON a token).
   */
  private async estimateRefused(model: string, requestId?: string): Promise<LedgerRequest> {
    const before = await this.readRef(this.st.requestAtLastUser);
    const u = usageFromApi(obj(before?.message)?.usage);
    const added = this.st.open?.userContentBytes ?? 0;
    return {
      role: 'refused',
      model,
      ...(requestId ? { requestId } : {}),
      usage: { input: u.input + u.output + estimateBytesTokens(added), output: 0, cacheWrite: 0, cacheRead: u.cacheRead + u.cacheWrite },
      estimated: true,
    };
  }

  private async openChain(ev: RefusalEvent, o: Json, ref: LineRef, ts: string): Promise<ChainState> {
    const user = await this.readRef(this.st.lastUser);
    const prompt = this.st.lastPrompt === this.st.lastUser ? user : await this.readRef(this.st.lastPrompt);
    const chain: ChainState = {
      sessionId: str(o.sessionId) ?? str(user?.sessionId) ?? this.path.replace(/^.*[\\/]|\.jsonl$/g, ''),
      firstLine: ref.line,
      lastLine: ref.line,
      timestamp: ts,
      lastEventTimestamp: ts,
      kind: ev.kind ?? (ev.structural ? 'safeguards' : 'unrecognised'),
      message: '',
      messageIsStop: false,
      models: [],
      requests: [],
      costBefore: this.st.costAtLastUser,
      answered: false,
    };
    const promptUuid = str(prompt?.uuid);
    const userUuid = str(user?.uuid);
    const userTimestamp = str(user?.timestamp);
    const content = obj(user?.message)?.content;
    if (content !== undefined) chain.userContentBytes = Buffer.byteLength(JSON.stringify(content));
    const cwd = str(o.cwd) ?? str(user?.cwd);
    const version = str(o.version) ?? str(user?.version);
    if (promptUuid) chain.promptUuid = promptUuid;
    if (userUuid) chain.userUuid = userUuid;
    if (userTimestamp) chain.userTimestamp = userTimestamp;
    if (cwd) chain.cwd = cwd;
    if (version) chain.version = version;
    // Replies streamed to the refused request before the safeguards stopped it.
    for (const r of this.st.sinceUser) {
      const a = await this.readRef(r);
      const message = obj(a?.message);
      if (!a || !message) continue;
      const key = str(a.requestId) ?? str(message.id) ?? String(r.offset);
      const usage = usageFromApi(message.usage);
      const prev = chain.requests.find((q) => (q.requestId ?? q.messageId) === key);
      if (prev) prev.usage = maxUsage(prev.usage, usage);
      else
        chain.requests.push({
          role: 'refused',
          model: str(message.model) ?? 'unknown',
          ...(str(a.requestId) ? { requestId: str(a.requestId) } : {}),
          ...(str(message.id) ? { messageId: str(message.id) } : {}),
          usage,
          estimated: false,
        });
    }
    this.st.sinceUser = [];
    this.st.open = chain;
    return chain;
  }

  private finish(): void {
    const chain = this.st.open;
    if (!chain) return;
    this.st.open = undefined;
    this.entries.push(chainToEntry(chain, this.path, this.opts, true));
  }
}

/** The entry an open chain would give if the transcript ended here (shown, marked incomplete, until it ends). */
export function pendingEntry(state: ExtractState, path: string, options: ExtractOptions): LedgerEntry | undefined {
  return state.open ? chainToEntry(state.open, path, options, false) : undefined;
}

function chainToEntry(chain: ChainState, path: string, opts: ExtractOptions, complete: boolean): LedgerEntry {
  const usage = emptyUsage();
  const costByModel: Record<string, number> = {};
  let costUSD = 0;
  let costSource: LedgerEntry['costSource'] = 'price-table';
  const before = chain.costBefore;
  const after = chain.costAfter;
  if (before && after && after.totalCostUSD >= before.totalCostUSD) {
    costSource = 'cost-state';
    costUSD = after.totalCostUSD - before.totalCostUSD;
    for (const [model, a] of Object.entries(after.models)) {
      const b = before.models[model];
      const d: TokenUsage = {
        input: a.usage.input - (b?.usage.input ?? 0),
        output: a.usage.output - (b?.usage.output ?? 0),
        cacheWrite: a.usage.cacheWrite - (b?.usage.cacheWrite ?? 0),
        cacheRead: a.usage.cacheRead - (b?.usage.cacheRead ?? 0),
      };
      const c = a.costUSD - (b?.costUSD ?? 0);
      if (d.input || d.output || d.cacheWrite || d.cacheRead || c) {
        addUsage(usage, d);
        costByModel[model] = c;
      }
    }
  } else {
    for (const r of chain.requests) {
      addUsage(usage, r.usage);
      const c = priceUsage(r.usage, r.model, opts.prices);
      costByModel[r.model] = (costByModel[r.model] ?? 0) + c;
      costUSD += c;
    }
  }
  const start = Date.parse(chain.userTimestamp ?? chain.timestamp);
  const stop = Date.parse(chain.lastEventTimestamp);
  const models = chain.models.map(({ fromSystem: _s, fromAssistant: _a, ...m }) => m);
  const key = chain.promptUuid ?? chain.eventUserUuid ?? `line-${chain.firstLine}`;
  const refusedUserUuid = chain.promptUuid ?? chain.eventUserUuid;
  const entry: LedgerEntry = {
    id: recordId(chain.sessionId, key),
    kind: chain.kind,
    sessionId: chain.sessionId,
    transcript: path,
    line: chain.lastLine,
    timestamp: chain.timestamp,
    project: chain.cwd ?? opts.fallbackProject,
    models,
    message: chain.message,
    requests: chain.requests,
    usage,
    costUSD,
    costSource,
    costByModel,
    timeLostMs: Number.isFinite(start) && Number.isFinite(stop) ? Math.max(0, stop - start) : 0,
    sessionContinued: chain.answered,
    complete,
  };
  if (chain.userTimestamp) entry.promptTimestamp = chain.userTimestamp;
  if (refusedUserUuid) entry.refusedUserUuid = refusedUserUuid;
  if (chain.version) entry.claudeCodeVersion = chain.version;
  return entry;
}

/**
 * One entry per refused turn: a turn refused twice (a refusal, a fallback, tool calls, another refusal) gives two
 * chains with the same id; they are added up here, in transcript order.
 */
export function mergeTurns(entries: readonly LedgerEntry[]): LedgerEntry[] {
  const byId = new Map<string, LedgerEntry>();
  for (const e of entries) {
    const prev = byId.get(e.id);
    if (!prev) {
      byId.set(e.id, e);
      continue;
    }
    const costByModel = { ...prev.costByModel };
    for (const [m, c] of Object.entries(e.costByModel)) costByModel[m] = (costByModel[m] ?? 0) + c;
    byId.set(e.id, {
      ...prev,
      line: e.line,
      kind: e.kind,
      message: e.message,
      models: [...prev.models, ...e.models],
      requests: [...prev.requests, ...e.requests],
      usage: addUsage({ ...prev.usage }, e.usage),
      costUSD: prev.costUSD + e.costUSD,
      costByModel,
      costSource: prev.costSource === 'cost-state' && e.costSource === 'cost-state' ? 'cost-state' : 'price-table',
      timeLostMs: prev.timeLostMs + e.timeLostMs,
      sessionContinued: e.sessionContinued,
      complete: e.complete,
    });
  }
  return [...byId.values()];
}

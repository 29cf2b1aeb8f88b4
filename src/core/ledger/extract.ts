/**
 * The ledger's streaming pass over one transcript: finds refused turns and the tokens, cost and time they cost.
 *
 * Why a pass of its own rather than the detector's scanner: the ledger must resume from a byte offset (so a second
 * run reads only appended bytes) and needs usage and cost-state entries the detector does not keep. Whether a line
 * IS a refusal is still decided by the detector's signatures (the `recognise` function passed in), never here.
 *
 * Speed: a line is JSON.parse'd only when it may matter: a refusal candidate (structural markers below), a
 * cost-state snapshot, or a request inside an open refusal chain. Every other line is classified by a few byte
 * searches. The markers are raw JSON syntax (`"key":"value"` with unescaped quotes), which cannot occur inside a
 * JSON string value, so a transcript that quotes a refusal (a Read of another transcript) does not match them.
 * Lines we might need later (the user entry a refusal answers, the request before it) are kept as byte ranges and
 * read back only when a refusal turns up.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { RefusalKind, RefusingModel } from '../refusal/record';
import { priceUsage, type PriceTable } from './prices';
import { addUsage, emptyUsage, type LedgerEntry, type LedgerRequest, type TokenUsage } from './types';

/** What the detector's signatures read from a refusal text. */
export interface RecognisedRefusal {
  kind: RefusalKind;
  requestId?: string;
  category?: string;
  explanation?: string;
  /** Wire model id for the model the message names. */
  model?: string;
}

/** Decides whether a text the user saw is a refusal (the detector's signatures; see ./recognise.ts). */
export type RecogniseRefusal = (text: string) => RecognisedRefusal | undefined;

export interface LineRef {
  offset: number;
  length: number;
  line: number;
}

export interface CostSnapshot {
  totalCostUSD: number;
  models: Record<string, { usage: TokenUsage; costUSD: number }>;
}

interface ChainState {
  sessionId: string;
  refusedUserUuid?: string;
  promptTimestamp?: string;
  firstLine: number;
  lastLine: number;
  timestamp: string;
  lastEventTimestamp: string;
  kind: RefusalKind;
  message: string;
  cwd?: string;
  version?: string;
  models: Array<RefusingModel & { fromSystem?: boolean; fromAssistant?: boolean }>;
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
  lastUser?: LineRef;
  costAtLastUser: CostSnapshot | null;
  lastRequest?: LineRef;
  requestAtLastUser?: LineRef;
  /** Responses to the last user entry before any refusal (a response the safeguards stopped mid-stream). */
  sinceUser: LineRef[];
  open?: ChainState;
}

export function initialState(): ExtractState {
  return { offset: 0, line: 0, requestsTotal: 0, requestsSinceCost: 0, costAtLastUser: null, sinceUser: [] };
}

export interface ExtractOptions {
  recognise: RecogniseRefusal;
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
const M_USER = marker('"type":"user"');
const M_ASSISTANT = marker('"type":"assistant"');
const M_COST = marker('"type":"cost-state"');
const M_STOP_REFUSAL = marker('"stop_reason":"refusal"');
const M_API_ERROR = marker('"isApiErrorMessage":true');
const M_SYS_REFUSAL = marker('"subtype":"model_refusal_');
const M_INFO = marker('"subtype":"informational"');
const M_META = marker('"isMeta":true');
const M_SYNTHETIC = marker('"model":"<synthetic>"');
const MARKERS = [M_USER, M_ASSISTANT, M_COST, M_STOP_REFUSAL, M_API_ERROR, M_SYS_REFUSAL, M_INFO, M_META, M_SYNTHETIC];
const [USER, ASSISTANT, COST, STOP_REFUSAL, API_ERROR, SYS_REFUSAL, INFO, META, SYNTHETIC] = MARKERS.map((_, i) => i) as number[] as [
  number, number, number, number, number, number, number, number, number,
];

const SINCE_USER_CAP = 8;

/** One refused request as one transcript entry tells it. */
interface RefusalEvent extends Omit<RefusingModel, 'model'> {
  source: 'assistant' | 'system';
  /** Unknown on "<synthetic>" entries; then the session's current model. */
  model: string | undefined;
  refusedUserUuid?: string;
}

type Json = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
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

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b) => (obj(b) && typeof (b as Json).text === 'string' ? ((b as Json).text as string) : ''))
    .filter(Boolean)
    .join('\n');
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
  private readonly next = new Array<number>(MARKERS.length).fill(-1);

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
    let eof = false;
    while (!eof) {
      if (this.end === this.buf.length) {
        // A line longer than the buffer: grow it.
        const bigger = Buffer.allocUnsafe(this.buf.length * 2);
        this.buf.copy(bigger, 0, 0, this.end);
        this.buf = bigger;
      }
      const { bytesRead } = await this.fh.read(this.buf, this.end, this.buf.length - this.end, this.base + this.end);
      if (bytesRead === 0) eof = true;
      this.end += bytesRead;
      const consumed = await this.lines();
      // Keep the unfinished line at the front of the buffer for the next read.
      this.buf.copy(this.buf, 0, consumed, this.end);
      this.base += consumed;
      this.end -= consumed;
    }
    this.st.offset = this.base;
    return { state: this.st, entries: this.entries, bytesRead: this.base - start };
  }

  /** Handles every complete line in buf[0, end); returns the bytes consumed. */
  private async lines(): Promise<number> {
    const view = this.buf.subarray(0, this.end);
    this.next.fill(-1);
    let pos = 0;
    for (;;) {
      const nl = view.indexOf(10, pos);
      if (nl === -1) return pos;
      if (nl > pos) await this.line(view, pos, nl);
      this.st.line++;
      pos = nl + 1;
    }
  }

  private has(view: Buffer, m: number, start: number, end: number): boolean {
    let at = this.next[m]!;
    if (at !== -2 && at < start) {
      at = view.indexOf(MARKERS[m]!, start);
      // -2: no further occurrence in this chunk, stop searching.
      this.next[m] = at === -1 ? -2 : at;
    }
    return at >= start && at < end;
  }

  private async line(view: Buffer, start: number, end: number): Promise<void> {
    const ref: LineRef = { offset: this.base + start, length: end - start, line: this.st.line + 1 };
    if (this.has(view, COST, start, end)) {
      const o = this.parse(view, start, end);
      if (o) this.onCost(parseCostState(o));
      return;
    }
    if (this.has(view, SYS_REFUSAL, start, end) || this.has(view, INFO, start, end)) {
      const o = this.parse(view, start, end);
      if (o && o.type === 'system') await this.onSystem(o, ref);
      return;
    }
    const isUser = this.has(view, USER, start, end);
    const isAssistant = this.has(view, ASSISTANT, start, end);
    if (isAssistant && (!isUser || this.next[ASSISTANT]! < this.next[USER]!)) {
      if (this.has(view, STOP_REFUSAL, start, end) || this.has(view, API_ERROR, start, end)) {
        const o = this.parse(view, start, end);
        if (o) await this.onAssistantError(o, ref);
        return;
      }
      if (this.has(view, SYNTHETIC, start, end)) return;
      this.st.requestsTotal++;
      this.st.requestsSinceCost++;
      this.st.lastRequest = ref;
      if (this.st.open) {
        const o = this.parse(view, start, end);
        if (o) this.onAnswer(o);
      } else if (this.st.sinceUser.length < SINCE_USER_CAP) {
        this.st.sinceUser.push(ref);
      }
      return;
    }
    if (isUser && !this.has(view, META, start, end)) this.onUser(ref);
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

  private onUser(ref: LineRef): void {
    if (this.st.open) this.finish();
    const st = this.st;
    st.lastUser = ref;
    // A cost-state is a valid "before" only if no request ran since it; a session that made no request yet starts at 0.
    st.costAtLastUser =
      st.requestsSinceCost === 0 ? (st.lastCost ?? (st.requestsTotal === 0 ? { totalCostUSD: 0, models: {} } : null)) : null;
    st.requestAtLastUser = st.lastRequest;
    st.sinceUser = [];
  }

  private onAnswer(o: Json): void {
    const chain = this.st.open!;
    const message = obj(o.message) ?? {};
    const key = str(o.requestId) ?? str(message.id) ?? str(o.uuid) ?? '';
    if (chain.answered && key !== chain.answerKey) {
      // The next request after the answer is ordinary work, not caused by the refusal.
      this.finish();
      return;
    }
    const model = str(message.model) ?? 'unknown';
    const usage = usageFromApi(message.usage);
    const existing = chain.requests.find((r) => r.role !== 'refused' && (r.requestId ?? r.messageId) === key);
    if (existing) {
      // Claude Code writes one entry per content block of a response, each repeating the usage so far.
      existing.usage = maxUsage(existing.usage, usage);
    } else {
      const refusedModel = chain.models[chain.models.length - 1]?.model;
      chain.requests.push({
        role: model === refusedModel ? 'retry' : 'fallback',
        model,
        requestId: str(o.requestId),
        messageId: str(message.id),
        usage,
        estimated: false,
      });
    }
    chain.answered = true;
    chain.answerKey = key;
    chain.lastEventTimestamp = str(o.timestamp) ?? chain.lastEventTimestamp;
  }

  private async onAssistantError(o: Json, ref: LineRef): Promise<void> {
    const message = obj(o.message) ?? {};
    const text = textOf(message.content);
    const match = this.opts.recognise(text);
    // A structural refusal whose wording no signature knows yet still counts, as "unrecognised".
    if (!match && message.stop_reason !== 'refusal') return;
    const details = obj(message.stop_details) ?? {};
    const model = str(message.model);
    const real = model && model !== '<synthetic>' ? model : undefined;
    await this.onRefusal(o, ref, match?.kind ?? 'unrecognised', text, {
      source: 'assistant',
      model: real ?? match?.model,
      requestId: str(o.requestId) ?? match?.requestId,
      messageId: real ? str(message.id) : undefined,
      category: details.category === null ? null : (str(details.category) ?? match?.category),
      explanation: details.explanation === null ? null : (str(details.explanation) ?? match?.explanation),
    });
  }

  private async onSystem(o: Json, ref: LineRef): Promise<void> {
    const subtype = str(o.subtype) ?? '';
    const text = str(o.content) ?? '';
    if (subtype === 'informational') {
      // "X's safeguards stopped the response above · continuing once with that noted": a refusal only if the
      // signatures say so.
      const match = this.opts.recognise(text);
      if (match) await this.onRefusal(o, ref, match.kind, text, { source: 'system', model: match.model });
      return;
    }
    if (!subtype.startsWith('model_refusal_')) return;
    const kind = this.opts.recognise(text)?.kind ?? 'unrecognised';
    await this.onRefusal(o, ref, kind, text, {
      source: 'system',
      model: str(o.originalModel),
      requestId: str(o.requestId),
      category: o.apiRefusalCategory === null ? null : str(o.apiRefusalCategory),
      explanation: o.apiRefusalExplanation === null ? null : str(o.apiRefusalExplanation),
      fallbackModel: subtype === 'model_refusal_fallback' ? str(o.fallbackModel) : undefined,
      refusedUserUuid: str(o.refusedUserMessageUuid),
    });
  }

  private async onRefusal(
    o: Json,
    ref: LineRef,
    kind: RefusalKind,
    text: string,
    ev: RefusalEvent,
  ): Promise<void> {
    let chain = this.st.open;
    if (chain?.answered && !(ev.refusedUserUuid && ev.refusedUserUuid === chain.refusedUserUuid)) {
      this.finish();
      chain = undefined;
    }
    const ts = str(o.timestamp) ?? chain?.lastEventTimestamp ?? new Date(0).toISOString();
    if (!chain) chain = await this.openChain(o, ref, kind, text, ts);
    chain.answered = false;
    chain.lastLine = ref.line;
    chain.lastEventTimestamp = ts;
    if (ev.refusedUserUuid && !chain.refusedUserUuid) chain.refusedUserUuid = ev.refusedUserUuid;

    const flag = ev.source === 'system' ? 'fromSystem' : 'fromAssistant';
    const other = ev.source === 'system' ? 'fromAssistant' : 'fromSystem';
    const last = chain.models[chain.models.length - 1];
    // The same refused request is often logged twice: a "<synthetic>" assistant entry and a system entry.
    let same = ev.requestId ? chain.models.find((m) => m.requestId === ev.requestId) : undefined;
    if (!same && last && last[other] && !last[flag] && !(ev.requestId && last.requestId)) {
      same = last;
    }
    if (same) {
      same[flag] = true;
      same.requestId ??= ev.requestId;
      if (ev.model && same.model !== ev.model) {
        const req = chain.requests.find((r) => r.role === 'refused' && r.model === same!.model && r.requestId === same!.requestId);
        if (req) req.model = ev.model;
        same.model = ev.model;
      }
      if (ev.category !== undefined && same.category == null) same.category = ev.category;
      if (ev.explanation !== undefined && same.explanation == null) same.explanation = ev.explanation;
      if (ev.fallbackModel) same.fallbackModel = ev.fallbackModel;
      const req = chain.requests.find((r) => r.role === 'refused' && r.requestId === undefined && r.model === same!.model);
      if (req && same.requestId) req.requestId = same.requestId;
      return;
    }
    const model = ev.model ?? (await this.currentModel(chain));
    const entry: ChainState['models'][number] = { model, [flag]: true };
    if (ev.requestId) entry.requestId = ev.requestId;
    if (ev.messageId) entry.messageId = ev.messageId;
    if (ev.category !== undefined) entry.category = ev.category;
    if (ev.explanation !== undefined) entry.explanation = ev.explanation;
    if (ev.fallbackModel) entry.fallbackModel = ev.fallbackModel;
    chain.models.push(entry);
    // A stopped response that was streamed before the refusal has real usage; otherwise estimate it.
    const streamed = chain.requests.find((r) => r.role === 'refused' && !r.estimated && r.requestId && r.requestId === ev.requestId);
    if (!streamed) chain.requests.push(await this.estimateRefused(chain, model, ev.requestId));
  }

  private async currentModel(chain: ChainState): Promise<string> {
    for (let i = chain.models.length - 1; i >= 0; i--) {
      const m = chain.models[i]!;
      if (m.fallbackModel) return m.fallbackModel;
    }
    const answered = chain.requests.filter((r) => r.role !== 'refused').pop();
    if (answered) return answered.model;
    const last = chain.models[chain.models.length - 1];
    if (last) return last.model;
    const before = await this.readRef(this.st.requestAtLastUser ?? this.st.lastRequest);
    return str(obj(before?.message)?.model) ?? 'unknown';
  }

  /**
   * A refused request is logged with zero usage, yet it sent the whole context: estimate its input as what the
   * request before it sent (its cache writes become cache reads).
   */
  private async estimateRefused(chain: ChainState, model: string, requestId?: string): Promise<LedgerRequest> {
    const before = await this.readRef(this.st.requestAtLastUser);
    const u = usageFromApi(obj(before?.message)?.usage);
    void chain;
    return {
      role: 'refused',
      model,
      ...(requestId ? { requestId } : {}),
      usage: { input: u.input, output: 0, cacheWrite: 0, cacheRead: u.cacheRead + u.cacheWrite },
      estimated: true,
    };
  }

  private async openChain(o: Json, ref: LineRef, kind: RefusalKind, text: string, ts: string): Promise<ChainState> {
    const user = await this.readRef(this.st.lastUser);
    const chain: ChainState = {
      sessionId: str(o.sessionId) ?? str(user?.sessionId) ?? '',
      refusedUserUuid: str(user?.uuid),
      promptTimestamp: str(user?.timestamp),
      firstLine: ref.line,
      lastLine: ref.line,
      timestamp: ts,
      lastEventTimestamp: ts,
      kind,
      message: text,
      cwd: str(o.cwd) ?? str(user?.cwd),
      version: str(o.version) ?? str(user?.version),
      models: [],
      requests: [],
      costBefore: this.st.costAtLastUser,
      answered: false,
    };
    // Responses streamed to the refused request before the safeguards stopped it.
    const seen = new Map<string, LedgerRequest>();
    for (const r of this.st.sinceUser) {
      const a = await this.readRef(r);
      const message = obj(a?.message);
      if (!a || !message) continue;
      const key = str(a.requestId) ?? str(message.id) ?? String(r.offset);
      const usage = usageFromApi(message.usage);
      const prev = seen.get(key);
      if (prev) prev.usage = maxUsage(prev.usage, usage);
      else
        seen.set(key, {
          role: 'refused',
          model: str(message.model) ?? 'unknown',
          requestId: str(a.requestId),
          messageId: str(message.id),
          usage,
          estimated: false,
        });
    }
    chain.requests.push(...seen.values());
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
  if (before && after && after.totalCostUSD >= before.totalCostUSD && after !== before) {
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
  const start = Date.parse(chain.promptTimestamp ?? chain.timestamp);
  const stop = Date.parse(chain.lastEventTimestamp);
  const models = chain.models.map(({ fromSystem: _s, fromAssistant: _a, ...m }) => m);
  const entry: LedgerEntry = {
    id: `${chain.sessionId}:${chain.refusedUserUuid ?? `line-${chain.firstLine}`}`,
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
  if (chain.promptTimestamp) entry.promptTimestamp = chain.promptTimestamp;
  if (chain.refusedUserUuid) entry.refusedUserUuid = chain.refusedUserUuid;
  if (chain.version) entry.claudeCodeVersion = chain.version;
  return entry;
}

/**
 * From refusal events to refusal records: walk the parentUuid chain back to the turn's user prompt, group every
 * refusing request of one turn (a fallback chain) into one record, and list the parts of the refused request.
 *
 * Size: one walk of the parentUuid chain and the parts it collects; the steps share the walk's state.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { classifyEntry, type RefusalEvent } from '../refusal/classify';
import { contentText, type TranscriptEntry } from './entry';
import type { PartKind, RefusalKind, RefusalRecord, RefusingModel, RequestPart, SystemPromptSource } from '../refusal/record';
import { modelIdFromLabel, sameModel } from '../refusal/signatures';
import { bigValue, BIG_LINE, parseBigLine } from './bigLine';
import { countIn, countNewlines, findBackward, lineStartOf, parseLine, readLineFrom } from './jsonl';

export interface ChainEntry {
  entry: TranscriptEntry;
  /** 1-based line number. */
  line: number;
  /** Byte offset of the line start. */
  offset: number;
}

const MAX_WALK = 20_000;
const NL = 0x0a;
const API_REQUEST = Buffer.from('{"type":"api-request",');
const CACHE_LIMIT = 4_096;

/** An open transcript with what has been learned about it: uuid locations and a line-number checkpoint. */
export class TranscriptFile {
  private readonly entries = new Map<string, ChainEntry>();
  /** A known (offset of a line start -> its 1-based line number) pair; the scanner keeps it current for free. */
  checkpoint: { offset: number; line: number } | undefined;

  private handle: FileHandle | undefined;

  /** The tailer opens a transcript only while it reads it (thousands of files, few descriptors), so fh can change. */
  constructor(
    readonly path: string,
    fh?: FileHandle,
  ) {
    this.handle = fh;
  }

  get fh(): FileHandle {
    if (!this.handle) throw new Error(`${this.path} is not open`);
    return this.handle;
  }

  set fh(fh: FileHandle) {
    this.handle = fh;
  }

  /**
   * The region the scanner is looking at (complete lines from file offset `base`): ancestors of a refusal are
   * mostly in it, so they are found and counted in memory rather than read again.
   */
  window: { buffer: Buffer; base: number; end: number } | undefined;

  private inWindow(offset: number): boolean {
    const w = this.window;
    return w !== undefined && offset >= w.base && offset <= w.base + w.end;
  }

  /** 1-based line number of the line starting at `offset`, counting only from the nearest known point. */
  async lineNumberAt(offset: number): Promise<number> {
    const cp = this.checkpoint;
    let line: number;
    const w = this.window;
    if (cp && w && this.inWindow(offset) && this.inWindow(cp.offset)) {
      line = offset >= cp.offset ? cp.line + countIn(w.buffer, cp.offset - w.base, offset - w.base) : cp.line - countIn(w.buffer, offset - w.base, cp.offset - w.base);
    } else if (!cp) line = 1 + (await countNewlines(this.fh, 0, offset));
    else if (offset >= cp.offset) line = cp.line + (await countNewlines(this.fh, cp.offset, offset));
    else line = cp.line - (await countNewlines(this.fh, offset, cp.offset));
    if (!cp || offset > cp.offset) this.checkpoint = { offset, line };
    return line;
  }

  remember(uuid: string, at: ChainEntry): void {
    if (this.entries.size >= CACHE_LIMIT) this.entries.clear();
    this.entries.set(uuid, at);
  }

  /** Find the entry with this uuid, written before `before` (a byte offset), reading back only as far as needed. */
  async locate(uuid: string, before: number): Promise<ChainEntry | undefined> {
    const cached = this.entries.get(uuid);
    if (cached) return cached;
    const needle = Buffer.from(`"uuid":"${uuid}"`);
    let end = before;
    while (end > 0) {
      let start: number;
      let bytes: Buffer;
      const w = this.window;
      if (w && this.inWindow(end) && end > w.base) {
        // In memory. The window starts at a line start, so a miss here means "earlier than the window".
        const hit = w.buffer.lastIndexOf(needle, end - w.base - needle.length);
        if (hit < 0) {
          end = w.base;
          continue;
        }
        const lineStart = hit === 0 ? 0 : w.buffer.lastIndexOf(NL, hit - 1) + 1;
        let lineEnd = w.buffer.indexOf(NL, hit);
        if (lineEnd < 0 || lineEnd > w.end) lineEnd = w.end;
        start = w.base + lineStart;
        bytes = w.buffer.subarray(lineStart, lineEnd);
      } else {
        const hit = await findBackward(this.fh, needle, end);
        if (hit < 0) return undefined;
        start = await lineStartOf(this.fh, hit);
        bytes = (await readLineFrom(this.fh, start)).bytes;
      }
      // A 50 MB line is parsed with its big values cut out (bigLine.ts): bytes, text and parsed value at once
      // would be 150 MB.
      const entry = (bytes.length > BIG_LINE ? parseBigLine(bytes) : parseLine(bytes)) as TranscriptEntry | undefined;
      // The same uuid can be quoted inside a later entry (a sub-agent result); only the entry that owns it counts.
      if (entry?.uuid === uuid) {
        const found = { entry, offset: start, line: await this.lineNumberAt(start) };
        this.remember(uuid, found);
        return found;
      }
      end = start;
    }
    return undefined;
  }

  /** Entries from the turn's user prompt down to `uuid`, in the order they were written. */
  async walkToPrompt(uuid: string, before: number): Promise<{ chain: ChainEntry[]; prompt?: ChainEntry }> {
    const chain: ChainEntry[] = [];
    let next: string | undefined = uuid;
    let limit = before;
    for (let steps = 0; next && steps < MAX_WALK; steps++) {
      const found = await this.locate(next, limit);
      if (!found) break;
      chain.push(found);
      if (isTurnPrompt(found.entry)) return { chain: chain.reverse(), prompt: found };
      next = typeof found.entry.parentUuid === 'string' ? found.entry.parentUuid : undefined;
      limit = found.offset;
    }
    return { chain: chain.reverse() };
  }

  /**
   * The model an API error that names none was sent to: the `api-request` entry Claude Code wrote for that request
   * (2.1.3xx), else the model attachment or the nearest earlier real reply in the chain (older versions).
   */
  async modelBefore(from: ChainEntry, maxSteps = 200): Promise<string | undefined> {
    const request = await findBackward(this.fh, API_REQUEST, from.offset, Math.max(0, from.offset - 4 * 1024 * 1024));
    if (request >= 0) {
      const line = await readLineFrom(this.fh, await lineStartOf(this.fh, request));
      const params = (parseLine(line.bytes) as { params?: { model?: unknown } } | undefined)?.params;
      if (typeof params?.model === 'string') return params.model;
    }
    let current: ChainEntry | undefined = from;
    for (let steps = 0; current && steps < maxSteps; steps++) {
      const { entry } = current;
      const model = entry.type === 'assistant' ? entry.message?.model : undefined;
      if (model && model !== '<synthetic>') return model;
      const identity = (entry.attachment as { type?: string; identity?: { modelId?: unknown } } | undefined)?.identity;
      if (entry.type === 'attachment' && typeof identity?.modelId === 'string') return identity.modelId;
      const parent: unknown = current.entry.parentUuid;
      current = typeof parent === 'string' ? await this.locate(parent, current.offset) : undefined;
    }
    return undefined;
  }
}

/** A user entry that starts a turn: typed by the person, not a tool result, reminder or compaction summary. */
export function isTurnPrompt(entry: TranscriptEntry): boolean {
  if (entry.type !== 'user' || entry.isMeta === true || entry.isCompactSummary === true) return false;
  const content = entry.message?.content;
  if (typeof content === 'string') return true;
  if (!Array.isArray(content)) return false;
  let text = false;
  for (const block of content) {
    const type = (block as { type?: unknown } | null)?.type;
    if (type === 'tool_result') return false;
    if (type === 'text' || type === 'image' || type === 'document') text = true;
  }
  return text;
}

export interface Turn {
  key: string;
  events: Array<{ event: RefusalEvent; at: ChainEntry }>;
  chain: ChainEntry[];
  prompt?: ChainEntry;
}

/** Groups refusal events by the user turn they refused. */
export class TurnAssembler {
  readonly turns = new Map<string, Turn>();

  constructor(readonly file: TranscriptFile) {}

  /** Classify a parsed entry and, when it is a refusal, add it to its turn. Returns the turn, or undefined. */
  async addEntry(entry: TranscriptEntry, at: ChainEntry): Promise<Turn | undefined> {
    const event = classifyEntry(entry);
    return event ? this.add(event, at) : undefined;
  }

  async add(event: RefusalEvent, at: ChainEntry): Promise<Turn> {
    const start = event.refusedUserUuid ?? event.parentUuid;
    const walked = start ? await this.file.walkToPrompt(start, at.offset) : { chain: [] as ChainEntry[] };
    const key = walked.prompt?.entry.uuid ?? start ?? at.entry.uuid ?? `line-${at.line}`;
    let turn = this.turns.get(key);
    if (!turn) {
      turn = { key, events: [], chain: walked.chain, prompt: walked.prompt };
      this.turns.set(key, turn);
    } else if (walked.chain.length >= turn.chain.length) {
      // The later refused request carries the longer history (more tool results after a fallback).
      turn.chain = walked.chain;
      turn.prompt = walked.prompt ?? turn.prompt;
    }
    if (!turn.events.some((e) => e.at.offset === at.offset)) turn.events.push({ event, at });
    return turn;
  }

  take(key: string): Turn | undefined {
    const turn = this.turns.get(key);
    this.turns.delete(key);
    return turn;
  }

  takeAll(): Turn[] {
    const all = [...this.turns.values()];
    this.turns.clear();
    return all.sort((a, b) => lastLine(a) - lastLine(b));
  }
}

function lastLine(turn: Turn): number {
  return Math.max(...turn.events.map((e) => e.at.line));
}

export function recordId(sessionId: string, key: string): string {
  return createHash('sha256').update(`${sessionId}\n${key}`).digest('hex').slice(0, 16);
}

/** Merge a turn's events (in transcript order) into the list of refusing requests. */
function mergeModels(events: RefusalEvent[]): Array<RefusingModel & { label?: string }> {
  const models: Array<RefusingModel & { label?: string }> = [];
  for (const event of events) {
    const last = models.at(-1);
    const sameRequest = last && event.requestId && last.requestId === event.requestId;
    const compatible =
      last &&
      (!event.requestId || !last.requestId) &&
      (sameModelAs(last, event) || (!event.model && !event.modelLabel) || (!last.model && !last.label));
    const target = sameRequest || compatible ? last : undefined;
    const item = target ?? ({ model: '' } as RefusingModel & { label?: string });
    if (event.model && (!item.model || item.model.startsWith('label:'))) item.model = event.model;
    if (event.modelLabel && !item.label) item.label = event.modelLabel;
    item.requestId ??= event.requestId;
    item.messageId ??= event.messageId;
    if (item.category == null && event.category != null) item.category = event.category;
    else if (item.category === undefined) item.category = event.category ?? undefined;
    if (item.explanation == null && event.explanation != null) item.explanation = event.explanation;
    item.fallbackModel ??= event.fallbackModel;
    if (!target) models.push(item);
  }
  return models;
}

function sameModelAs(model: RefusingModel & { label?: string }, event: RefusalEvent): boolean {
  if (model.model && event.model) return model.model === event.model;
  if (model.model && event.modelLabel) return sameModel(model.model, event.modelLabel);
  if (model.label && event.model) return sameModel(event.model, model.label);
  if (model.label && event.modelLabel) return model.label === event.modelLabel;
  return false;
}

function clean<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) if (value[key] === undefined) delete value[key];
  return value;
}

/** Build the record for a finished turn. */
export async function buildRecord(file: TranscriptFile, turn: Turn): Promise<RefusalRecord> {
  const events = [...turn.events].sort((a, b) => a.at.offset - b.at.offset);
  const last = events[events.length - 1];
  const merged = mergeModels(events.map((e) => e.event));
  const models: RefusingModel[] = [];
  for (const m of merged) {
    let model = m.model || (m.label ? modelIdFromLabel(m.label) : '');
    if (!model) model = (await file.modelBefore(last.at)) ?? 'unknown';
    const { label: _label, ...rest } = m;
    models.push(clean({ ...rest, model }));
  }
  // What the user saw: the final stop message when there is one, else the fallback notice.
  const withText = events.filter((e) => e.event.message);
  const shown = [...withText].reverse().find((e) => e.event.effect === 'stop') ?? withText.at(-1);
  const message = shown?.event.message ?? '';
  let kind: RefusalKind;
  if (shown?.event.kind) kind = shown.event.kind;
  else if (events.some((e) => e.event.structural)) kind = 'safeguards';
  else kind = 'unrecognised';
  const entry = last.at.entry;
  const sessionId =
    entry.sessionId ?? events.find((e) => e.at.entry.sessionId)?.at.entry.sessionId ?? file.path.replace(/^.*[\\/]|\.jsonl$/g, '');
  const { parts, prompt } = extractParts(turn);
  const system = await findSystemPrompt(file, turn);
  const record: RefusalRecord = {
    id: recordId(sessionId, turn.key),
    kind,
    sessionId,
    transcript: file.path,
    line: last.at.line,
    timestamp: entry.timestamp ?? turn.prompt?.entry.timestamp ?? new Date(0).toISOString(),
    cwd: entry.cwd ?? turn.prompt?.entry.cwd,
    claudeCodeVersion: entry.version ?? turn.prompt?.entry.version,
    models,
    message,
    refusedUserUuid: turn.prompt?.entry.uuid ?? events[0].event.refusedUserUuid,
    refusedPrompt: prompt,
    parts,
    system,
    sessionContinued: events.every((e) => e.event.effect === 'fallback'),
  };
  if (events.some((e) => e.event.scope === 'session')) record.scope = 'session';
  else if (events.some((e) => e.event.scope === 'message')) record.scope = 'message';
  // Structure said refusal but no text matched a known generation: say so, with the text, so it can be added.
  const novel = events.find((e) => e.event.message && e.event.message.trim() !== '' && (!e.event.match || e.event.match.generation === 'unknown'));
  if (novel) record.unrecognisedWording = novel.event.message;
  return clean(record);
}

// ---- system prompt ----

const SNAPSHOT_POINTER = '/attachment/systemPrompt';
/** Entries walked back past the turn's prompt for a snapshot (Claude Code writes one only when the prompt changes). */
const MAX_SNAPSHOT_WALK = 5_000;

/**
 * The first system block Claude Code sends, by entrypoint, for a snapshot without `cliPrefix` (2.1.328 writes it only
 * in later snapshots of a session; the api-request-shape entries of the fixtures show these two).
 */
const CLI_PREFIX: Readonly<Record<string, string>> = {
  cli: "You are Claude Code, Anthropic's official CLI for Claude.",
  'sdk-cli': "You are a Claude agent, built on Anthropic's Claude Agent SDK.",
};

/**
 * The system blocks a `prompt_snapshot` attachment stands for, as Claude Code sends them, or undefined for any other
 * entry. On the wire (the api-request-shape entries of 2.1.328 and 2.1.332) they are two text blocks: the one-line
 * identity (`cliPrefix`), then the snapshot's sections joined by a blank line.
 */
export function systemPromptBlocks(entry: TranscriptEntry): string[] | undefined {
  const attachment = entry.attachment as { type?: unknown; systemPrompt?: unknown; cliPrefix?: unknown } | undefined;
  if (entry.type !== 'attachment' || attachment?.type !== 'prompt_snapshot') return undefined;
  const sections = attachment.systemPrompt;
  if (!Array.isArray(sections) || sections.length === 0 || !sections.every((s): s is string => typeof s === 'string')) return undefined;
  const body = sections.join('\n\n');
  const prefix = typeof attachment.cliPrefix === 'string' ? attachment.cliPrefix : typeof entry.entrypoint === 'string' ? CLI_PREFIX[entry.entrypoint] : undefined;
  return prefix ? [prefix, body] : [body];
}

/** The same prompt as one text, its blocks joined by a blank line: what the refusal record's size and sha256 digest. */
export function systemPromptText(entry: TranscriptEntry): string | undefined {
  return systemPromptBlocks(entry)?.join('\n\n');
}

function systemSource(at: ChainEntry, text: string): SystemPromptSource {
  return { source: { line: at.line, pointer: SNAPSHOT_POINTER, offset: at.offset }, ...digestText(text) };
}

/**
 * The system prompt of the refused request: the nearest prompt snapshot among the ancestors of the turn's first
 * refusal (the request the first model refused). The walk goes on past the turn's prompt: Claude Code writes a
 * snapshot only when the prompt changes, so a later turn of a session often has none of its own.
 */
export async function findSystemPrompt(file: TranscriptFile, turn: Pick<Turn, 'events'>): Promise<SystemPromptSource | undefined> {
  let current: ChainEntry | undefined = [...turn.events].sort((a, b) => a.at.offset - b.at.offset)[0]?.at;
  for (let steps = 0; current && steps < MAX_SNAPSHOT_WALK; steps++) {
    const text = systemPromptText(current.entry);
    if (text !== undefined) return systemSource(current, text);
    const parent: unknown = current.entry.parentUuid;
    current = typeof parent === 'string' ? await file.locate(parent, current.offset) : undefined;
  }
  return undefined;
}

// ---- parts ----

interface ToolUse {
  name?: string;
  input?: Record<string, unknown>;
}

function digestBytes(bytes: Buffer): { size: number; sha256: string } {
  return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

const DIGEST_SLICE = 1 << 20;

/**
 * Size and sha256 of a text's UTF-8 bytes, hashed a slice at a time so a 50 MB tool result is not copied into one
 * more 50 MB buffer. A slice never ends between the two halves of a surrogate pair.
 */
export function digestText(text: string): { size: number; sha256: string } {
  if (text.length <= DIGEST_SLICE) return digestBytes(Buffer.from(text, 'utf8'));
  const hash = createHash('sha256');
  for (let at = 0; at < text.length; ) {
    let end = Math.min(text.length, at + DIGEST_SLICE);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    hash.update(text.slice(at, end), 'utf8');
    at = end;
  }
  return { size: Buffer.byteLength(text, 'utf8'), sha256: hash.digest('hex') };
}

/** The text a part stands for: the string at the pointer, or the JSON of a structured value. */
export function partText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

/** Bytes for hashing and sizing: decoded base64 for images and documents, UTF-8 text otherwise. */
export function partBytes(kind: PartKind, text: string, base64: boolean): Buffer {
  return base64 && (kind === 'image' || kind === 'document') ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
}

export function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let value: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Sliced before it is flattened: a tool result can be 50 MB, and a whole-text replace would copy all of it. */
function preview(text: string): string {
  const flat = text.slice(0, 400).replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}

function filePathOf(input: Record<string, unknown> | undefined): string | undefined {
  for (const key of ['file_path', 'notebook_path', 'path']) {
    const value = input?.[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

function reminderOrPrompt(text: string, meta: boolean): PartKind {
  return meta || /^\s*<system-reminder>/.test(text) ? 'system_reminder' : 'prompt';
}

/** The parts of the refused request, in order: the turn's prompt, then what followed it in the turn. */
export function extractParts(turn: Pick<Turn, 'chain' | 'prompt'>): { parts: RequestPart[]; prompt?: string } {
  const parts: RequestPart[] = [];
  const toolUses = new Map<string, ToolUse>();
  const promptTexts: string[] = [];
  const push = (at: ChainEntry, pointer: string, kind: PartKind, extra: Partial<RequestPart> = {}, base64 = false): void => {
    const raw = valueAt(at.entry, pointer);
    const big = bigValue(raw);
    const text = big ? big.head : partText(raw);
    const { size, sha256 } = big ? ((base64 && big.base64) || big) : base64 ? digestBytes(partBytes(kind, text, base64)) : digestText(text);
    parts.push(
      clean({
        index: parts.length,
        kind,
        size,
        sha256,
        ...extra,
        source: { line: at.line, pointer, offset: at.offset },
        preview: base64 ? `${extra.mediaType ?? kind} ${size} bytes` : preview(text),
      }),
    );
    if (at === turn.prompt && kind === 'prompt') promptTexts.push(text);
  };
  const media = (at: ChainEntry, pointer: string, block: Record<string, unknown>, extra: Partial<RequestPart>): void => {
    const kind: PartKind = block.type === 'image' ? 'image' : 'document';
    const source = block.source as { type?: string; data?: unknown; media_type?: string } | undefined;
    const mediaType = source?.media_type;
    if (source?.type === 'base64' && typeof source.data === 'string') push(at, `${pointer}/source/data`, kind, { ...extra, mediaType }, true);
    else if (source?.type === 'text' && typeof source.data === 'string') push(at, `${pointer}/source/data`, kind, { ...extra, mediaType });
    else push(at, pointer, kind, { ...extra, mediaType });
  };

  for (const at of turn.chain) {
    const { entry } = at;
    if (entry.turnCompanion === true || entry.isVirtual === true) continue;
    const content = entry.message?.content;
    if (entry.type === 'assistant' && Array.isArray(content)) {
      for (const block of content as Array<Record<string, unknown>>) {
        if (block?.type === 'tool_use' && typeof block.id === 'string') {
          toolUses.set(block.id, { name: typeof block.name === 'string' ? block.name : undefined, input: block.input as Record<string, unknown> });
        }
      }
    } else if (entry.type === 'user') {
      const meta = entry.isMeta === true;
      if (typeof content === 'string') {
        push(at, '/message/content', reminderOrPrompt(content, meta));
      } else if (Array.isArray(content)) {
        (content as Array<Record<string, unknown>>).forEach((block, i) => {
          const pointer = `/message/content/${i}`;
          if (block?.type === 'text' && typeof block.text === 'string') {
            push(at, `${pointer}/text`, reminderOrPrompt(block.text, meta));
          } else if (block?.type === 'image' || block?.type === 'document') {
            media(at, pointer, block, {});
          } else if (block?.type === 'tool_result') {
            const toolUseId = typeof block.tool_use_id === 'string' ? block.tool_use_id : undefined;
            const use = toolUseId ? toolUses.get(toolUseId) : undefined;
            const extra: Partial<RequestPart> = { toolName: use?.name, toolUseId, filePath: filePathOf(use?.input) };
            if (Array.isArray(block.content)) {
              (block.content as Array<Record<string, unknown>>).forEach((inner, j) => {
                if (inner?.type === 'text') push(at, `${pointer}/content/${j}/text`, 'tool_result', extra);
                else if (inner?.type === 'image' || inner?.type === 'document') media(at, `${pointer}/content/${j}`, inner, extra);
              });
            } else {
              push(at, `${pointer}/content`, 'tool_result', extra);
            }
          }
        });
      }
    } else if (entry.type === 'attachment' && entry.attachment !== undefined) {
      const attachment = entry.attachment as Record<string, unknown>;
      const filePath = ['filename', 'path', 'file_path'].map((k) => attachment?.[k]).find((v) => typeof v === 'string') as string | undefined;
      // Kept so attribution can tell Claude Code's own reminders (environment, model, date...) from what the user attached.
      const attachmentType = typeof attachment?.type === 'string' ? attachment.type : undefined;
      if (Array.isArray(entry.rendered)) {
        // 2.1.328 stores what the model was shown for each attachment (system reminders); bookkeeping attachments
        // without `rendered` (prompt snapshots, session context) never reach the model.
        (entry.rendered as Array<Record<string, unknown>>).forEach((item, i) => {
          if (typeof item?.content === 'string') push(at, `/rendered/${i}/content`, 'attachment', { filePath, attachmentType });
        });
      } else if (entry.rendered === undefined && !('snapshot' in attachment || 'systemPrompt' in attachment || 'context' in attachment)) {
        // Older versions: the attachment's own text, or its JSON.
        push(at, typeof attachment?.content === 'string' ? '/attachment/content' : '/attachment', 'attachment', { filePath, attachmentType });
      }
    }
  }
  const prompt = turn.prompt ? promptTexts.join('\n') : undefined;
  return { parts, prompt: prompt ?? (turn.prompt ? contentText(turn.prompt.entry.message?.content) : undefined) };
}

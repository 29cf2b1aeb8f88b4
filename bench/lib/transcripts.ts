/**
 * A generated Claude Code transcript tree for bench:detect, shaped like 2.1.328 output: user prompts with rendered
 * attachments, api-request lines, Read tool calls with line-numbered results, assistant replies, cost-state, and
 * planted among them: refused turns (retry notice, model_refusal_fallback, model_refusal_no_fallback, synthetic
 * refusal), prompts and replies that merely quote a refusal, and non-refusal API errors. Deterministic.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from './random';

const { rnd, between } = seededRandom(7);

const WORDS = 'const let function return if else for while import export from await async class new this value result error file path buffer line index'.split(' ');
let filler = '';
while (filler.length < 512 * 1024) filler += `${WORDS[between(0, WORDS.length)]}${rnd() < 0.1 ? '\n' : ' '}`;
const text = (n: number): string => {
  const at = between(0, filler.length - n - 1);
  return filler.slice(at, at + n);
};
const numbered = (n: number): string =>
  text(n)
    .split('\n')
    .map((line, i) => `${i + 1}\t${line}`)
    .join('\n');

const REFUSAL =
  "API Error: Opus 4.8's safeguards flagged this message. Our intentionally broad safeguards allow us to deliver more capabilities faster, but can sometimes flag legitimate cybersecurity work. Learn more: https://support.claude.com/en/articles/14604842-real-time-cyber-safeguards-on-claude\n\nDetails: `[cyber]`\n\nRequest ID: req_BENCH\n\nMessage ID: msg_BENCH";
const NOTICE =
  "Opus 5.5's safeguards flagged this session. Opus 4.8 is answering instead, or you can edit and retry with Opus 5.5. You can learn more: https://support.claude.com/en/articles/8106465\n\nDetails: `[cyber]`";

export class SessionWriter {
  private last: string | null = null;
  private n = 0;
  private clock = Date.parse('2026-11-01T00:00:00Z');
  constructor(
    readonly sessionId: string,
    private readonly cwd: string,
  ) {}

  private uuid(): string {
    this.n++;
    return `${this.sessionId.slice(0, 8)}-0000-4000-8000-${this.n.toString(16).padStart(12, '0')}`;
  }

  entry(fields: Record<string, unknown>, chained = true): string {
    this.clock += 1500;
    const base = { sessionId: this.sessionId, timestamp: new Date(this.clock).toISOString() };
    if (!chained) return `${JSON.stringify({ ...fields, ...base })}\n`;
    const uuid = this.uuid();
    const line = JSON.stringify({ parentUuid: this.last, isSidechain: false, ...fields, uuid, userType: 'external', entrypoint: 'cli', cwd: this.cwd, version: '2.1.328', gitBranch: 'main', ...base });
    this.last = uuid;
    return `${line}\n`;
  }

  /** An ordinary turn: prompt, attachments, a Read, its result, a reply, bookkeeping. */
  turn(prompt?: string): string {
    const parts: string[] = [];
    parts.push(this.entry({ type: 'user', message: { role: 'user', content: prompt ?? text(between(60, 400)) } }));
    parts.push(this.entry({ type: 'attachment', attachment: { type: 'date', date: '2026-11-01' }, rendered: [{ content: "<system-reminder>\nToday's date is 2026-11-01.\n</system-reminder>" }], renderedRole: 'system' }));
    parts.push(this.entry({ type: 'api-request', id: this.uuid(), params: { model: 'claude-opus-5-5', max_tokens: 128000, betas: ['claude-code-20250219'] } }, false));
    const id = `toolu_${this.n}`;
    parts.push(this.entry({ type: 'assistant', requestId: `req_${this.n}`, message: { id: `msg_${this.n}`, role: 'assistant', model: 'claude-opus-5-5', content: [{ type: 'tool_use', id, name: 'Read', input: { file_path: `${this.cwd}/src/file${this.n}.ts` } }], stop_reason: 'tool_use', usage: { input_tokens: between(1000, 90000), output_tokens: between(10, 900) } } }));
    parts.push(this.entry({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: numbered(between(1500, 24000)) }] } }));
    parts.push(this.entry({ type: 'assistant', requestId: `req_${this.n}`, message: { id: `msg_${this.n}`, role: 'assistant', model: 'claude-opus-5-5', content: [{ type: 'text', text: text(between(300, 3000)) }], stop_reason: 'end_turn', usage: { input_tokens: between(1000, 90000), output_tokens: between(10, 900) } } }));
    parts.push(this.entry({ type: 'cost-state', totalCostUSD: rnd() * 10 }, false));
    return parts.join('');
  }

  /** A refused turn as 2.1.328 writes it: one record expected. `fileText`: what the Read returned (default: a few KB). */
  refused(prompt: string, fileText?: string): string {
    const parts: string[] = [];
    parts.push(this.entry({ type: 'user', message: { role: 'user', content: prompt } }));
    const promptUuid = this.last;
    const id = `toolu_${this.n}`;
    parts.push(this.entry({ type: 'assistant', requestId: `req_${this.n}`, message: { id: `msg_${this.n}`, role: 'assistant', model: 'claude-opus-5-5', content: [{ type: 'tool_use', id, name: 'Read', input: { file_path: `${this.cwd}/notes.txt` } }], stop_reason: 'tool_use' } }));
    parts.push(this.entry({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: fileText ?? numbered(between(1000, 8000)) }] } }));
    parts.push(this.entry({ type: 'system', subtype: 'informational', content: "Opus 5.5's safeguards stopped the response above · continuing once with that noted", level: 'notice', isMeta: false }));
    parts.push(this.entry({ type: 'system', subtype: 'model_refusal_fallback', content: NOTICE, level: 'warning', trigger: 'refusal', direction: 'retry', scope: 'session', originalModel: 'claude-opus-5-5', fallbackModel: 'claude-opus-4-8', requestId: `req_fb${this.n}`, apiRefusalCategory: 'cyber', apiRefusalExplanation: 'cyber', retractedMessageUuids: [], refusedUserMessageUuid: promptUuid, isMeta: false }));
    const requestId = `req_nf${this.n}`;
    parts.push(this.entry({ type: 'system', subtype: 'model_refusal_no_fallback', content: '', level: 'warning', originalModel: 'claude-opus-4-8', requestId, apiRefusalCategory: 'cyber', apiRefusalExplanation: 'cyber', refusedUserMessageUuid: promptUuid, isMeta: false }));
    parts.push(this.entry({ type: 'assistant', requestId, isApiErrorMessage: true, error: 'invalid_request', refusingModel: 'claude-opus-4-8', message: { id: `s${this.n}`, role: 'assistant', model: '<synthetic>', content: [{ type: 'text', text: REFUSAL.replace('req_BENCH', requestId) }], stop_reason: 'refusal', stop_details: { type: 'refusal', category: 'cyber', explanation: 'cyber' } } }));
    return parts.join('');
  }

  /** Lines that pass the byte prefilter but are not refusals: a quoted message, a quoting reply, a rate limit. */
  decoys(): string {
    return (
      this.entry({ type: 'user', message: { role: 'user', content: `Why did I get this? ${REFUSAL}` } }) +
      this.entry({ type: 'assistant', message: { id: `msg_q${this.n}`, role: 'assistant', model: 'claude-opus-5-5', content: [{ type: 'text', text: `${REFUSAL}\nmeans the safeguards flagged your message.` }], stop_reason: 'end_turn' } }) +
      this.entry({ type: 'assistant', isApiErrorMessage: true, apiErrorStatus: 429, error: 'rate_limit', message: { id: `e${this.n}`, role: 'assistant', model: '<synthetic>', content: [{ type: 'text', text: 'API Error: 429 {"type":"error","error":{"type":"rate_limit_error","message":"rate limited"}}' }], stop_reason: 'stop_sequence' } })
    );
  }
}

export interface GeneratedTree {
  projectsDir: string;
  bytes: number;
  files: string[];
  refusals: number;
}

/** Write `totalBytes` of transcripts under `root/projects`: one file of `bigBytes`, the rest spread over many. */
export function generateTree(root: string, totalBytes: number, bigBytes: number, refusalEvery = 40): GeneratedTree {
  const projectsDir = join(root, 'projects');
  const files: string[] = [];
  let bytes = 0;
  let refusals = 0;
  let turns = 0;
  const sizes = [bigBytes];
  for (let rest = totalBytes - bigBytes; rest > 0; ) {
    const size = Math.min(rest, between(60_000, 600_000));
    sizes.push(size);
    rest -= size;
  }
  sizes.forEach((size, i) => {
    const project = `-home-dev-project${i % 40}`;
    const sessionId = `${(0x10000000 + i).toString(16)}-aaaa-4bbb-8ccc-${String(i).padStart(12, '0')}`;
    const dir = i % 10 === 9 ? join(projectsDir, project, sessionId, 'subagents') : join(projectsDir, project);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, i % 10 === 9 ? `agent-${i}.jsonl` : `${sessionId}.jsonl`);
    const session = new SessionWriter(sessionId, `/home/dev/project${i % 40}`);
    const fd = openSync(path, 'w');
    let written = 0;
    let pending = '';
    while (written + pending.length < size) {
      turns++;
      if (turns % refusalEvery === 0) {
        pending += session.refused(`bench refused turn ${refusals}`);
        refusals++;
      } else if (turns % 97 === 0) {
        pending += session.decoys();
      } else {
        pending += session.turn();
      }
      if (pending.length > 1 << 20) {
        written += writeSync(fd, pending);
        pending = '';
      }
    }
    if (pending) written += writeSync(fd, pending);
    closeSync(fd);
    bytes += written;
    files.push(path);
  });
  return { projectsDir, bytes, files, refusals };
}

/** Line-numbered file text of about `bytes` bytes, as a Read returns it, built without one giant intermediate copy. */
export function numberedFile(bytes: number): string {
  const pieces: string[] = [];
  let size = 0;
  for (let i = 1; size < bytes; i++) {
    const line = `${i}\t${filler.slice((i * 131) % (filler.length - 200), ((i * 131) % (filler.length - 200)) + 60 + (i % 80)).replace(/\n/g, ' ')}`;
    pieces.push(line);
    size += line.length + 1;
  }
  return pieces.join('\n');
}

/** One transcript: two ordinary turns, then a refused turn whose Read returned `toolResultBytes` of text. */
export function generateBigTurn(root: string, toolResultBytes: number): { projectsDir: string; toolResultBytes: number } {
  const projectsDir = join(root, 'projects');
  const dir = join(projectsDir, '-home-dev-big');
  mkdirSync(dir, { recursive: true });
  const session = new SessionWriter('b1a70000-0000-4000-8000-000000000000', '/home/dev/big');
  const fileText = numberedFile(toolResultBytes);
  const fd = openSync(join(dir, `${session.sessionId}.jsonl`), 'w');
  writeSync(fd, session.turn() + session.turn());
  writeSync(fd, session.refused('summarise the log I attached', fileText));
  closeSync(fd);
  return { projectsDir, toolResultBytes: fileText.length };
}

/** `count` tiny sessions (a prompt and a reply; every 25th a refused turn too) in 40 project folders; every 25th session holds a refused turn. */
export function generateManySessions(root: string, count: number): { projectsDir: string; files: number; bytes: number; refusals: number } {
  const projectsDir = join(root, 'projects');
  let bytes = 0;
  let refusals = 0;
  for (let i = 0; i < count; i++) {
    const dir = join(projectsDir, `-home-dev-many${i % 40}`);
    if (i < 40) mkdirSync(dir, { recursive: true });
    const sessionId = `${(0x20000000 + i).toString(16)}-aaaa-4bbb-8ccc-${String(i).padStart(12, '0')}`;
    const session = new SessionWriter(sessionId, `/home/dev/many${i % 40}`);
    let out =
      session.entry({ type: 'user', message: { role: 'user', content: `short prompt ${i}` } }) +
      session.entry({ type: 'assistant', requestId: `req_m${i}`, message: { id: `msg_m${i}`, role: 'assistant', model: 'claude-opus-5-5', content: [{ type: 'text', text: text(between(100, 600)) }], stop_reason: 'end_turn' } });
    if (i % 25 === 0) {
      out += session.refused(`many refused ${i}`, numbered(800));
      refusals++;
    }
    const fd = openSync(join(dir, `${sessionId}.jsonl`), 'w');
    bytes += writeSync(fd, out);
    closeSync(fd);
  }
  return { projectsDir, files: count, bytes, refusals };
}

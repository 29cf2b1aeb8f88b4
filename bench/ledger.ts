/**
 * bench:ledger — generates a transcript tree (default 2 GiB; BENCH_LEDGER_GB=0.2 for a quick run) in a temp dir,
 * runs the ledger cold (no index) and again with the index, then once more after appending one refused turn to one
 * transcript, printing times, bytes read and sizes; deletes the tree at the end. BENCH_LEDGER_CHECK=1 also checks
 * that the detector's own scanner finds the same refused turns.
 *
 * The tree looks like Claude Code 2.1.328 output: mostly ordinary user / assistant / api-request / tool-result
 * lines with usage, cost-state snapshots every few turns, and now and then a refused turn with the stopped-reply
 * retry, a model_refusal_fallback and either the fallback's answer or a hard stop. Written fast: one reused 32 MiB
 * buffer per file and slices of one filler text.
 */
import { appendFileSync, closeSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLedger } from '../src/core/ledger/ledger';
import { scanLedger } from '../src/core/ledger/scan';
import { scanProjects } from '../src/core/transcript/scan';
import { seededRandom } from './lib/random';

const GIB = 1024 ** 3;
const target = Math.round(Number(process.env.BENCH_LEDGER_GB ?? '2') * GIB);
if (!(target > 0)) throw new Error('BENCH_LEDGER_GB must be a positive number (GiB), e.g. 0.2');

const { rnd, between } = seededRandom(42);

// Source-code-like filler, already JSON-safe (newlines written as \n escapes).
const WORDS = 'const let function return if else for while import export from await async class new this value result error file path buffer line index'.split(' ');
let filler = '';
while (filler.length < 256 * 1024) {
  filler += `${WORDS[between(0, WORDS.length)]}${rnd() < 0.12 ? '\\n  ' : ' '}`;
}
const text = (n: number): string => {
  const at = between(0, filler.length - n - 4);
  let s = filler.slice(at, at + n);
  // Never end inside an escape.
  if (s.endsWith('\\')) s = s.slice(0, -1);
  return s;
};

let uuidN = 0;
const uuid = (): string => `0b0e${(++uuidN).toString(16).padStart(4, '0').slice(-4)}-aaaa-4bbb-8ccc-${uuidN.toString(16).padStart(12, '0')}`;
let reqN = 0;
const reqId = (): string => `req_011C${(++reqN).toString(36).padStart(16, 'x')}`;

interface Session {
  id: string;
  cwd: string;
  time: number;
  parent: string;
  cost: number;
  usage: Record<string, { input: number; output: number; cacheRead: number; cacheWrite: number; cost: number }>;
  sidechain: boolean;
}

function common(s: Session, uuidValue: string): string {
  return `"parentUuid":"${s.parent}","isSidechain":${s.sidechain},"userType":"external","cwd":"${s.cwd}","sessionId":"${s.id}","version":"2.1.328","gitBranch":"main"`;
}
const ts = (s: Session): string => new Date(s.time).toISOString();

function userLine(s: Session, content: string): string {
  const u = uuid();
  const line = `{${common(s, u)},"type":"user","message":{"role":"user","content":${content}},"uuid":"${u}","timestamp":"${ts(s)}"}\n`;
  s.parent = u;
  return line;
}

function apiRequest(s: Session, model: string): string {
  return `{"type":"api-request","sessionId":"${s.id}","id":"${uuid()}","timestamp":"${ts(s)}","version":"2.1.328","querySource":"repl_main_thread","shapeHash":"${'ab'.repeat(32)}","params":{"model":"${model}","betas":["claude-code-20250219","interleaved-thinking-2025-05-14","context-management-2025-06-27"],"max_tokens":32000,"thinking":{"type":"enabled","budget_tokens":16000}},"blobs":["${'cd'.repeat(32)}","${'ef'.repeat(32)}"]}\n`;
}

function account(s: Session, model: string, u: { input: number; output: number; cacheRead: number; cacheWrite: number }): void {
  const m = (s.usage[model] ??= { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 });
  const cost = (u.input * 5 + u.output * 25 + u.cacheWrite * 6.25 + u.cacheRead * 0.5) / 1e6;
  m.input += u.input;
  m.output += u.output;
  m.cacheRead += u.cacheRead;
  m.cacheWrite += u.cacheWrite;
  m.cost += cost;
  s.cost += cost;
}

function assistantLines(s: Session, model: string, blocks: string[]): string {
  const id = reqId();
  const usage = { input: between(2, 400), output: between(50, 2000), cacheRead: between(10_000, 150_000), cacheWrite: between(0, 8000) };
  if (!s.sidechain || rnd() < 1) account(s, model, usage);
  let out = '';
  for (const block of blocks) {
    const u = uuid();
    out += `{${common(s, u)},"message":{"id":"msg_${id.slice(8)}","type":"message","role":"assistant","model":"${model}","content":[${block}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":${usage.input},"cache_creation_input_tokens":${usage.cacheWrite},"cache_read_input_tokens":${usage.cacheRead},"cache_creation":{"ephemeral_5m_input_tokens":${usage.cacheWrite},"ephemeral_1h_input_tokens":0},"output_tokens":${usage.output},"service_tier":"standard"}},"requestId":"${id}","type":"assistant","uuid":"${u}","timestamp":"${ts(s)}"}\n`;
    s.parent = u;
  }
  return out;
}

function costState(s: Session): string {
  const models = Object.entries(s.usage)
    .map(([m, u]) => `"${m}":{"inputTokens":${u.input},"outputTokens":${u.output},"thinkingTokens":0,"cacheReadInputTokens":${u.cacheRead},"cacheCreationInputTokens":${u.cacheWrite},"webSearchRequests":0,"costUSD":${u.cost}}`)
    .join(',');
  return `{"type":"cost-state","sessionId":"${s.id}","totalCostUSD":${s.cost},"totalAPIDuration":1000,"totalToolDuration":500,"totalLinesAdded":0,"totalLinesRemoved":0,"totalDuration":9000,"startTime":${s.time},"modelUsage":{${models}},"hasUnknownModelCost":false}\n`;
}

/** An ordinary agentic turn: prompt, a Read tool call and its result, an answer. */
function ordinaryTurn(s: Session, model: string): string {
  s.time += between(20_000, 600_000);
  const prompt = text(between(40, 400));
  let out = userLine(s, `"${prompt}"`);
  // Claude Code 2.1.3xx stores new message content as request blobs: copies of user messages, not user entries.
  if (rnd() < 0.5) out += `{"type":"api-request-blob","sessionId":"${s.id}","hash":"${'9f'.repeat(32)}","message":{"role":"user","content":[{"type":"text","text":"${prompt}"}]}}\n`;
  out += apiRequest(s, model);
  const tool = `toolu_${uuidN}`;
  out += assistantLines(s, model, [`{"type":"tool_use","id":"${tool}","name":"Read","input":{"file_path":"${s.cwd}/src/${text(8).replace(/\W/g, '')}.ts"}}`]);
  s.time += between(500, 5000);
  out += userLine(s, `[{"tool_use_id":"${tool}","type":"tool_result","content":"${text(between(2000, 40_000))}"}]`);
  out += apiRequest(s, model);
  s.time += between(3000, 60_000);
  const blocks = [`{"type":"text","text":"${text(between(300, 3000))}"}`];
  if (rnd() < 0.4) blocks.unshift(`{"type":"thinking","thinking":"${text(between(200, 2000))}","signature":"${'Zm9v'.repeat(40)}"}`);
  out += assistantLines(s, model, blocks);
  return out;
}

/** A refused turn as 2.1.328 writes it: stopped reply retried once, then a fallback that answers or refuses too. */
function refusedTurn(s: Session): string {
  s.time += between(20_000, 600_000);
  let out = userLine(s, `"${text(between(40, 400))}"`);
  const prompt = s.parent;
  const refused = { input: 12_000, output: 0, cacheRead: 0, cacheWrite: 0 };
  out += apiRequest(s, 'claude-opus-5-5');
  account(s, 'claude-opus-5-5', refused);
  s.time += between(1000, 5000);
  out += `{"parentUuid":"${s.parent}","isSidechain":false,"type":"system","subtype":"informational","content":"Opus 5.5's safeguards stopped the response above · continuing once with that noted","isMeta":false,"timestamp":"${ts(s)}","uuid":"${uuid()}","level":"notice","cwd":"${s.cwd}","sessionId":"${s.id}","version":"2.1.328"}\n`;
  out += `{"parentUuid":"${s.parent}","isSidechain":false,"type":"user","message":{"role":"user","content":"Your response above was stopped by a safety classifier — this is not a tool or API error."},"isMeta":true,"uuid":"${uuid()}","timestamp":"${ts(s)}","refusedMessageId":"msg_${uuidN}","cwd":"${s.cwd}","sessionId":"${s.id}","version":"2.1.328"}\n`;
  out += apiRequest(s, 'claude-opus-5-5');
  account(s, 'claude-opus-5-5', refused);
  const r1 = reqId();
  s.time += between(1000, 5000);
  out += `{"parentUuid":"${s.parent}","isSidechain":false,"type":"system","subtype":"model_refusal_fallback","content":"Opus 5.5's safeguards flagged this session. Opus 4.8 is answering instead, or you can edit and retry with Opus 5.5.\\n\\nDetails: \`[cyber]\`","level":"warning","trigger":"refusal","direction":"retry","scope":"session","originalModel":"claude-opus-5-5","fallbackModel":"claude-opus-4-8","requestId":"${r1}","apiRefusalCategory":"cyber","apiRefusalExplanation":"This request triggered restrictions on violative cyber content.","refusedUserMessageUuid":"${prompt}","retractedMessageUuids":[],"isMeta":false,"uuid":"${uuid()}","timestamp":"${ts(s)}","cwd":"${s.cwd}","sessionId":"${s.id}","version":"2.1.328"}\n`;
  out += apiRequest(s, 'claude-opus-4-8');
  s.time += between(2000, 30_000);
  if (rnd() < 0.5) {
    out += assistantLines(s, 'claude-opus-4-8', [`{"type":"text","text":"${text(between(300, 3000))}"}`]);
  } else {
    account(s, 'claude-opus-4-8', refused);
    const r2 = reqId();
    const sys = uuid();
    out += `{"parentUuid":"${s.parent}","isSidechain":false,"type":"system","subtype":"model_refusal_no_fallback","content":"","level":"warning","originalModel":"claude-opus-4-8","requestId":"${r2}","apiRefusalCategory":"cyber","apiRefusalExplanation":null,"refusedUserMessageUuid":"${prompt}","isMeta":false,"uuid":"${sys}","timestamp":"${ts(s)}","cwd":"${s.cwd}","sessionId":"${s.id}","version":"2.1.328"}\n`;
    out += `{"parentUuid":"${sys}","isSidechain":false,"type":"assistant","uuid":"${uuid()}","timestamp":"${ts(s)}","message":{"id":"${uuid()}","model":"<synthetic>","role":"assistant","stop_details":{"type":"refusal","category":"cyber","explanation":null},"stop_reason":"refusal","type":"message","usage":{"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0},"content":[{"type":"text","text":"API Error: Opus 4.8's safeguards flagged this message. Our intentionally broad safeguards allow us to deliver more capabilities faster, but can sometimes flag legitimate cybersecurity work.\\n\\nDetails: \`[cyber]\`\\nRequest ID: ${r2}"}]},"requestId":"${r2}","isApiErrorMessage":true,"cwd":"${s.cwd}","sessionId":"${s.id}","version":"2.1.328"}\n`;
  }
  out += costState(s);
  return out;
}

interface Tree {
  dir: string;
  bytes: number;
  files: number;
  refusals: number;
  lines: number;
}

function generate(dir: string): Tree {
  const tree: Tree = { dir, bytes: 0, files: 0, refusals: 0, lines: 0 };
  const buf = Buffer.allocUnsafe(32 << 20);
  const start = Date.now() - 60 * 86_400_000;
  let sessionN = 0;
  while (tree.bytes < target) {
    const project = `/home/dev/project-${sessionN % 24}`;
    const projectDir = join(dir, project.replace(/[/.]/g, '-'));
    mkdirSync(projectDir, { recursive: true });
    const id = `5e55${(++sessionN).toString(16).padStart(4, '0')}-1111-4222-8333-${sessionN.toString(16).padStart(12, '0')}`;
    const sidechain = sessionN % 9 === 0;
    const path = sidechain ? join(projectDir, id, 'subagents', `agent-${sessionN}.jsonl`) : join(projectDir, `${id}.jsonl`);
    if (sidechain) mkdirSync(join(projectDir, id, 'subagents'), { recursive: true });
    const s: Session = { id, cwd: project, time: start + rnd() * 58 * 86_400_000, parent: uuid(), cost: 0, usage: {}, sidechain };
    const size = Math.min(target - tree.bytes, between(2 << 20, 14 << 20));
    const fd = openSync(path, 'w');
    let written = 0;
    let used = 0;
    let turn = 0;
    while (written + used < size) {
      turn++;
      let chunk = rnd() < 1 / 150 && !sidechain ? refusedTurn(s) : ordinaryTurn(s, 'claude-opus-5-5');
      if (chunk.includes('"subtype":"model_refusal_fallback"')) tree.refusals++;
      if (!sidechain && turn % 10 === 0) chunk += costState(s);
      if (used + chunk.length * 3 > buf.length) {
        writeSync(fd, buf, 0, used);
        written += used;
        used = 0;
      }
      used += buf.write(chunk, used);
    }
    writeSync(fd, buf, 0, used);
    written += used;
    closeSync(fd);
    tree.bytes += written;
    tree.files++;
  }
  return tree;
}

const mb = (b: number): string => `${(b / 1e6).toFixed(1)} MB`;
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'aup-bench-ledger-'));
  const projects = join(root, 'projects');
  const cacheDir = join(root, 'cache');
  try {
    let t = performance.now();
    const tree = generate(projects);
    const genMs = performance.now() - t;
    const os = await import('node:os');
    console.log(`node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`generated ${mb(tree.bytes)} (${(tree.bytes / GIB).toFixed(2)} GiB) in ${tree.files} transcripts, ${tree.refusals} refused turns, in ${secs(genMs)}`);

    const run = async (label: string): Promise<void> => {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const { report, scan } = await buildLedger({ projectsDir: projects, cacheDir, since: new Date(Date.now() - 90 * 86_400_000) });
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const s = scan.stats;
      console.log(
        `${label}: ${secs(ms)} (cpu ${secs((cpu.user + cpu.system) / 1000)}), read ${mb(s.bytesRead)} of ${mb(s.bytesTotal)} (${((s.bytesRead / 1e6) / (ms / 1000)).toFixed(0)} MB/s), ` +
          `${s.filesRescanned} files from the start, ${s.filesResumed} appended to; ${report.entries.length} refused turns, ` +
          `${report.totals.requests} requests, $${report.totals.costUSD.toFixed(2)} ` +
          `(${report.entries.filter((e) => e.costSource === 'cost-state').length} from cost-state); rss ${mb(process.memoryUsage().rss)}`,
      );
      if (scan.warnings.length) console.log(`  warnings: ${scan.warnings.slice(0, 3).join('; ')}`);
    };
    t = performance.now();
    await run('first run (cold, no index)');
    console.log(`index: ${mb(statSync(join(cacheDir, 'ledger-index.json')).size)}`);
    await run('second run (index, nothing changed)');

    // One more refused turn appended to one transcript: only those bytes are read.
    const victim = join(projects, '-home-dev-project-0');
    const file = join(victim, readdirSync(victim).find((n) => n.endsWith('.jsonl'))!);
    const s: Session = { id: 'appended', cwd: '/home/dev/project-0', time: Date.now() - 3_600_000, parent: uuid(), cost: 0, usage: {}, sidechain: false };
    const appended = ordinaryTurn(s, 'claude-opus-5-5') + refusedTurn(s) + ordinaryTurn(s, 'claude-opus-5-5');
    appendFileSync(file, appended);
    console.log(`appended ${mb(Buffer.byteLength(appended))} (one refused turn) to one transcript`);
    await run('third run (index, one file appended to)');

    if (process.env.BENCH_LEDGER_CHECK === '1') {
      // The ledger and the detector's own scanner must find the same refused turns (same record ids).
      const t0 = performance.now();
      const ledgerIds = new Set((await scanLedger({ projectsDir: projects, useIndex: false })).entries.map((e) => e.id));
      const detectorIds = new Set<string>();
      for await (const r of scanProjects(projects)) detectorIds.add(r.id);
      const onlyLedger = [...ledgerIds].filter((id) => !detectorIds.has(id)).length;
      const onlyDetector = [...detectorIds].filter((id) => !ledgerIds.has(id)).length;
      console.log(
        `check against the detector's scanProjects: ledger ${ledgerIds.size} turns, detector ${detectorIds.size}; ` +
          `only in the ledger ${onlyLedger}, only in the detector ${onlyDetector} (${secs(performance.now() - t0)})`,
      );
      if (onlyLedger || onlyDetector) process.exitCode = 1;
    }

    // For scale: reading the same bytes and doing nothing else.
    const { openSync: o, readSync } = await import('node:fs');
    const t1 = performance.now();
    const raw = Buffer.allocUnsafe(8 << 20);
    let total = 0;
    for (const name of readdirSync(projects, { recursive: true }) as string[]) {
      if (!name.endsWith('.jsonl')) continue;
      const fd = o(join(projects, name), 'r');
      for (let n; (n = readSync(fd, raw, 0, raw.length, null)) > 0; ) total += n;
      closeSync(fd);
    }
    const readMs = performance.now() - t1;
    console.log(`plain read of the same files: ${secs(readMs)} for ${mb(total)} (${(total / 1e6 / (readMs / 1000)).toFixed(0)} MB/s)`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

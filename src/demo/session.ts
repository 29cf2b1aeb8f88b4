/**
 * The demo's sample session, made at run time so nothing binary has to ship: a toy ad PDF (pdf-lib, its content
 * stream FlateDecode-compressed) whose text operators spell the demo rule's trigger, and a Claude Code session in
 * which the user asks to proofread it. The session is replayed against the Messages API stand-in with the official
 * SDK, exactly as Claude Code 2.1.328 runs it: the prompt draws a Read tool_use, the tool result carries the PDF as
 * a document, the stand-in refuses it, Claude Code retries once and gives up. Each answer (request id, message id,
 * category, usage) is written into a transcript in Claude Code's JSONL format, which the detector then reads.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';
import { costUsd } from '../core/prices';

export const DEMO_MODEL = 'claude-opus-4-8';
const DISPLAY = 'Opus 4.8';
const VERSION = '2.1.328';

/** The ad's lines, top to bottom. The third spells the demo rule ("character" ... "donkey underneath"). */
export const AD_LINES = [
  'TOYS FOR EVERY AGE',
  'Plush friends, wooden trains, kites and puzzles.',
  'Spring sale: 20% off all board games this week.',
  'NEW: PICK A CHARACTER OR FOR DONKEY UNDERNEATH',
  'Free gift wrapping at the counter.',
  'Open Saturdays 9-5, Market Street 12.',
];

export async function buildToyAd(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle('Toy shop spring ad');
  pdf.setCreationDate(new Date('2026-03-01T09:00:00Z'));
  pdf.setModificationDate(new Date('2026-03-01T09:00:00Z'));
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const page = pdf.addPage([420, 300]);
  AD_LINES.forEach((text, i) =>
    page.drawText(text, { x: 24, y: 260 - i * 36, size: i === 0 ? 20 : 12, font: i === 0 || i === 3 ? bold : font }),
  );
  // pdf-lib writes page content streams FlateDecode-compressed, as most PDF producers do.
  return pdf.save();
}

const READ_TOOL = {
  name: 'Read',
  description: 'Reads a file from the local filesystem. PDFs are returned page by page as documents.',
  input_schema: {
    type: 'object' as const,
    properties: { file_path: { type: 'string', description: 'The absolute path to the file to read' } },
    required: ['file_path'],
  },
};

const SYSTEM = 'You are Claude Code, an agent for software engineering and everyday work on this machine.';

const COMPANION =
  'Your response above was stopped by a safety classifier \u2014 this is not a tool or API error. The rest of it was withheld, and tool calls in it that had not finished did not run. Do not produce that content again, even reworded.';

export interface ReplayOptions {
  /** The stand-in's URL (scripted mode on, demo rules loaded). */
  baseUrl: string;
  /** Claude Code's config dir to write the transcript into (CLAUDE_CONFIG_DIR). */
  configDir: string;
  /** The session's working directory; the ad is written here. */
  cwd: string;
  onStep?: (message: string) => void;
}

export interface ReplayOutcome {
  transcript: string;
  pdfPath: string;
  pdfBytes: number;
  sessionId: string;
  requests: number;
}

/** Claude Code's project folder name: the cwd with every / and . replaced by -. */
export function projectDirName(cwd: string): string {
  return cwd.replace(/[/.\\:]/g, '-');
}

type Message = Anthropic.Messages.Message & { stop_details?: { category?: string | null; explanation?: string | null } | null; _request_id?: string | null };

export async function replaySampleSession(options: ReplayOptions): Promise<ReplayOutcome> {
  const step = options.onStep ?? (() => undefined);
  await mkdir(options.cwd, { recursive: true });
  const pdfPath = join(options.cwd, 'toy-ad.pdf');
  const pdf = await buildToyAd();
  await writeFile(pdfPath, pdf);
  step(`wrote the sample ad ${pdfPath} (${pdf.byteLength} bytes, FlateDecode content stream)`);

  const client = new Anthropic({ apiKey: 'sk-ant-demo-not-a-key', baseURL: options.baseUrl, maxRetries: 0 });
  const sessionId = randomUUID();
  let clock = Date.now() - 60_000;
  const tick = (ms = 40) => new Date((clock += ms)).toISOString();
  const common = () => ({
    isSidechain: false,
    userType: 'external',
    entrypoint: 'sdk-cli',
    cwd: options.cwd,
    sessionId,
    version: VERSION,
    gitBranch: 'HEAD',
  });
  const lines: object[] = [];
  let parent: string | null = null;
  const push = (entry: Record<string, unknown>): string => {
    const uuid = randomUUID();
    lines.push({ parentUuid: parent, ...entry, uuid, timestamp: tick(), ...common() });
    parent = uuid;
    return uuid;
  };

  let requests = 0;
  const send = async (messages: Anthropic.Messages.MessageParam[]): Promise<Message> => {
    requests++;
    return (await client.messages.create({ model: DEMO_MODEL, max_tokens: 1024, system: SYSTEM, tools: [READ_TOOL], messages })) as Message;
  };

  const prompt = `Proofread the ad in ${pdfPath}.`;
  const promptId = randomUUID();
  const promptUuid = push({ promptId, type: 'user', message: { role: 'user', content: prompt }, permissionMode: 'default', promptSource: 'sdk' });
  const history: Anthropic.Messages.MessageParam[] = [{ role: 'user', content: prompt }];

  const first = await send(history);
  const toolUse = first.content.find((b): b is Anthropic.Messages.ToolUseBlock => b.type === 'tool_use');
  if (!toolUse) throw new Error('the stand-in did not ask to Read the ad (is scripted mode on?)');
  step(`request 1: ${first._request_id ?? 'no request id'} -> ${first.stop_reason} (${toolUse.name} ${String((toolUse.input as { file_path?: string }).file_path)})`);
  const assistantUuid = push({
    message: { id: first.id, type: 'message', role: 'assistant', model: first.model, content: first.content, stop_reason: first.stop_reason, stop_details: null, stop_sequence: null, usage: first.usage },
    requestId: first._request_id ?? undefined,
    requestedModel: DEMO_MODEL,
    type: 'assistant',
  });
  history.push({ role: 'assistant', content: first.content });

  // Claude Code runs Read: a PDF comes back as a document block.
  const data = Buffer.from(await readFile(pdfPath)).toString('base64');
  const toolResult = {
    tool_use_id: toolUse.id,
    type: 'tool_result' as const,
    content: [
      { type: 'text' as const, text: `PDF file read: ${pdfPath} (${Math.max(1, Math.round(pdf.byteLength / 1024))}KB)` },
      { type: 'document' as const, source: { type: 'base64' as const, media_type: 'application/pdf' as const, data } },
    ],
  };
  push({
    promptId,
    type: 'user',
    message: { role: 'user', content: [toolResult] },
    toolUseResult: { type: 'pdf', file: { filePath: pdfPath, base64: data, originalSize: pdf.byteLength } },
    sourceToolAssistantUUID: assistantUuid,
  });
  history.push({ role: 'user', content: [toolResult] });

  const refused = await send(history);
  step(`request 2: ${refused._request_id ?? 'no request id'} -> ${refused.stop_reason}${refused.stop_details?.category ? ` [${refused.stop_details.category}]` : ''}`);
  if (refused.stop_reason !== 'refusal') throw new Error(`the stand-in did not refuse the ad (stop_reason ${refused.stop_reason}): are the demo rules loaded?`);

  // 2.1.328 notes the refusal and retries once with a companion message.
  push({ type: 'system', subtype: 'informational', content: `${DISPLAY}'s safeguards stopped the response above \u00b7 continuing once with that noted`, isMeta: false, level: 'notice' });
  push({ promptId, type: 'user', message: { role: 'user', content: COMPANION }, isMeta: true, turnCompanion: true, isVirtual: true, refusedMessageId: refused.id });
  const retry = await send([...history, { role: 'user', content: COMPANION }]);
  step(`request 3 (Claude Code's retry): ${retry._request_id ?? 'no request id'} -> ${retry.stop_reason}`);
  const last = retry.stop_reason === 'refusal' ? retry : refused;
  const category = last.stop_details?.category ?? null;
  const explanation = last.stop_details?.explanation ?? null;

  push({
    type: 'system',
    subtype: 'model_refusal_no_fallback',
    content: '',
    level: 'warning',
    originalModel: DEMO_MODEL,
    requestId: last._request_id ?? undefined,
    apiRefusalCategory: category,
    apiRefusalExplanation: explanation,
    refusedUserMessageUuid: promptUuid,
    isMeta: false,
  });
  const text =
    `API Error: ${DISPLAY}'s safeguards flagged this message (https://www.anthropic.com/legal/aup). This sometimes happens with safe, normal conversations. Claude Code can't respond to this message with ${DISPLAY}.\n\n` +
    'Try rephrasing the request in a new session or change your model.\n\nLearn more: https://support.claude.com/en/articles/8106465\n\n' +
    `Details: \`[${category ?? 'unknown'}]\`\n\nRequest ID: ${last._request_id ?? ''}\n\nMessage ID: ${last.id}`;
  push({
    type: 'assistant',
    message: {
      id: randomUUID(),
      container: null,
      model: '<synthetic>',
      role: 'assistant',
      stop_details: { type: 'refusal', category, explanation },
      stop_reason: 'refusal',
      stop_sequence: '',
      type: 'message',
      usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      content: [{ type: 'text', text }],
    },
    requestId: last._request_id ?? undefined,
    error: 'invalid_request',
    isApiErrorMessage: true,
    refusedMessageId: last.id,
    refusingModel: DEMO_MODEL,
  });
  const inputTokens = [first, refused, retry].reduce((n, m) => n + m.usage.input_tokens, 0);
  const outputTokens = [first, refused, retry].reduce((n, m) => n + m.usage.output_tokens, 0);
  lines.push({
    type: 'cost-state',
    sessionId,
    totalCostUSD: costUsd(DEMO_MODEL, inputTokens, outputTokens),
    modelUsage: { [DEMO_MODEL]: { inputTokens, outputTokens } },
  });

  const dir = join(options.configDir, 'projects', projectDirName(options.cwd));
  await mkdir(dir, { recursive: true });
  const transcript = join(dir, `${sessionId}.jsonl`);
  await writeFile(transcript, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  step(`wrote the session transcript ${transcript} (${lines.length} entries)`);
  return { transcript, pdfPath, pdfBytes: pdf.byteLength, sessionId, requests };
}

/**
 * Read a refused request's parts back from the transcript, exactly as the model saw them, and rebuild the request
 * for the oracle. Each part is found by its line's byte offset (or line number), checked against its sha256.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ProbeInput, ProbePart } from '../probe/oracle/types';
import type { PartSource, RefusalRecord, RequestPart } from '../refusal/record';
import { parseLine, readLineFrom } from './jsonl';
import { partBytes, partText, systemPromptBlocks, valueAt } from './turn';

const NL = 0x0a;

async function lineByNumber(fh: FileHandle, line: number): Promise<Buffer | undefined> {
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  let current = 1;
  let position = 0;
  let start = 0;
  for (;;) {
    const { bytesRead } = await fh.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return undefined;
    for (let i = buffer.indexOf(NL, 0); i >= 0 && i < bytesRead; i = buffer.indexOf(NL, i + 1)) {
      current++;
      if (current === line) {
        start = position + i + 1;
        return (await readLineFrom(fh, start)).bytes;
      }
    }
    if (line === 1) return (await readLineFrom(fh, 0)).bytes;
    position += bytesRead;
  }
}

function decode(part: RequestPart, raw: unknown): { text: string; bytes: Buffer; base64: boolean } {
  const text = partText(raw);
  const base64 = part.source.pointer.endsWith('/source/data') && (part.kind === 'image' || part.kind === 'document') && part.mediaType !== 'text/plain';
  return { text, bytes: partBytes(part.kind, text, base64), base64 };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The parsed entries that may hold `source`: the line at its byte offset (when that is still a line start), then the
 * line by number (the file was rewritten). The caller checks each against its sha256.
 */
async function* entriesAt(fh: FileHandle, source: PartSource): AsyncGenerator<Record<string, unknown>> {
  const offset = source.offset;
  if (offset !== undefined) {
    // The offset must still be a line start; otherwise the file was rewritten and the line number is the fallback.
    let lineStart = offset === 0;
    if (offset > 0) {
      const before = Buffer.alloc(1);
      await fh.read(before, 0, 1, offset - 1);
      lineStart = before[0] === NL;
    }
    const entry = lineStart ? parseLine((await readLineFrom(fh, offset)).bytes) : undefined;
    if (entry) yield entry as Record<string, unknown>;
  }
  const bytes = await lineByNumber(fh, source.line);
  const entry = bytes && parseLine(bytes);
  if (entry) yield entry as Record<string, unknown>;
}

async function readPart(fh: FileHandle, record: RefusalRecord, part: RequestPart): Promise<{ text: string; bytes: Buffer; base64: boolean }> {
  for await (const entry of entriesAt(fh, part.source)) {
    const decoded = decode(part, valueAt(entry, part.source.pointer));
    if (sha256(decoded.bytes) === part.sha256) return decoded;
  }
  throw new Error(
    `part ${part.index} of refusal ${record.id} no longer matches ${record.transcript}:${part.source.line} (the transcript was changed or removed); run \`aup-bisect scan\` again to get a fresh record`,
  );
}

/**
 * The system prompt of the refused request, read back from its prompt snapshot as the blocks Claude Code sent, and
 * checked against the sha256 of their text.
 */
async function readSystem(fh: FileHandle, record: RefusalRecord): Promise<string[] | undefined> {
  const system = record.system;
  if (!system) return undefined;
  for await (const entry of entriesAt(fh, system.source)) {
    const blocks = systemPromptBlocks(entry);
    if (blocks !== undefined && sha256(Buffer.from(blocks.join('\n\n'), 'utf8')) === system.sha256) return blocks;
  }
  throw new Error(
    `the system prompt of refusal ${record.id} no longer matches ${record.transcript}:${system.source.line} (the transcript was changed or removed); run \`aup-bisect scan\` again to get a fresh record`,
  );
}

/** The exact text of one part (for images and documents: the base64 data as stored). */
export async function readPartText(record: RefusalRecord, part: RequestPart): Promise<string> {
  const fh = await open(record.transcript, 'r');
  try {
    return (await readPart(fh, record, part)).text;
  } finally {
    await fh.close();
  }
}

/** The refused request as oracle input: every part in order, texts exact, binary parts as bytes. */
export async function rebuildRequest(record: RefusalRecord): Promise<ProbeInput> {
  if (!record.transcript) throw new Error(`refusal ${record.id} came from a terminal, not a transcript: there is no request to rebuild`);
  const fh = await open(record.transcript, 'r').catch((error: Error) => {
    throw new Error(`cannot open ${record.transcript} to rebuild refusal ${record.id}: ${error.message}`);
  });
  try {
    const parts: ProbePart[] = [];
    for (const part of [...record.parts].sort((a, b) => a.index - b.index)) {
      const { text, bytes, base64 } = await readPart(fh, record, part);
      const probe: ProbePart = { kind: part.kind, text: base64 ? bytes.toString('latin1') : text };
      if (base64) probe.bytes = new Uint8Array(bytes);
      if (part.toolName) probe.toolName = part.toolName;
      if (part.filePath) {
        probe.filePath = part.filePath;
        probe.fileName = basename(part.filePath);
      }
      if (part.mediaType) probe.mediaType = part.mediaType;
      if (part.attachmentType) probe.attachmentType = part.attachmentType;
      parts.push(probe);
    }
    const rebuilt: ProbeInput = { parts };
    // Fixed context: sent with every probe and never reduced. Without a snapshot the oracle sends its default.
    const system = await readSystem(fh, record);
    if (system !== undefined) rebuilt.system = system;
    const model = record.models.find((m) => m.model && m.model !== 'unknown')?.model;
    if (model) rebuilt.model = model;
    return rebuilt;
  } finally {
    await fh.close();
  }
}

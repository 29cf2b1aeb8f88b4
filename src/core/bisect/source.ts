/**
 * What a bisect starts from, turned into the oracle's input: a refusal (its request rebuilt from the transcript), a
 * file (a PDF goes to the oracle as a PDF), or a text (an editor's unsaved buffer or selection). The result's
 * `original` and `refusal` are filled here, from the source, so no caller patches them afterwards.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { UserError } from '../errors';
import { estimateTextTokens, inputBytes } from '../probe/oracle/estimate';
import { systemText, type ProbeInput, type ProbePart } from '../probe/oracle/types';
import type { RefusalRecord } from '../refusal/record';
import type { BisectResult } from './result';

export type BisectSource =
  /** A refusal record the caller already has (the extension, the demo). */
  | { kind: 'refusal'; refusal: RefusalRecord }
  /** A refusal id (`bisect --refusal ID`), looked up in Claude Code's config dir (default: $CLAUDE_CONFIG_DIR or ~/.claude). */
  | { kind: 'refusal-id'; id: string; claudeDir?: string }
  | { kind: 'file'; path: string }
  /**
   * Text with no file behind it, or a file's unsaved text: `fileName`/`filePath` say where it came from; `selection`
   * where in that file's text it starts (a selected range: it ends `text.length` later).
   */
  | { kind: 'text'; text: string; fileName?: string; filePath?: string; selection?: { start: number } }
  /** A request already in parts (tests, benchmarks): its original is described from the parts. */
  | { kind: 'input'; input: ProbeInput };

export interface BisectInput {
  input: ProbeInput;
  original: BisectResult['original'];
  refusal?: RefusalRecord;
}

/** The oracle input for a source; `model` overrides the refused turn's model. */
export async function inputFromSource(source: BisectSource, model?: string): Promise<BisectInput> {
  switch (source.kind) {
    case 'file':
      return inputFromFile(source.path, model);
    case 'text':
      return inputFromText(source, model);
    case 'refusal':
      return inputFromRefusal(source.refusal, model);
    case 'refusal-id':
      return inputFromRefusal(await findRefusalById(source.id, source.claudeDir), model);
    case 'input': {
      const input: ProbeInput = model ? { ...source.input, model } : source.input;
      const first = input.parts[0];
      const size = input.parts.reduce((n, p) => n + (p.bytes ? p.bytes.byteLength : Buffer.byteLength(p.text)), 0);
      const hash = createHash('sha256');
      for (const p of input.parts) hash.update(p.bytes ?? p.text);
      return { input, original: { fileName: first?.fileName, path: first?.filePath, size, sha256: hash.digest('hex'), mediaType: first?.mediaType } };
    }
  }
}

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Reads a file into a one-part input: a PDF as bytes (its text field a latin1 view), anything else as UTF-8 text. */
export async function inputFromFile(path: string, model?: string): Promise<BisectInput> {
  const absolute = resolve(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError('not-found', `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      'Check the path of the file to bisect.', { cause: error });
  }
  const fileName = basename(absolute);
  const part: ProbePart = { kind: 'file', text: '', fileName, filePath: absolute };
  const pdf = bytes.subarray(0, 5).toString('latin1') === '%PDF-' || /\.pdf$/i.test(fileName);
  if (pdf) {
    part.bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    part.text = bytes.toString('latin1');
    part.mediaType = 'application/pdf';
  } else {
    if (bytes.includes(0)) {
      throw new UserError('bad-request', `${path} looks binary (it holds NUL bytes): only text files and PDFs can be bisected`,
        'Convert it to text first, or bisect the refusal itself with --refusal ID.');
    }
    part.text = bytes.toString('utf8');
  }
  if (bytes.byteLength === 0) throw new UserError('bad-request', `${path} is empty: nothing to bisect`, 'Pass the file that was refused.');
  const input: ProbeInput = { parts: [part] };
  if (model) input.model = model;
  return {
    input,
    original: { path: absolute, fileName, size: bytes.byteLength, sha256: sha256(bytes), ...(pdf ? { mediaType: 'application/pdf' } : {}) },
  };
}

function inputFromText(source: Extract<BisectSource, { kind: 'text' }>, model?: string): BisectInput {
  if (source.text === '') throw new UserError('bad-request', `${source.fileName ?? 'the text'} is empty: nothing to bisect`, 'Select or open the text that was refused.');
  // Named text is a file's content (an editor buffer); anonymous text stands for a prompt.
  const part: ProbePart = { kind: source.fileName || source.filePath ? 'file' : 'prompt', text: source.text };
  if (source.fileName) part.fileName = source.fileName;
  if (source.filePath) part.filePath = source.filePath;
  const input: ProbeInput = model ? { parts: [part], model } : { parts: [part] };
  const original = describeInput(input);
  if (source.filePath) original.path = source.filePath;
  if (source.selection) original.selection = { start: source.selection.start, end: source.selection.start + source.text.length };
  return { input, original };
}

async function inputFromRefusal(refusal: RefusalRecord, model?: string): Promise<BisectInput> {
  if (!refusal.transcript) {
    throw new UserError('bad-request', `refusal ${refusal.id} came from a terminal, not a transcript: there is no request to rebuild`,
      'Bisect the file or the text that was refused instead.');
  }
  const { rebuildRequest } = await import('../transcript/parts');
  let rebuilt: ProbeInput;
  try {
    rebuilt = await rebuildRequest(refusal);
  } catch (error) {
    throw new UserError('not-found', (error as Error).message,
      'Run `aup-bisect scan` (in VS Code: refresh the Refusals view) for a fresh record, or bisect the file itself.', { cause: error });
  }
  // The model of the refused turn, unless the user picked one: the first model in a fallback chain is the one that refused first.
  const chosen = model ?? rebuilt.model ?? refusal.models[0]?.model;
  const input: ProbeInput = chosen ? { ...rebuilt, model: chosen } : rebuilt;
  return { input, original: { ...describeInput(input), path: refusal.transcript || undefined, system: systemLine(input) }, refusal };
}

/** The one line the result's `original` says about the system prompt a rebuilt request carries (or lacks). */
export function systemLine(input: ProbeInput): string {
  if (input.system === undefined) {
    return 'system prompt: none in the transcript (no prompt snapshot before the refused request): probes carry the oracle\'s default';
  }
  const text = systemText(input.system);
  const tokens = estimateTextTokens(text).toLocaleString('en-US');
  return `system prompt: ~${tokens} tokens (${Buffer.byteLength(text, 'utf8').toLocaleString('en-US')} bytes) from the transcript`;
}

/** The refusal with this id in Claude Code's transcripts, or a UserError saying how to list ids. */
export async function findRefusalById(id: string, claudeDir?: string): Promise<RefusalRecord> {
  const { resolveProjectsDir } = await import('../transcript/locate');
  const { findRefusal } = await import('../transcript/scan');
  const projectsDir = await resolveProjectsDir(claudeDir);
  const refusal = await findRefusal(projectsDir, id);
  if (!refusal) {
    throw new UserError('not-found', `no refusal with id ${id} in ${projectsDir}`,
      'Run `aup-bisect scan` to list refusal ids (and pass --claude-dir if Claude Code keeps its config elsewhere).');
  }
  return refusal;
}

function describeInput(input: ProbeInput): BisectResult['original'] {
  const hashes = input.parts.map((p) => sha256(p.bytes ?? p.text));
  const single = input.parts.length === 1 ? input.parts[0] : undefined;
  const original: BisectResult['original'] = {
    size: inputBytes(input),
    sha256: single ? hashes[0]! : sha256(hashes.join('\n')),
  };
  if (single?.fileName) original.fileName = single.fileName;
  if (single?.mediaType) original.mediaType = single.mediaType;
  return original;
}

/**
 * What `draft` and `file` accept: the `bisect --json` output (a BisectResult), a refusal record alone (from
 * `scan --json`), or a draft markdown file written by `draft` (possibly edited). Plus the facts about this machine
 * that go into the template (OS, shell) and into redaction (home, user, host).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir, hostname, release, userInfo, type as osType, arch } from 'node:os';
import type { RefusalRecord } from '../refusal/record';
import type { BisectResult } from '../bisect/result';
import { parseDraftFile, type ReportEnv } from './draft';

export type ReportInput =
  | { type: 'result'; result: BisectResult; refusal?: RefusalRecord }
  | { type: 'refusal'; refusal: RefusalRecord }
  | { type: 'draft'; title: string; body: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function looksLikeResult(value: Record<string, unknown>): boolean {
  return typeof value.minimal === 'string' && typeof value.probes === 'number' && isObject(value.verification) && Array.isArray(value.parts) && isObject(value.original);
}

function looksLikeRefusal(value: Record<string, unknown>): boolean {
  return typeof value.kind === 'string' && typeof value.message === 'string' && Array.isArray(value.models) && Array.isArray(value.parts);
}

/** Parses the text of an input file; throws an Error saying what the file should be. */
export function parseReportInput(text: string, path: string): ReportInput {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('#')) {
    const draft = parseDraftFile(trimmed);
    if (draft && draft.title) return { type: 'draft', ...draft };
  }
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (error) {
    throw new Error(
      `${path} is neither JSON nor a draft: expected the output of \`aup-bisect bisect --json\`, a refusal record from ` +
        `\`aup-bisect scan --json\`, or a draft from \`aup-bisect draft\` (${(error as Error).message}).`,
    );
  }
  // `scan --json` may print a list of records; one record alone is what a report is about.
  if (Array.isArray(value)) {
    if (value.length === 1 && isObject(value[0])) value = value[0];
    else throw new Error(`${path} holds ${value.length} records; pass one refusal record (e.g. pick one with jq '.[0]').`);
  }
  if (isObject(value) && looksLikeResult(value)) {
    const result = value as unknown as BisectResult;
    return { type: 'result', result, refusal: result.refusal };
  }
  if (isObject(value) && looksLikeRefusal(value)) return { type: 'refusal', refusal: value as unknown as RefusalRecord };
  throw new Error(`${path} is JSON but not a bisect result (minimal, probes, verification, parts, original) nor a refusal record (kind, message, models, parts).`);
}

export async function readReportInput(path: string): Promise<ReportInput> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${path} does not exist.` : `Cannot read ${path}: ${(error as Error).message}`);
  }
  return parseReportInput(text, path);
}

/**
 * The original text for the removal summary, when it is still on disk unchanged (same sha256) and is text. Binary
 * inputs (PDF) are summarised from sizes alone.
 */
export async function readOriginalText(result: BisectResult): Promise<string | undefined> {
  if (!result.original.path || result.original.mediaType === 'application/pdf' || /\.pdf$/i.test(result.original.path)) return undefined;
  try {
    const bytes = await readFile(result.original.path);
    if (createHash('sha256').update(bytes).digest('hex') !== result.original.sha256) return undefined;
    const text = bytes.toString('utf8');
    return text.includes('\u0000') ? undefined : text;
  } catch {
    return undefined;
  }
}

function osName(): string {
  switch (osType()) {
    case 'Darwin':
      return 'macOS';
    case 'Windows_NT':
      return 'Windows';
    default:
      return osType();
  }
}

/** This machine, for the template fields and for redaction. */
export function systemReportEnv(env: NodeJS.ProcessEnv = process.env): ReportEnv {
  let userName: string | undefined;
  try {
    userName = userInfo().username;
  } catch {
    userName = env.USER ?? env.USERNAME;
  }
  const shell = (env.SHELL ?? env.ComSpec ?? '').split(/[\\/]/).pop();
  const terminal = env.TERM_PROGRAM ? `${env.TERM_PROGRAM}${env.TERM_PROGRAM_VERSION ? ` ${env.TERM_PROGRAM_VERSION}` : ''}` : env.TERM;
  return {
    os: `${osName()} ${release()} (${arch()})`,
    shell: [shell, terminal ? `in ${terminal}` : ''].filter(Boolean).join(' ') || undefined,
    homeDir: homedir(),
    userName,
    hostName: hostname(),
  };
}

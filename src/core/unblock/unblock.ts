/**
 * The whole "make it pass" job from a bisect result, shared by the CLI (and, later, the extension): rebuild the
 * original input (the file, or the refused request from its transcript), wrap the oracle as bisect does (cache,
 * budget, concurrency, cancellation), find and verify the pass set, and write what the user asked for: a sanitized
 * copy of the file, a prompt to paste, a repaired copy of the session. Nothing is ever written over an original
 * without `replace`, and then only after a backup.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { inputBytes } from '../probe/oracle/estimate';
import { UserError } from '../errors';
import { type Oracle, type ProbeInput, type ProbePart } from '../probe/oracle/types';
import type { ReduceFn } from '../bisect/run';
import { inputFromFile } from '../bisect/source';
import { oracleFor, probeCacheFor, type ProbeOptions } from '../probe/setup';
import { MeteredOracle } from '../probe/meter';
import type { BisectResult } from '../bisect/result';
import { findPassSet, type PassSetOutcome, type PassSetProgress } from './passSet';
import { sanitizeReadFile, writeSanitized } from './sanitize';
import { RepairError, repairSession, type RepairedSession } from './session';

export interface UnblockOptions extends ProbeOptions {
  result: BisectResult;
  verifyRuns?: number;
  onProgress?: (event: PassSetProgress & { probes: number; cachedProbes: number }) => void;
  /** Write the sanitized copies (beside the originals). */
  write?: boolean;
  /** Write the sanitized content over the original file, after a backup `<file>.orig`. */
  replace?: boolean;
  /** Replace each removed span of a text with this instead of deleting it (probed as written). */
  mask?: string;
  /** Write a repaired copy of the refused session (refusal results only). */
  repairSession?: boolean;
  reduce?: ReduceFn;
}

export interface UnblockRun {
  status: PassSetOutcome['status'];
  passSet: Omit<PassSetOutcome, 'input' | 'partsAfter'>;
  /** What each part of the original is, by index ("file", "tool_result (Read /path)"), for people. */
  parts: string[];
  /** Spans removed and their bytes, for the summary line. */
  spans: number;
  removedBytes: number;
  originalBytes: number;
  probes: number;
  cachedProbes: number;
  inputTokens: number;
  costUsd: number;
  elapsedMs: number;
  oracle: string;
  model?: string;
  /** The refused prompt with the removals applied (refusal results), ready to paste. */
  prompt?: string;
  /**
   * A bisected selection (result.original.selection): its text with the removals applied, which goes over
   * [start, end) of the file and nowhere else (the sanitized copy is the file with that range replaced).
   */
  selection?: { start: number; end: number; sanitized: string };
  written: { sanitized: string[]; backup?: string; session?: RepairedSession };
  /** What was not done, and why (one sentence each). */
  notes: string[];
}

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

export async function runUnblock(options: UnblockOptions): Promise<UnblockRun> {
  const started = Date.now();
  const { result } = options;
  const input = await originalInput(result, options.model);

  const { oracle: inner, owned: ownsOracle } = await oracleFor(options.oracle, options.oracles);
  const cache = await probeCacheFor(options.cache);
  const meter = new MeteredOracle(inner, { cache, budget: options.budget, signal: options.signal });
  let outcome: PassSetOutcome;
  try {
    outcome = await findPassSet(input, meter, {
      minimal: result.parts,
      verifyRuns: options.verifyRuns,
      concurrency: options.concurrency,
      signal: options.signal,
      reduce: options.reduce,
      mask: options.mask,
      onProgress: (e) => options.onProgress?.({ ...e, probes: meter.counters.probes, cachedProbes: meter.counters.cachedProbes }),
    });
  } finally {
    // An oracle the caller passed in stays open (the caller closes it); only the cache is written.
    if (ownsOracle) await meter.close();
    else await meter.flush().catch(() => undefined);
  }

  const { input: _passing, partsAfter: _after, ...passSet } = outcome;
  const c = meter.counters;
  const run: UnblockRun = {
    status: outcome.status,
    passSet,
    parts: input.parts.map((p) => `${p.kind}${p.toolName ? ` (${p.toolName}${p.filePath ? ` ${p.filePath}` : ''})` : ''}`),
    spans: outcome.removals.length,
    removedBytes: outcome.removedBytes,
    originalBytes: inputBytes(input),
    probes: c.probes,
    cachedProbes: c.cachedProbes,
    inputTokens: c.inputTokens,
    costUsd: c.costUsd,
    elapsedMs: 0,
    oracle: inner.name,
    model: input.model ?? inner.model,
    written: { sanitized: [] },
    notes: [],
  };
  const verified = outcome.verification.of > 0 && outcome.verification.passed === outcome.verification.of;
  if (options.mask !== undefined && input.parts.some((p, i) => p.bytes && outcome.removals.some((r) => r.part === i))) {
    run.notes.push('a PDF or other binary part cannot be masked: its spans were removed');
  }
  if (outcome.status === 'passes' || (outcome.status === 'stopped' && verified)) {
    await deliver(run, result, input, outcome, options);
  } else if (options.write || options.replace || options.repairSession) {
    run.notes.push('nothing written: no removal set was verified to pass');
  }
  run.elapsedMs = Date.now() - started;
  return run;
}

/** The bisect's original input again, checked to be the same content the bisect saw (exported for estimates). */
export async function originalInput(result: BisectResult, model?: string): Promise<ProbeInput> {
  const pick = model ?? result.model;
  if (result.refusal) {
    const { rebuildRequest } = await import('../transcript/parts');
    const rebuilt = await rebuildRequest(result.refusal).catch((error: Error) => {
      throw new UserError('not-found', error.message, 'Run `aup-bisect scan` and bisect the refusal again.');
    });
    return pick ? { ...rebuilt, model: pick } : rebuilt;
  }
  const path = result.original.path;
  if (!path) {
    throw new UserError('bad-request', 'the result names no original file or refusal to unblock',
      'Use a result of `aup-bisect bisect FILE --out result.json` or `bisect --refusal ID --out result.json`.');
  }
  if (result.original.selection) return (await selectionOf(result, path, pick)).input;
  const { input, original } = await inputFromFile(path, pick);
  if (original.sha256 !== result.original.sha256) {
    throw new UserError('bad-request', `${path} changed since the bisect (its content is not what was bisected)`,
      'Bisect it again, then run unblock on the new result.');
  }
  return input;
}

/**
 * The file's text now, and the bisected selection as a one-part input, checked to be the text that was bisected (the
 * rest of the file may have changed, as long as the selected range still holds exactly that text).
 */
export async function selectionOf(result: BisectResult, path: string, model?: string): Promise<{ fileText: string; bom: number; input: ProbeInput }> {
  const range = result.original.selection!;
  let fileText: string;
  try {
    fileText = await readFile(path, 'utf8');
  } catch (error) {
    throw new UserError('not-found', `cannot read ${path}: ${(error as Error).message}`, 'Bisect the selection again, then make it pass.', { cause: error });
  }
  // An editor's offsets skip a UTF-8 byte order mark (VS Code does not show it); the file read here keeps it.
  const at = fileText.startsWith('\uFEFF') ? 1 : 0;
  const text = fileText.slice(at + range.start, at + range.end);
  if (sha256(text) !== result.original.sha256) {
    throw new UserError('bad-request', `the selected text in ${path} (characters ${range.start}-${range.end}) changed since the bisect`,
      'Save the file if it has unsaved edits, or select the text again and bisect it.');
  }
  const input: ProbeInput = { parts: [{ kind: 'file', text, fileName: result.original.fileName, filePath: path }] };
  if (model) input.model = model;
  return { fileText, bom: at, input };
}

async function deliver(run: UnblockRun, result: BisectResult, original: ProbeInput, outcome: PassSetOutcome, options: UnblockOptions): Promise<void> {
  const touched = new Set(outcome.removals.map((r) => r.part));
  const after = new Map(outcome.partsAfter.map((p, i) => [i, p]));

  if (!result.refusal) {
    // A bisected file: one part, the file itself.
    const part = after.get(0);
    const path = result.original.path!;
    const range = result.original.selection;
    if (range) run.selection = { ...range, sanitized: part?.text ?? '' };
    if (!options.write && !options.replace) return;
    if (!part) {
      run.notes.push(`the whole ${range ? 'selection' : 'file'} had to go: no sanitized copy written`);
      return;
    }
    let content: string | Uint8Array = part.bytes ?? part.text;
    if (range) {
      // Only the selected range is sanitized: the rest of the file is written as it is now (checked to still hold the selection).
      const { fileText, bom } = await selectionOf(result, path);
      content = fileText.slice(0, bom + range.start) + part.text + fileText.slice(bom + range.end);
    }
    const written = await writeSanitized(path, content, options.replace);
    run.written.sanitized.push(written.path);
    if (written.backup) run.written.backup = written.backup;
    return;
  }

  // A refused Claude Code request: the prompt to paste, sanitized copies of files it read, the repaired session.
  const replaced = new Map<string, string>();
  for (const i of touched) {
    const part = original.parts[i]!;
    if (part.kind === 'prompt' || !part.filePath) continue;
    if (!options.write && !options.replace) continue;
    const file = await fileFor(part, i, outcome, after.get(i), options.mask);
    if ('note' in file) {
      run.notes.push(file.note);
      continue;
    }
    const written = await writeSanitized(part.filePath, file.content, options.replace);
    run.written.sanitized.push(written.path);
    if (written.backup) run.written.backup = written.backup;
    replaced.set(part.filePath, written.path);
  }
  const prompts = original.parts.map((p, i) => (p.kind === 'prompt' ? after.get(i)?.text ?? '' : undefined)).filter((t): t is string => t !== undefined);
  if (prompts.length) {
    let prompt = prompts.join('\n');
    // The prompt names the file it had read: point it at the sanitized copy (that path change was not probed).
    for (const [from, to] of replaced) prompt = prompt.split(from).join(to);
    run.prompt = prompt;
  }
  if (options.repairSession) {
    const refusal = result.refusal;
    if (!refusal.transcript || !refusal.refusedUserUuid) {
      run.notes.push('no repaired session: the refusal was seen in a terminal, not in a transcript');
    } else {
      try {
        run.written.session = await repairSession({ transcript: refusal.transcript, refusedUserUuid: refusal.refusedUserUuid });
      } catch (error) {
        if (!(error instanceof RepairError)) throw error;
        run.notes.push(`no repaired session: ${error.message}`);
      }
    }
  }
}

/** The sanitized content of a file a tool showed, or why there is none. */
async function fileFor(part: ProbePart, index: number, outcome: PassSetOutcome, after: ProbePart | undefined, mask?: string): Promise<{ content: string | Uint8Array } | { note: string }> {
  const path = part.filePath!;
  const none = (why: string) => ({ note: `no sanitized copy of ${path}: ${why}` });
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return none((error as Error).message);
  }
  if (part.bytes) {
    // A document (PDF) sent whole: the file must be those bytes; its sanitized copy is the rendered candidate.
    if (sha256(bytes) !== sha256(part.bytes)) return none('it changed since Claude Code read it');
    return after?.bytes ? { content: after.bytes } : none('all of it had to go');
  }
  if (part.toolName !== 'Read') return none(`its content reached the model through ${part.toolName ?? part.kind}, not a Read`);
  const removed = outcome.removals.filter((r) => r.part === index).map((r) => [r.start, r.end] as const);
  const sanitized = sanitizeReadFile(bytes.toString('utf8'), part.text, removed, mask);
  return sanitized === undefined ? none('it no longer holds what Claude Code\'s Read showed') : { content: sanitized };
}


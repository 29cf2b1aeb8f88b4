/**
 * The draft as it leaves: drafted with every secret masked before anything is cut (trace.ts for the trigger, the
 * gate over whole original lines for the context), then passed through the exit gate. The CLI and the extension
 * call these, not draftIssue alone, for anything that is shown, saved, copied, opened or posted.
 */
import type { ProbeInput } from '../probe/oracle/types';
import { draftIssue, draftToMarkdown, type DraftInput, type IssueDraft } from './draft';
import { findSecrets, gateDraft, gateText, type GateContext } from './gate';
import { applySpans, type Span } from './redact';
import { traceSecrets } from './trace';

/** `text`'s lines with every secret the gate sees masked, one entry per line (a key spanning lines is masked on each). */
export async function maskLines(text: string, ctx: GateContext = {}): Promise<string[]> {
  const spans = await findSecrets(text, ctx);
  const lines = text.split('\n');
  const out: string[] = [];
  let start = 0;
  for (const line of lines) {
    const end = start + line.length;
    const pieces: Span[] = [];
    for (const s of spans) {
      const from = Math.max(start, s.start);
      const to = Math.min(end, s.end);
      if (from < to) pieces.push({ ...s, start: from - start, end: to - start, value: s.value });
    }
    out.push(pieces.length > 0 ? applySpans(line, pieces).text : line);
    start = end + 1;
  }
  return out;
}

/**
 * Drafts the issue and gates it. A result from before secrets were traced (no `secrets` on any part) is traced
 * here when its one original text is still at hand.
 */
export async function draftGated(input: DraftInput, ctx: GateContext = {}): Promise<IssueDraft> {
  const gateCtx: GateContext = { ...input.env, ...ctx };
  let result = input.result;
  if (result && input.original !== undefined && result.parts.length === 1 && result.parts.every((p) => p.secrets === undefined)) {
    const part = result.parts[0]!;
    const probe: ProbeInput = { parts: [{ kind: part.kind as ProbeInput['parts'][number]['kind'], text: input.original }] };
    const [spans] = await traceSecrets(probe, result.parts, gateCtx);
    if (spans?.length) result = { ...result, parts: [{ ...part, secrets: spans }] };
  }
  const originalLines = input.original !== undefined ? await maskLines(input.original, gateCtx) : undefined;
  const draft = draftIssue({ ...input, ...(result ? { result } : {}), ...(originalLines ? { originalLines } : {}) });
  const gated = await gateDraft(draft, { ...gateCtx, allow: draft.fakes });
  return { ...draft, title: gated.title, body: gated.body, redactions: [...draft.redactions, ...gated.redactions] };
}

/** What "Copy Markdown" puts on the clipboard: the gated draft as one markdown text. */
export async function clipboardMarkdown(draft: Pick<IssueDraft, 'title' | 'body' | 'fakes'>, ctx: GateContext = {}): Promise<string> {
  const gated = await gateDraft(draft, { ...ctx, allow: draft.fakes });
  return draftToMarkdown(gated);
}

/** A line the CLI prints (titles, paths, messages), through the gate. */
export async function gatedLine(line: string, ctx: GateContext = {}): Promise<string> {
  return (await gateText(line, ctx)).text;
}

/**
 * A JSON value a command prints (`unblock --json`) with every string in it through the gate: the same shape, still
 * valid JSON (gating the serialized text could cut a secret's escape sequence in half).
 */
export async function gatedJson<T>(value: T, ctx: GateContext = {}): Promise<T> {
  if (typeof value === 'string') return (await gatedLine(value, ctx)) as T;
  if (Array.isArray(value)) return (await Promise.all(value.map((v: unknown) => gatedJson(v, ctx)))) as T;
  if (value !== null && typeof value === 'object') {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await gatedJson(v as unknown, ctx)] as const));
    return Object.fromEntries(entries) as T;
  }
  return value;
}

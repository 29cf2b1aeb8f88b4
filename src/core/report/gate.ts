/**
 * The exit gate: the one final redaction that every way text leaves the machine goes through (the filed issue and
 * comments, the browser link, the clipboard, the saved draft, what the CLI prints, attachments). It runs over exactly
 * what leaves, after every edit and cut, with both rule sets: secretlint's recommended preset and our own rules
 * (redact.ts), plus anything the user marked by hand. Redaction that follows the content through the reduction is
 * done before (trace.ts); this gate is the last word, so a secret typed into an edited draft cannot slip out either.
 */
import { PDFDocument, PDFName } from '@cantoo/pdf-lib';
import { applySpans, ownSpans, withoutAllowed, type RedactContext, type RedactOutcome, type Redaction, type Span } from './redact';
import { secretlintSpans } from './secretlint';

export interface GateContext extends RedactContext {
  /** Text the user marked to redact (in the draft view): every occurrence, in any case, is replaced, as "user-marked". */
  marks?: readonly string[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A numbered placeholder as applySpans writes it, e.g. "[REDACTED:user-marked-1]". */
const PLACEHOLDER = /\[REDACTED:[A-Za-z0-9-]+-\d+\]/g;

/**
 * Every occurrence of each mark, in any letter case (a name marked as "BlueFalcon" is as private in a lower-case
 * path), except inside a numbered placeholder: a mark such as "user" or "1" would otherwise
 * mangle the placeholders already in the text (and the one it just wrote, on the gate's next round), while a
 * placeholder holds nothing of the user's.
 */
function markSpans(text: string, marks: readonly string[] | undefined): Span[] {
  const spans: Span[] = [];
  if (!marks?.length) return spans;
  const placeholders = [...text.matchAll(PLACEHOLDER)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  for (const mark of marks) {
    if (mark.trim().length === 0) continue;
    for (const m of text.matchAll(new RegExp(escapeRegExp(mark), 'gi'))) {
      const start = m.index;
      const end = start + m[0].length;
      if (placeholders.some((p) => p.start <= start && end <= p.end)) continue;
      spans.push({ start, end, kind: 'user-marked', value: m[0], ruleSet: 'aup-bisect' });
    }
  }
  return spans;
}

/** Every secret both rule sets (and the user's marks) see in `text`, overlaps unresolved. */
export async function findSecrets(text: string, ctx: GateContext = {}): Promise<Span[]> {
  // Marks first, then secretlint, then our own: on overlap the first kind names the merged span.
  return [...markSpans(text, ctx.marks), ...withoutAllowed(text, await secretlintSpans(text), ctx.allow), ...ownSpans(text, ctx)];
}

/**
 * The final redaction of one text that leaves. Runs until nothing more is found (a replacement can expose a
 * shorter match next to it), at most a few rounds.
 */
export async function gateText(text: string, ctx: GateContext = {}): Promise<RedactOutcome> {
  let current = text;
  const redactions: Redaction[] = [];
  for (let round = 0; round < 4; round++) {
    const spans = await findSecrets(current, ctx);
    if (spans.length === 0) break;
    const outcome = applySpans(current, spans);
    if (outcome.text === current) break;
    // Positions of a later round are in the text of that round; the first round's are in the caller's text.
    redactions.push(...outcome.redactions);
    current = outcome.text;
  }
  return { text: current, redactions };
}

export interface GatedDraft {
  title: string;
  body: string;
  /** What this gate replaced (field "title" or "body"); empty when the draft was already clean. */
  redactions: Redaction[];
}

/** A draft's title and body through the gate: what is posted, saved, copied or printed. */
export async function gateDraft(draft: { title: string; body: string }, ctx: GateContext = {}): Promise<GatedDraft> {
  const [title, body] = await Promise.all([gateText(draft.title, ctx), gateText(draft.body, ctx)]);
  return {
    title: title.text.replace(/[\r\n]+/g, ' '),
    body: body.text,
    redactions: [...title.redactions.map((r) => ({ ...r, field: 'title' })), ...body.redactions.map((r) => ({ ...r, field: 'body' }))],
  };
}

/** https://HOST/O/R/issues/new?title=..&body=..: built by `build` from the gated draft, then checked decoded. */
export async function gateUrl(url: string, ctx: GateContext = {}): Promise<string> {
  const parsed = new URL(url);
  let changed = false;
  for (const [key, value] of [...parsed.searchParams.entries()]) {
    const gated = await gateText(value, ctx);
    if (gated.text !== value) {
      parsed.searchParams.set(key, gated.text);
      changed = true;
    }
  }
  return changed ? parsed.toString() : url;
}

export interface GatedAttachment {
  /** The rewritten file: only what the trigger needs. */
  bytes: Uint8Array;
  /** The file name as it may be shown (redacted). */
  fileName: string;
  /** Set when the file must not be attached: it still holds a secret the gate cannot mask inside the file. */
  blocked?: string;
  /** Secrets found in the file's text or name (the name's are masked; the text's block the file). */
  redactions: Redaction[];
}

/**
 * A PDF attachment rewritten to hold only its pages' drawing: the pages are copied into a new document, which
 * leaves behind the Info dictionary (author, title, producer), the XMP metadata stream, outlines, names, forms,
 * structure tree and every object no page uses. pdf-lib writes no Info of its own with `updateMetadata: false`.
 * The result is then read back whole (every string, every decoded stream) through the gate: anything found blocks it.
 */
export async function gateAttachment(bytes: Uint8Array, fileName: string, ctx: GateContext = {}): Promise<GatedAttachment> {
  const name = await gateText(fileName, ctx);
  const source = await PDFDocument.load(bytes, { updateMetadata: false, ignoreEncryption: false });
  const out = await PDFDocument.create({ updateMetadata: false });
  const pages = await out.copyPages(source, source.getPageIndices());
  for (const page of pages) {
    // Page-level metadata and private application data are not drawing.
    for (const key of ['Metadata', 'PieceInfo', 'Annots', 'Thumb', 'B']) page.node.delete(PDFName.of(key));
    out.addPage(page);
  }
  const rewritten = await out.save({ useObjectStreams: false, updateFieldAppearances: false });
  const text = await pdfReadableText(rewritten);
  const found = await gateText(text, ctx);
  const redactions = [...name.redactions.map((r) => ({ ...r, field: 'file name' })), ...found.redactions.map((r) => ({ ...r, field: 'attachment' }))];
  const result: GatedAttachment = { bytes: rewritten, fileName: name.text, redactions };
  if (found.redactions.length > 0) {
    result.blocked = `the file still holds ${found.redactions.length === 1 ? 'a value' : `${found.redactions.length} values`} the gate redacts (${[...new Set(found.redactions.map((r) => r.kind))].join(', ')}): do not attach it`;
  }
  return result;
}

/**
 * Everything a reader of the file could get at, as text: the raw file (latin1) plus every stream decoded, so a
 * secret inside a compressed content stream or a metadata stream is seen too.
 */
export async function pdfReadableText(bytes: Uint8Array): Promise<string> {
  const { inflateSync } = await import('node:zlib');
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const pieces = [Buffer.from(bytes).toString('latin1')];
  for (const [, object] of doc.context.enumerateIndirectObjects()) {
    const contents = (object as { contents?: Uint8Array }).contents;
    if (!(contents instanceof Uint8Array)) continue;
    try {
      pieces.push(inflateSync(contents).toString('latin1'));
    } catch {
      pieces.push(Buffer.from(contents).toString('latin1'));
    }
  }
  return pieces.join('\n');
}

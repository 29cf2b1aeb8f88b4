/**
 * Token estimates made before a probe is sent, for budgets: text by the one estimator (src/core/tokens.ts), plus the
 * overheads of blocks and PDF pages. The metering wrapper also scales estimates up by the worst ratio of real to
 * estimated tokens it has seen, so a budget holds even where this guess is low.
 */
import { estimateTextTokens } from '../../tokens';
import { systemText, type ProbeInput, type ProbePart } from './types';

export { estimateTextTokens };

/** Tokens the Messages API adds around each content block and message. */
const PER_PART_OVERHEAD = 12;
const PER_REQUEST_OVERHEAD = 16;
/** A PDF page costs text plus a page image; ~1,600 tokens a page is the documented typical figure, we take more. */
const PDF_TOKENS_PER_PAGE = 3_000;

function pdfPages(bytes: Uint8Array): number {
  // Counting "/Type /Page" objects is rough but never zero for a valid PDF; compressed object streams hide them, so
  // the byte-size bound below keeps the estimate from collapsing.
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const pages = latin1.match(/\/Type\s*\/Page(?![s\w])/g)?.length ?? 0;
  return Math.max(1, pages);
}

export function estimatePartTokens(part: ProbePart): number {
  if (part.bytes && isPdf(part)) {
    return Math.max(pdfPages(part.bytes) * PDF_TOKENS_PER_PAGE, Math.ceil(part.bytes.byteLength / 3)) + PER_PART_OVERHEAD;
  }
  if (part.bytes && part.kind === 'image') return 1_600 + PER_PART_OVERHEAD;
  return estimateTextTokens(part.text) + PER_PART_OVERHEAD;
}

export function estimateInputTokens(input: ProbeInput, defaultSystem = ''): number {
  let total = PER_REQUEST_OVERHEAD + estimateTextTokens(input.system === undefined ? defaultSystem : systemText(input.system));
  for (const part of input.parts) total += estimatePartTokens(part);
  return total;
}

export function isPdf(part: ProbePart): boolean {
  if (part.mediaType === 'application/pdf') return true;
  if (part.fileName && /\.pdf$/i.test(part.fileName)) return true;
  if (part.bytes && part.bytes.byteLength >= 5) {
    return Buffer.from(part.bytes.buffer, part.bytes.byteOffset, 5).toString('latin1') === '%PDF-';
  }
  return false;
}

/** Bytes of candidate content a probe carries (what `bytesSent` adds up). */
export function inputBytes(input: ProbeInput): number {
  let total = 0;
  for (const part of input.parts) total += part.bytes ? part.bytes.byteLength : Buffer.byteLength(part.text, 'utf8');
  return total;
}

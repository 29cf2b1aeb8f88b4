/**
 * The ledger asks the detector's signatures (src/core/refusal/signatures.ts) whether a text is a refusal; it keeps
 * no wording of its own. This adapter narrows the match to what a ledger entry needs.
 */
import { matchRefusalText, modelIdFromLabel } from '../refusal/signatures';
import type { RecognisedRefusal } from './extract';

export function recogniseRefusal(text: string): RecognisedRefusal | undefined {
  const match = matchRefusalText(text);
  if (!match) return undefined;
  const out: RecognisedRefusal = { kind: match.kind };
  if (match.requestId) out.requestId = match.requestId;
  if (match.category) out.category = match.category;
  if (match.explanation) out.explanation = match.explanation;
  if (match.modelLabel) out.model = modelIdFromLabel(match.modelLabel);
  return out;
}

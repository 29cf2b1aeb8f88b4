/**
 * The ONE token estimator: how many tokens a text is taken to be wherever no service has counted it yet (a probe's
 * estimate before it is sent, the system prompt's size in a result, a refused request the ledger has no usage for).
 * It sits beside the feature folders, like prices.ts, so the ledger and the oracles share it without reaching into
 * each other.
 *
 * No tokenizer of the current Claude models is published (libraries.md names none), so this is a ratio. Calibrated on
 * Claude Code's real system prompt, the api-request-shape blocks of the 18 fixture transcripts (2.1.328 and 2.1.332):
 * 130,084 characters, 30,524 tokens by @anthropic-ai/tokenizer 0.0.4 (Anthropic's published Claude tokenizer, exact
 * only for pre-Claude-3 models), i.e. 4.26 characters per token. 4 keeps the estimate a little high (+6% there), as a
 * budget wants; the metering wrapper scales estimates by the worst real/estimated ratio it sees, so a low guess
 * corrects itself after the first answers. Characters outside ASCII (CJK, accents, dashes) count one token each.
 */

/** ASCII characters per token (see above for the calibration). */
export const CHARS_PER_TOKEN = 4;

export function estimateTextTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) ascii++;
    else if (code >= 0xdc00 && code <= 0xdfff) continue; // low surrogate: counted with its high half
    else other++;
  }
  return Math.ceil(ascii / CHARS_PER_TOKEN) + other;
}

/** For content known only by its UTF-8 size (mostly ASCII JSON and prose): the same ratio, per byte. */
export function estimateBytesTokens(bytes: number): number {
  return Math.ceil(bytes / CHARS_PER_TOKEN);
}

/**
 * Fake oracles for unit tests of our own code (the real clients are tested against loopback servers): each answers
 * from the request it is sent, so a test reads as "refused while ...", and keeps every request for the test to check.
 */
import type { Oracle, ProbeInput, Verdict } from '../../src/core/probe/oracle/types';

/** The text of a request's parts, joined as a classifier reading the whole request would see it. */
export const requestText = (input: ProbeInput): string => input.parts.map((p) => p.text).join('\n');

/** An oracle refusing every request `refuses` says so of; `sent` holds the requests in the order they came. */
export function scriptedOracle(
  refuses: (input: ProbeInput) => boolean,
  options: { name?: string; model?: string } = {},
): Oracle & { sent: ProbeInput[] } {
  const sent: ProbeInput[] = [];
  return {
    name: options.name ?? 'scripted',
    ...(options.model ? { model: options.model } : {}),
    sent,
    probe: async (input): Promise<Verdict> => {
      sent.push(input);
      return { refused: refuses(input), usage: { inputTokens: 10, outputTokens: 1 }, costUsd: 0, bytesSent: requestText(input).length, latencyMs: 0 };
    },
  };
}

/** Refuses every request whose text holds `phrase` (every request, for ''). */
export const phraseOracle = (phrase: string): Oracle & { sent: ProbeInput[] } => scriptedOracle((input) => requestText(input).includes(phrase));

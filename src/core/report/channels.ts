/**
 * How the draft words a refusal the controls pinned on a channel no bisect can cut (bisect/attribution.ts): the one
 * place these sentences live. Each states only the rates the run measured, and what the user can do.
 */
import { CONTROL_PROMPT, flaggedBeforeBisect, type Attribution } from '../bisect/attribution';
import type { BisectResult } from '../bisect/result';

const rate = (r: { refused: number; of: number }): string => `${r.refused}/${r.of}`;
const control = `a content-free control (\`${CONTROL_PROMPT}\` in the same context and model)`;

/** The sentence for a result the controls ended (status not-attributable, nothing bisected); undefined otherwise. */
export function flaggedChannelText(result: Pick<BisectResult, 'status' | 'minimal' | 'attribution'>): string | undefined {
  if (!flaggedBeforeBisect(result)) return undefined;
  return channelText(result.attribution!);
}

function channelText(a: Attribution): string | undefined {
  switch (a.channel) {
    case 'session':
      if (!a.withSession) return undefined;
      return `The service flagged the session, not a message: ${control} was refused ${rate(a.withSession)} when sent with the ` +
        `session's id (the \`x-claude-code-session-id\` header and \`metadata.user_id\`, as Claude Code sends them) and ` +
        `${rate(a.control)} without it, so the refused content itself was not bisected.`;
    case 'system-prompt':
      if (!a.withoutSystemPrompt) return undefined;
      return `Claude Code's own system prompt carries the refusal: ${control} was refused ${rate(a.control)}, and ` +
        `${rate(a.withoutSystemPrompt)} with a one-line system prompt in its place.`;
    case 'fixed-prompt':
      return `The text Claude Code sends with every request carries the refusal: ${control} was refused ${rate(a.control)}` +
        `${a.withoutClaudeMd ? `, and ${rate(a.withoutClaudeMd)} without CLAUDE.md / memory` : ''}.`;
    default:
      return undefined;
  }
}

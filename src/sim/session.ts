/**
 * Sessions the stand-in holds flagged, as the service does: a rule with `flagsSession` that refuses a request marks
 * the request's session, and every later request carrying that session's id is refused whatever it holds
 * ("X's safeguards flagged this session"). Claude Code 2.1.328 names its session twice per request: the header
 * `x-claude-code-session-id` and `metadata.user_id`, a JSON string {"device_id", "account_uuid", "session_id"}.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { SimRule } from './classifier';

export const SESSION_HEADER = 'x-claude-code-session-id';

/** The session id a request carries (the header first, else metadata.user_id's session_id); undefined when none. */
export function sessionIdOf(headers: IncomingHttpHeaders, body: { metadata?: unknown; [field: string]: unknown }): string | undefined {
  const header = headers[SESSION_HEADER];
  const fromHeader = (Array.isArray(header) ? header[0] : header)?.trim();
  if (fromHeader) return fromHeader;
  const userId = (body.metadata as { user_id?: unknown } | undefined)?.user_id;
  if (typeof userId !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(userId);
    const id = typeof parsed === 'object' && parsed !== null ? (parsed as { session_id?: unknown }).session_id : undefined;
    return typeof id === 'string' && id.trim() !== '' ? id.trim() : undefined;
  } catch {
    // A plain user id (not Claude Code's JSON) names no session.
    return undefined;
  }
}

/** Flagged session ids and the rule that flagged each, for the server's lifetime. */
export class FlaggedSessions {
  private readonly flagged = new Map<string, SimRule>();

  /** Marks `sessionId` when `rule` flags sessions; the first rule to flag a session keeps it. */
  refusedBy(sessionId: string | undefined, rule: SimRule | undefined): void {
    if (sessionId === undefined || !rule?.flagsSession || this.flagged.has(sessionId)) return;
    this.flagged.set(sessionId, rule);
  }

  /** The rule that flagged this session, or undefined (always for a request without a session id). */
  ruleFor(sessionId: string | undefined): SimRule | undefined {
    return sessionId === undefined ? undefined : this.flagged.get(sessionId);
  }
}

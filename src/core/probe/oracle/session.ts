/**
 * How a probe names a Claude Code session, exactly as Claude Code 2.1.328 does on every request: the header
 * `x-claude-code-session-id` and `metadata.user_id`, a JSON string {"device_id", "account_uuid", "session_id"}.
 * device_id is sent empty: Claude Code's is the user's machine id, which we neither read nor should forge, and a
 * made-up one would look like another device on the user's account; the session id is what the service keys a
 * flagged session on. account_uuid is empty too, as Claude Code sends it with an API key.
 */
import type { ProbeInput } from './types';

export const SESSION_HEADER = 'x-claude-code-session-id';

export interface SessionIdentity {
  headers: Record<string, string>;
  metadata: { user_id: string };
}

/** The header and metadata of `input.session`, or undefined for a fresh probe (the default). */
export function sessionIdentity(session: ProbeInput['session']): SessionIdentity | undefined {
  if (!session || session.id.trim() === '') return undefined;
  return {
    headers: { [SESSION_HEADER]: session.id },
    metadata: { user_id: JSON.stringify({ device_id: '', account_uuid: '', session_id: session.id }) },
  };
}

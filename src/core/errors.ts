/**
 * The one error type a user sees: what went wrong (`message`), what to do about it (`hint`, one sentence), a `kind`
 * for scripts (`--json`) and the extension's buttons, and the `cause` it came from (kept for logs, never shown).
 * Oracle failures (OracleError) and GitHub failures (GitHubError) are UserErrors with their own kinds; anything
 * else a user can meet (a bad flag, an unreadable file, a cache folder that cannot be written) is a UserError too.
 * `formatUserError` is the one way to turn any error into text, used by every CLI command and the extension, so a
 * hint is never dropped on one path and printed on another.
 */

export type UserErrorKind =
  // Reaching a service: the Messages API, `claude -p`, GitHub.
  | 'auth'
  | 'rate-limit'
  | 'overloaded'
  | 'network'
  | 'validation'
  // What the user asked for.
  | 'not-found'
  | 'bad-request'
  | 'usage'
  // A run that stopped on purpose: what was learnt is kept.
  | 'budget'
  | 'cancelled'
  | 'other';

export class UserError extends Error {
  override readonly name: string = 'UserError';
  constructor(
    readonly kind: UserErrorKind,
    message: string,
    /** What the user should do about it, in one sentence. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The parts of any error a user is shown: a plain Error (a bug, or a library's) is kind "other" without a hint. */
export interface UserErrorView {
  kind: UserErrorKind;
  message: string;
  hint?: string;
}

export function describeUserError(error: unknown): UserErrorView {
  if (error instanceof UserError) return error.hint ? { kind: error.kind, message: error.message, hint: error.hint } : { kind: error.kind, message: error.message };
  return { kind: 'other', message: error instanceof Error ? error.message : String(error) };
}

/**
 * An error as text. "lines" (the CLI, logs): the message, then the hint indented on its own line. "sentence" (a
 * notification, a status line): the message and the hint as one line.
 */
export function formatUserError(error: unknown, layout: 'lines' | 'sentence' = 'lines'): string {
  const { message, hint } = describeUserError(error);
  if (!hint || message.includes(hint)) return message;
  return layout === 'lines' ? `${message}\n  ${hint}` : `${message.replace(/[.\s]+$/, '')}. ${hint}`;
}

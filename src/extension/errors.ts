/**
 * How a failure reads to the user. Every error the extension shows (notifications, the bisect and draft views)
 * is worded here, so the core's coming `formatUserError` replaces `errorText` in one line.
 */
import { log } from './logger';
import { showErrorMessage } from './vscodeapi';

/** The message, then what to do about it when the error carries a hint (the core's oracle and GitHub errors do). */
export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const hint = (error as { hint?: unknown }).hint;
    return typeof hint === 'string' && hint ? `${error.message}. ${hint}` : error.message;
  }
  return String(error);
}

/** An error notification with a "Show Log" button; the full error (with its stack) goes to the log. */
export function showError(what: string, error: unknown): void {
  log.error(`${what} failed`, error);
  void showErrorMessage(`AUP Bisect: ${errorText(error)}`, 'Show Log').then((choice) => choice && log.show());
}

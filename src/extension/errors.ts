/**
 * How a failure reads to the user. Every error the extension shows (notifications, the bisect and draft views)
 * is worded by the core's one formatter (the CLI prints the same words).
 */
import { formatUserError } from '../core/errors';
import { log } from './logger';
import { showErrorMessage } from './vscodeapi';

/** The message, then what to do about it when the error carries a hint (the core's oracle and GitHub errors do). */
export function errorText(error: unknown): string {
  return formatUserError(error, 'sentence');
}

/** An error notification with a "Show Log" button; the full error (with its stack) goes to the log. */
export function showError(what: string, error: unknown): void {
  log.error(`${what} failed`, error);
  void showErrorMessage(`AUP Bisect: ${errorText(error)}`, 'Show Log').then((choice) => choice && log.show());
}

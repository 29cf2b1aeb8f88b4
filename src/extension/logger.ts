/**
 * One LogOutputChannel for the whole extension ("AUP Bisect"), created on first use so activation stays cheap.
 * Never log secrets: callers pass messages, not request bodies or keys.
 */
import type * as vscode from 'vscode';
import { createLogOutputChannel } from './vscodeapi';

// Kept on globalThis because two bundles (dist/extension.js and dist/extension-heavy.js) each hold a copy of this
// module, and the extension must still have a single output channel.
const KEY = Symbol.for('aupBisect.logChannel');
const holder = globalThis as { [KEY]?: vscode.LogOutputChannel };

function get(): vscode.LogOutputChannel {
  holder[KEY] ??= createLogOutputChannel('AUP Bisect');
  return holder[KEY];
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

export const log = {
  trace: (message: string): void => get().trace(message),
  debug: (message: string): void => get().debug(message),
  info: (message: string): void => get().info(message),
  warn: (message: string): void => get().warn(message),
  error: (message: string, error?: unknown): void => get().error(error === undefined ? message : `${message}: ${describe(error)}`),
  show: (): void => get().show(true),
  dispose: (): void => {
    holder[KEY]?.dispose();
    delete holder[KEY];
  },
};

/**
 * Registers every "AUP Bisect: ..." command: each feature file under commands/ supplies the handlers for its ids,
 * the raw arguments are checked against each command's declared shape (args.ts), and a failure becomes one error
 * notification with what to do (errors.ts) instead of an unhandled rejection.
 */
import type * as vscode from 'vscode';
import type { Container } from '../container';
import { showError } from '../errors';
import { registerCommand } from '../vscodeapi';
import { apiKeyCommands } from './apiKey';
import { argParsers } from './args';
import { bisectCommands } from './bisect';
import { draftCommands } from './draft';
import { Commands, type CommandHandlers, type CommandId } from './ids';
import { makeItPassCommands } from './makeItPass';
import { measureModelsCommands } from './measureModels';
import { probeCacheCommands } from './probeCache';
import { refusalCommands } from './refusal';
import { resultCommands } from './result';
import { viewCommands } from './views';

export function commandHandlers(c: Container): CommandHandlers<CommandId> {
  return {
    ...bisectCommands(c),
    ...draftCommands(c),
    ...apiKeyCommands(c),
    ...probeCacheCommands(c),
    ...refusalCommands(c),
    ...resultCommands(c),
    ...viewCommands(c),
    ...makeItPassCommands(c),
    ...measureModelsCommands(c),
  };
}

export function registerCommands(c: Container): vscode.Disposable[] {
  const handlers = commandHandlers(c);
  return Object.values(Commands).map((id) => registerCommand(id, (...raw: unknown[]) => run(id, handlers, raw)));
}

async function run<K extends CommandId>(id: K, handlers: CommandHandlers<CommandId>, raw: readonly unknown[]): Promise<unknown> {
  // TypeScript cannot tie handlers[K] to argParsers[K] for a generic K; both are declared per id in ids.ts.
  const handler = handlers[id] as (...args: unknown[]) => Promise<unknown>;
  try {
    return await handler(...argParsers[id](raw));
  } catch (error) {
    showError(id, error);
    return undefined;
  }
}

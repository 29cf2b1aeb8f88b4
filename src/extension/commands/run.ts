/** Runs one of our commands with its typed arguments (what notifications, views and flows use to hand over). */
import { executeCommand } from '../vscodeapi';
import type { CommandArgs, CommandId, CommandResults } from './ids';

export function runCommand<K extends CommandId>(id: K, ...args: CommandArgs[K]): Thenable<CommandResults[K]> {
  return executeCommand<CommandResults[K]>(id, ...args);
}

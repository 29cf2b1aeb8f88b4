/** Set / Remove Anthropic API Key: the key lives in VS Code SecretStorage (the OS keychain), never in settings or logs. */
import type { Container } from '../container';
import { log } from '../logger';
import { API_KEY_SECRET } from '../oracleChoice';
import { showInformationMessage, showInputBox } from '../vscodeapi';
import { Commands, type CommandHandlers } from './ids';

type Ids = typeof Commands.setApiKey | typeof Commands.clearApiKey;

export function apiKeyCommands(c: Container): CommandHandlers<Ids> {
  const setApiKey = async (given?: string): Promise<boolean> => {
    const key =
      given ??
      (await showInputBox({
        title: 'Anthropic API key for bisect probes',
        prompt: 'Stored in VS Code SecretStorage (the OS keychain), never in settings or logs.',
        password: true,
        ignoreFocusOut: true,
        placeHolder: 'sk-ant-...',
        validateInput: (v) => (v.trim().length < 8 ? 'That is too short to be an API key.' : undefined),
      }));
    if (!key?.trim()) return false;
    await c.context.secrets.store(API_KEY_SECRET, key.trim());
    log.info('Anthropic API key stored in SecretStorage');
    if (given === undefined) void showInformationMessage('AUP Bisect: API key saved. Bisects now probe the Anthropic API.');
    return true;
  };

  const clearApiKey = async (): Promise<void> => {
    await c.context.secrets.delete(API_KEY_SECRET);
    void showInformationMessage('AUP Bisect: API key removed from SecretStorage.');
  };

  return { [Commands.setApiKey]: setApiKey, [Commands.clearApiKey]: clearApiKey };
}

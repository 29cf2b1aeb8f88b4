/**
 * Which oracle a bisect uses. "auto": an API key in SecretStorage (or ANTHROPIC_API_KEY) -> the Messages API;
 * else a `claude` binary found -> `claude -p` with the user's login; else ask.
 */
import { access, constants } from 'node:fs/promises';
import * as path from 'node:path';
import type { OracleConfig } from '../core/probe/oracle/index';
import type { Settings } from './settings';
import { executeCommand, isWorkspaceTrusted, showQuickPick } from './vscodeapi';

export const API_KEY_SECRET = 'aupBisect.anthropicApiKey';

export interface SecretReader {
  get(key: string): Thenable<string | undefined>;
}

export class OracleChoiceError extends Error {}

/** The first executable `claude` on PATH (or the configured path), or undefined. */
export async function findClaude(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const candidates = configured
    ? [configured]
    : (env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, process.platform === 'win32' ? 'claude.exe' : 'claude'));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

async function apiKey(secrets: SecretReader): Promise<string | undefined> {
  return (await secrets.get(API_KEY_SECRET)) ?? (process.env.ANTHROPIC_API_KEY?.trim() || undefined);
}

export async function chooseOracle(settings: Settings, secrets: SecretReader, model?: string): Promise<OracleConfig | undefined> {
  const base = { model: settings.model ?? model };
  const api = async (): Promise<OracleConfig> => {
    const key = await apiKey(secrets);
    if (!key) throw new OracleChoiceError('No Anthropic API key: run "AUP Bisect: Set Anthropic API Key", or set aupBisect.oracle to "claude".');
    return { kind: 'api', ...base, apiKey: key, baseUrl: settings.apiBaseUrl };
  };
  const claude = async (): Promise<OracleConfig> => {
    const binary = await findClaude(settings.claudePath);
    if (!binary) {
      throw new OracleChoiceError(settings.claudePath
        ? `aupBisect.claudePath (${settings.claudePath}) is not an executable file: fix the setting or clear it to search PATH.`
        : 'No `claude` binary on PATH: install Claude Code, set aupBisect.claudePath, or set an API key.');
    }
    return { kind: 'claude', ...base, claudeBinary: binary };
  };
  switch (settings.oracle) {
    case 'api':
      return api();
    case 'claude':
      return claude();
    case 'sim':
      return { kind: 'sim', ...base };
    case 'command':
      if (!settings.testCommand) {
        throw new OracleChoiceError(isWorkspaceTrusted()
          ? 'aupBisect.oracle is "command" but aupBisect.testCommand is empty: set it in your user settings.'
          : 'The test command is disabled in this untrusted workspace: trust the workspace or pick another oracle.');
      }
      return { kind: 'command', command: settings.testCommand };
    case 'auto': {
      if (await apiKey(secrets)) return api();
      if (await findClaude(settings.claudePath)) return claude();
      const pick = await showQuickPick(
        [
          { label: 'Set Anthropic API Key...', id: 'key' as const, detail: 'Probe the Messages API with your key (stored in VS Code SecretStorage).' },
          { label: 'Use the offline demo stand-in', id: 'sim' as const, detail: 'Free; shows how a bisect works, does not probe the real classifier.' },
        ],
        { title: 'AUP Bisect: no API key and no `claude` binary found. How should refusals be probed?', ignoreFocusOut: true },
      );
      if (pick?.id === 'key') {
        await executeCommand('aupBisect.setApiKey');
        return (await apiKey(secrets)) ? api() : undefined;
      }
      if (pick?.id === 'sim') return { kind: 'sim', ...base };
      return undefined;
    }
  }
}

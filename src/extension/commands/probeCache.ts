/** Clear Probe Cache: forget every cached verdict, so the next bisect asks the oracle (and pays) again. */
import { rm } from 'node:fs/promises';
import type { Container } from '../container';
import { log } from '../logger';
import { showInformationMessage } from '../vscodeapi';
import { Commands, type CommandHandlers } from './ids';

export function probeCacheCommands(c: Container): CommandHandlers<typeof Commands.clearProbeCache> {
  return {
    [Commands.clearProbeCache]: async () => {
      const { defaultCacheDir } = await c.heavy();
      const dir = defaultCacheDir();
      await rm(dir, { recursive: true, force: true });
      log.info(`probe cache cleared: ${dir}`);
      void showInformationMessage(`AUP Bisect: probe cache cleared (${dir}). The next bisect pays for every probe again.`);
    },
  };
}

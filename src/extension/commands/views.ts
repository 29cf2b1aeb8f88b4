/** The view-level commands: Refresh Refusals (restart the watchers), Show Log, Show Refusal Ledger. */
import type { Container } from '../container';
import { log } from '../logger';
import { Commands, type CommandHandlers } from './ids';

type Ids = typeof Commands.refreshRefusals | typeof Commands.showLog | typeof Commands.showLedger;

export function viewCommands(c: Container): CommandHandlers<Ids> {
  return {
    [Commands.refreshRefusals]: async () => {
      c.ready = c.startWatchers();
      await c.ready;
      c.tree.refresh();
    },
    [Commands.showLog]: async () => log.show(),
    [Commands.showLedger]: async () => {
      const { showLedgerView, resolveProjectsDir } = await c.heavy();
      showLedgerView(c.context, { projectsDir: c.watcher.watchedDir ?? resolveProjectsDir(c.settings().transcriptDir), log: (m) => log.info(`ledger: ${m}`) });
    },
  };
}

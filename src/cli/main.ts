/**
 * `aup-bisect`: the command line over src/core. Each command lives in src/cli/commands/<name>.ts and exports
 * `register(program)`; this file only wires them up, so adding a command touches one line here.
 */
import { Command } from 'commander';
import { version } from '../../package.json';
import { formatUserError } from '../core/errors';
import { register as registerSim } from './commands/sim';
import { register as registerBisect } from './commands/bisect';
import { register as registerDraft } from './commands/draft';
import { register as registerFile } from './commands/file';
import { register as registerDemo } from './commands/demo';
import { register as registerLedger } from './commands/ledger';
import { register as registerScan } from './commands/scan';
import { register as registerWatch } from './commands/watch';
import { register as registerDetect } from './commands/detect';
import { register as registerUnblock } from './commands/unblock';
import { register as registerEvidence } from './commands/evidence';

const program = new Command('aup-bisect')
  .description('Notice Claude Code refusals, bisect them to the minimal trigger, and draft a reproducible issue.')
  .version(version)
  .showHelpAfterError();

// Commands register themselves below, one line each.
registerScan(program);
registerWatch(program);
registerDetect(program);
registerLedger(program);
registerSim(program);
registerBisect(program);
registerDraft(program);
registerFile(program);
registerDemo(program);
registerUnblock(program);
registerEvidence(program);

// Every command's failure ends here (bisect, unblock and evidence report their own through runCommand, for --json):
// the message and what to do about it.
program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`aup-bisect: ${formatUserError(error)}\n`);
  process.exitCode = 1;
});

/** `aup-bisect watch`: print each new refusal as Claude Code writes it. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { RefusalDeduper } from '../../core/refusal/dedupe';
import { resolveProjectsDir } from '../../core/transcript/locate';
import { printable } from '../../core/transcript/printable';
import { TranscriptTailer } from '../../core/transcript/tail';
import { exitQuietlyOnClosedPipe, formatRecord } from './scan';

interface WatchFlags {
  claudeDir?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('watch')
    .description('Print each new refusal as Claude Code writes it to a transcript (Ctrl-C to stop)')
    .option('--claude-dir <dir>', 'Claude Code config dir holding projects/, or a folder of .jsonl transcripts (default: $CLAUDE_CONFIG_DIR or ~/.claude)')
    .option('--json', 'one JSON refusal record per line')
    .action(async (flags: WatchFlags) => {
      exitQuietlyOnClosedPipe();
      const projectsDir = resolveProjectsDir(flags.claudeDir);
      const tailer = new TranscriptTailer(projectsDir, {
        onError: (error) => process.stderr.write(`warning: ${printable(error instanceof Error ? error.message : String(error))}\n`),
        onWarning: (message) => process.stderr.write(`warning: ${printable(message)}\n`),
      });
      // One refusal can reach two transcripts (a resumed or forked session copies the history into a new file, which
      // is read from its start): the same request ids are the same refusal, printed once.
      const deduper = new RefusalDeduper();
      tailer.onRefusal((record) => {
        const requestIds = record.models.flatMap((m) => (m.requestId ? [m.requestId] : []));
        const { isNew } = deduper.observe({ source: 'transcript', id: record.id, requestIds, message: record.message, at: Date.parse(record.timestamp) || Date.now() });
        if (isNew) process.stdout.write(`${formatRecord(record, flags.json === true)}\n`);
      });
      await tailer.start();
      const missing = existsSync(projectsDir) ? '' : ' (it does not exist yet: waiting for Claude Code to create it)';
      process.stderr.write(`watching ${printable(projectsDir)}${missing} for refusals (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          tailer.dispose();
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        // fs.watch is not persistent here, so keep the process alive until a signal.
        setInterval(() => undefined, 1 << 30);
      });
      process.exit(0);
    });
}

/**
 * `aup-bisect detect`: find refusals in terminal output (a pty capture with its escape codes, or plain text as
 * `tmux capture-pane -p` or a paste gives it), or in `claude -p` JSON / stream-json output (read by structure).
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Command } from 'commander';
import type { TerminalRefusal } from '../../core/refusal/record';
import { RefusalDetector } from '../../core/refusal/detect';
import { printable, printableJson } from '../../core/transcript/printable';
import { exitQuietlyOnClosedPipe } from './scan';
import { UserError } from '../../core/errors';

interface DetectFlags {
  json?: boolean;
  cols: string;
  rows: string;
}

function format(found: TerminalRefusal, json: boolean): string {
  if (json) return printableJson(found);
  const fields = [found.kind, `generation ${found.generation}`];
  if (found.model) fields.push(found.fallbackModel ? `${found.model} → ${found.fallbackModel}` : found.model);
  if (found.category) fields.push(`[${found.category}]`);
  fields.push(found.requestId ?? '-');
  if (found.scope === 'session') fields.push('session flagged');
  if (found.relayedBy) fields.push(`relayed by ${found.relayedBy.join(' / ')}`);
  if (found.unrecognisedWording !== undefined) fields.push('unrecognised wording');
  const flat = found.message.slice(0, 400).replace(/\s+/g, ' ');
  fields.push(`"${flat.length > 100 ? `${flat.slice(0, 99)}…` : flat}"`);
  return printable(fields.join('  '));
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 2) throw new UserError('usage', `${flag} ${value}: give a whole number of at least 2`);
  return n;
}

export function register(program: Command): void {
  program
    .command('detect')
    .description('Find refusals in terminal output (a script/tmux capture, escape codes and all, or plain text) or in claude -p JSON/stream-json output; exit 1 when there are none')
    .argument('[file]', 'the capture or output; - or nothing reads standard input', '-')
    .option('--json', 'one JSON object per refusal')
    .option('--cols <n>', 'terminal width the capture was made at', '120')
    .option('--rows <n>', 'terminal height the capture was made at', '50')
    .action(async (file: string, flags: DetectFlags) => {
      exitQuietlyOnClosedPipe();
      const json = flags.json === true;
      const detector = new RefusalDetector({ cols: positive(flags.cols, '--cols'), rows: positive(flags.rows, '--rows') });
      const input = file === '-' ? process.stdin : createReadStream(file);
      const decoder = new StringDecoder('utf8');
      let found = 0;
      const emit = (list: TerminalRefusal[]): void => {
        for (const refusal of list) {
          found++;
          process.stdout.write(`${format(refusal, json)}\n`);
        }
      };
      try {
        for await (const chunk of input) emit(detector.write(decoder.write(chunk as Buffer)));
      } catch (error) {
        throw new UserError('not-found', `cannot read ${file === '-' ? 'standard input' : file}: ${(error as Error).message}`, 'Pass a terminal capture file, or - to read standard input.', { cause: error });
      }
      emit(detector.write(decoder.end()));
      emit(detector.end());
      if (found === 0) {
        process.stderr.write('no refusal found\n');
        process.exitCode = 1;
      }
    });
}

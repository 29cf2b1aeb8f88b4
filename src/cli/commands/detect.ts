/** `aup-bisect detect`: find refusals in a raw terminal capture (or a `claude -p --output-format json` result). */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Command } from 'commander';
import { matchPrintResult, type PrintResult } from '../../core/refusal/signatures';
import { TerminalRefusalScanner, type TerminalRefusal } from '../../core/refusal/terminal';
import { exitQuietlyOnClosedPipe } from './scan';
import { UserError } from '../../core/errors';

interface DetectFlags {
  json?: boolean;
  cols: string;
  rows: string;
}

function format(found: TerminalRefusal, json: boolean): string {
  if (json) return JSON.stringify(found);
  const fields = [found.kind, `generation ${found.generation}`];
  if (found.model) fields.push(found.fallbackModel ? `${found.model} → ${found.fallbackModel}` : found.model);
  if (found.category) fields.push(`[${found.category}]`);
  fields.push(found.requestId ?? '-');
  const flat = found.message.replace(/\s+/g, ' ');
  fields.push(`"${flat.length > 100 ? `${flat.slice(0, 99)}…` : flat}"`);
  return fields.join('  ');
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 2) throw new UserError('usage', `${flag} ${value}: give a whole number of at least 2`);
  return n;
}

export function register(program: Command): void {
  program
    .command('detect')
    .description('Find refusals in a raw terminal capture (script/tmux output, escape codes and all); exit 1 when there are none')
    .argument('[file]', 'the capture; - or nothing reads standard input', '-')
    .option('--json', 'one JSON object per refusal')
    .option('--cols <n>', 'terminal width the capture was made at', '120')
    .option('--rows <n>', 'terminal height the capture was made at', '50')
    .action(async (file: string, flags: DetectFlags) => {
      exitQuietlyOnClosedPipe();
      const json = flags.json === true;
      const scanner = new TerminalRefusalScanner({ cols: positive(flags.cols, '--cols'), rows: positive(flags.rows, '--rows') });
      const input = file === '-' ? process.stdin : createReadStream(file);
      const decoder = new StringDecoder('utf8');
      let found = 0;
      let head = '';
      const emit = (list: TerminalRefusal[]): void => {
        for (const refusal of list) {
          found++;
          process.stdout.write(`${format(refusal, json)}\n`);
        }
      };
      try {
        for await (const chunk of input) {
          const text = decoder.write(chunk as Buffer);
          if (head.length < 65536) head += text;
          emit(scanner.write(text));
        }
      } catch (error) {
        throw new UserError('not-found', `cannot read ${file === '-' ? 'standard input' : file}: ${(error as Error).message}`, 'Pass a terminal capture file, or - to read standard input.', { cause: error });
      }
      emit(scanner.write(decoder.end()));
      emit(scanner.end());
      // A `claude -p --output-format json` result is one JSON object, not terminal output.
      const trimmed = head.trim();
      if (found === 0 && trimmed.startsWith('{')) {
        try {
          const result = JSON.parse(trimmed) as PrintResult;
          const match = matchPrintResult(result);
          if (match) {
            emit([{ kind: match.kind, generation: match.generation, message: result.result ?? '', requestId: match.requestId, messageId: match.messageId, model: match.modelLabel, category: match.category, sessionContinued: match.sessionContinued }].map((r) => JSON.parse(JSON.stringify(r)) as TerminalRefusal));
          }
        } catch {
          // Not JSON after all: it was terminal output with no refusal in it.
        }
      }
      if (found === 0) {
        process.stderr.write('no refusal found\n');
        process.exitCode = 1;
      }
    });
}

/** `aup-bisect scan`: list the refusals in existing Claude Code transcripts. */
import type { Command } from 'commander';
import { missingProjectsMessage, resolveProjectsDir } from '../../core/transcript/locate';
import { emptyStats, scanProjects } from '../../core/transcript/scan';
import type { RefusalRecord } from '../../core/refusal/record';
import { UserError } from '../../core/errors';
import { printable, printableJson } from '../../core/transcript/printable';

/** How scan and watch print a refusal record: one readable line, or one JSON line with --json. */
function clip(text: string, max: number): string {
  // Slice before flattening: a prompt may be megabytes.
  const flat = text.slice(0, max * 4).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Every field comes from a transcript another program wrote: control characters never reach the terminal. */
export function formatRecord(record: RefusalRecord, json: boolean): string {
  if (json) return printableJson(record);
  const when = record.timestamp.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const models = record.models.map((m) => m.model).join(' → ') || 'unknown';
  const category = record.models.map((m) => m.category).filter(Boolean).at(-1);
  const requestId = record.models.map((m) => m.requestId).filter(Boolean).at(-1);
  const read = record.parts.filter((p) => p.kind === 'tool_result' && p.filePath).map((p) => `${p.toolName ?? 'tool'} ${p.filePath}`);
  const fields = [
    record.id,
    when,
    record.kind + (record.sessionContinued ? ' (fell back, went on)' : ''),
    models + (category ? ` [${category}]` : ''),
    requestId ?? '-',
    `"${clip(record.refusedPrompt ?? '', 60)}"`,
  ];
  if (record.scope === 'session') fields.push('session flagged');
  if (record.unrecognisedWording !== undefined) fields.push(`unrecognised wording: "${clip(record.unrecognisedWording, 80)}"`);
  if (read.length) fields.push(`after ${clip(read.join(', '), 80)}`);
  fields.push(`${record.transcript}:${record.line}`);
  return printable(fields.join('  '));
}

/** `--since`: an ISO date/time, or a span back from now such as 30m, 12h, 7d. */
export function parseSince(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const span = /^(\d+)\s*(m|h|d|w)$/.exec(value.trim());
  if (span) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[span[2] as 'm' | 'h' | 'd' | 'w'];
    return new Date(Date.now() - Number(span[1]) * unit);
  }
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new UserError('usage', `--since ${value}: not a date`, 'Give an ISO date (2026-11-20, 2026-11-20T10:00Z) or a span such as 12h or 7d.');
  return new Date(time);
}

/** `aup-bisect scan | head` closes the pipe early: that is the reader being done, not an error. */
export function exitQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

interface ScanFlags {
  claudeDir?: string;
  since?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('scan')
    .description('List the refusals in existing Claude Code transcripts, one per refused turn')
    .option('--claude-dir <dir>', 'Claude Code config dir holding projects/, or a folder of .jsonl transcripts (default: $CLAUDE_CONFIG_DIR or ~/.claude)')
    .option('--since <date>', 'only refusals since this time: an ISO date or a span back from now (12h, 7d)')
    .option('--json', 'one JSON refusal record per line')
    .action(async (flags: ScanFlags) => {
      exitQuietlyOnClosedPipe();
      const since = parseSince(flags.since);
      const projectsDir = resolveProjectsDir(flags.claudeDir);
      const missing = missingProjectsMessage(projectsDir);
      if (missing) throw new UserError('not-found', missing);
      const stats = emptyStats();
      const started = performance.now();
      for await (const record of scanProjects(projectsDir, { since, stats, onWarning: (m) => process.stderr.write(`warning: ${printable(m)}\n`) })) {
        process.stdout.write(`${formatRecord(record, flags.json === true)}\n`);
      }
      const seconds = (performance.now() - started) / 1000;
      const summary = [
        `${stats.records} refusal${stats.records === 1 ? '' : 's'} in ${stats.files} transcript${stats.files === 1 ? '' : 's'}`,
        `${(stats.bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s`,
      ];
      if (stats.badLines) summary.push(`${stats.badLines} unreadable line${stats.badLines === 1 ? '' : 's'} skipped`);
      if (stats.unreadable) summary.push(`${stats.unreadable} transcript${stats.unreadable === 1 ? '' : 's'} could not be read`);
      process.stderr.write(`${summary.join(', ')}\n`);
    });
}

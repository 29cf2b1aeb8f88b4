/**
 * `aup-bisect ledger`: what refusals cost, from the transcripts on this machine. Reads incrementally through the
 * ledger index, so a second run only reads what Claude Code appended since.
 */
import type { Command } from 'commander';
import { buildLedger, parseSince } from '../../core/ledger/ledger';
import { creditRequest, entriesToCsv, formatText, rowsToCsv, toJson } from '../../core/ledger/report';
import { LEDGER_DIMENSIONS, type LedgerDimension } from '../../core/ledger/types';
import { resolveProjectsDir } from '../../core/transcript/locate';
import { UserError } from '../../core/errors';

interface LedgerFlags {
  claudeDir?: string;
  since?: string;
  by?: string;
  json?: boolean;
  csv?: boolean;
  prices?: string;
  cacheDir?: string;
  index: boolean;
  creditRequest?: boolean;
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

export function register(program: Command): void {
  program
    .command('ledger')
    .description('What refusals cost: tokens, cost and time lost by day, week, model, category, project or version')
    .option('--claude-dir <dir>', 'Claude Code config dir holding projects/ (default: $CLAUDE_CONFIG_DIR or ~/.claude)')
    .option('--since <date>', 'start of the period: YYYY-MM-DD, an ISO time, or 7d / 4w (default: 30 days ago)')
    .option('--by <dimension>', `group by ${LEDGER_DIMENSIONS.join(' | ')} (default: day)`)
    .option('--json', 'print the report as JSON')
    .option('--csv', 'print CSV: the grouped rows with --by, else one line per refused turn')
    .option('--prices <file>', 'JSON price overrides, USD per million tokens: {"model-prefix": {input, output, cacheWrite, cacheRead}}')
    .option('--cache-dir <dir>', 'where the ledger index lives (default: $XDG_CACHE_HOME/aup-bisect or ~/.cache/aup-bisect)')
    .option('--no-index', 'read every transcript from the start and write no index')
    .option('--credit-request', 'print a summary for Anthropic support: request ids, dates, models, tokens, cost')
    .action(async (flags: LedgerFlags) => {
      if (flags.json && flags.csv) throw new UserError('usage', 'choose one of --json and --csv');
      if (flags.by !== undefined && !LEDGER_DIMENSIONS.includes(flags.by as LedgerDimension)) {
        throw new UserError('usage', `--by must be one of ${LEDGER_DIMENSIONS.join(', ')} (got "${flags.by}")`);
      }
      const since = flags.since === undefined ? undefined : parseSince(flags.since);
      const { report, scan } = await buildLedger({
        projectsDir: resolveProjectsDir(flags.claudeDir),
        ...(since ? { since } : {}),
        by: (flags.by as LedgerDimension | undefined) ?? 'day',
        ...(flags.prices ? { pricesFile: flags.prices } : {}),
        ...(flags.cacheDir ? { cacheDir: flags.cacheDir } : {}),
        useIndex: flags.index,
      });
      for (const w of scan.warnings) process.stderr.write(`aup-bisect: ${w}\n`);
      if (flags.json) {
        process.stdout.write(`${toJson(report)}\n`);
      } else if (flags.csv) {
        process.stdout.write(flags.by ? rowsToCsv(report.rows, report.by) : entriesToCsv(report.entries));
      } else if (flags.creditRequest) {
        process.stdout.write(`${creditRequest(report)}\n`);
      } else {
        process.stdout.write(`${formatText(report)}\n`);
        const s = scan.stats;
        process.stderr.write(
          `read ${mb(s.bytesRead)} of ${mb(s.bytesTotal)} in ${s.files} transcripts ` +
            `(${s.filesRescanned} from the start, ${s.filesResumed} appended to)${s.indexPath ? `; index ${s.indexPath}` : ''}\n`,
        );
      }
    });
}

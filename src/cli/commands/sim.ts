/** `aup-bisect sim`: run the loopback Messages API stand-in in the foreground and print its URL. */
import type { Command } from 'commander';
import { startSim, type SimOptions, type SimRequestLog } from '../../sim/server';
import type { Delivery } from '../../sim/classifier';
import { UserError } from '../../core/errors';

interface SimFlags {
  port: string;
  host: string;
  rules?: string;
  noise?: string;
  falsePositive?: string;
  seed: string;
  latency?: string;
  delivery: string;
  script?: boolean;
  apiKey?: string;
  quiet?: boolean;
}

export function register(program: Command): void {
  program
    .command('sim')
    .description('Run a loopback stand-in of the Anthropic Messages API with a rule-based refusal classifier')
    .option('--port <n>', 'port to listen on (0: a free port)', '0')
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--rules <file>', 'rules JSON file (default: none, nothing is refused)')
    .option('--noise <p>', 'false-negative rate: probability a matching request passes anyway')
    .option('--false-positive <p>', 'probability a non-matching request is refused anyway')
    .option('--seed <n>', 'seed for noise and latency draws', '1')
    .option('--latency <ms>', 'response delay in ms, or a range MIN-MAX')
    .option('--delivery <how>', 'refusals as "stop_reason" (200, stop_reason refusal) or "content_filter_400"', 'stop_reason')
    .option('--script', 'agentic mode: answer a prompt naming an absolute file path with a Read tool_use first')
    .option('--api-key <key>', 'accept only this key (default: any non-empty key)')
    .option('--quiet', 'do not print a line per request')
    .action(async (flags: SimFlags) => {
      const options = toOptions(flags);
      if (!flags.quiet) options.onRequest = (r) => process.stderr.write(`${describeRequest(r)}\n`);
      const server = await startSim(options);
      process.stdout.write(
        `${server.url}\n` +
          `aup-bisect sim: listening. Point clients at it with ANTHROPIC_BASE_URL=${server.url} ANTHROPIC_API_KEY=sk-ant-sim-fake\n` +
          `aup-bisect sim: counts at ${server.url}/__sim/stats; Ctrl-C to stop.\n`,
      );
      const stop = () => {
        const s = server.stats();
        process.stderr.write(`aup-bisect sim: ${s.requests} requests, ${s.refused} refused, ${s.inputTokens} input tokens\n`);
        void server.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

function toOptions(flags: SimFlags): SimOptions {
  const port = wholeNumber(flags.port, '--port');
  if (port > 65535) throw new UserError('usage', `--port must be between 0 and 65535, got ${flags.port}`, 'Pass --port 0 for any free port.');
  if (flags.delivery !== 'stop_reason' && flags.delivery !== 'content_filter_400') {
    throw new UserError('usage', `--delivery must be "stop_reason" or "content_filter_400", got "${flags.delivery}"`);
  }
  const options: SimOptions = { port, host: flags.host, rules: flags.rules, delivery: flags.delivery as Delivery, apiKey: flags.apiKey };
  if (flags.noise !== undefined || flags.falsePositive !== undefined) {
    options.noise = {
      falseNegative: flags.noise === undefined ? undefined : probability(flags.noise, '--noise'),
      falsePositive: flags.falsePositive === undefined ? undefined : probability(flags.falsePositive, '--false-positive'),
      seed: wholeNumber(flags.seed, '--seed'),
    };
  }
  if (flags.latency !== undefined) {
    const range = /^(\d+)-(\d+)$/.exec(flags.latency);
    options.latencyMs = range ? [Number(range[1]), Number(range[2])] : wholeNumber(flags.latency, '--latency');
  }
  if (flags.script) options.script = {};
  return options;
}

/** One line per request, e.g. "#3 claude-opus-4-8 stream 12209 tok refused cyber (rule cyber-exfil) req_011C...". */
function describeRequest(r: SimRequestLog): string {
  const verdict = r.verdict === 'refused' ? `refused ${r.category ?? 'null'} (rule ${r.ruleId ?? 'none'})` : r.verdict === 'error' ? `error ${r.status}` : r.verdict;
  const noise = r.noise ? ` [noise: ${r.noise}]` : '';
  return `#${r.seq} ${r.model} ${r.stream ? 'stream ' : ''}${r.inputTokens} tok ${verdict}${noise} ${r.requestId}`;
}

function wholeNumber(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new UserError('usage', `${flag} must be a whole number, got "${value}"`);
  return Number(value);
}

function probability(value: string, flag: string): number {
  const p = Number(value);
  if (!(value.trim() !== '' && p >= 0 && p <= 1)) throw new UserError('usage', `${flag} must be a probability between 0 and 1, got "${value}"`);
  return p;
}

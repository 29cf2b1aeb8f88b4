/**
 * `npm run fixtures:claude-code`: runs every scenario with the REAL Claude Code against the stand-in and writes
 * what it left behind to test/fixtures/claude-code/: transcripts (*.jsonl, copied verbatim from the sandbox's config
 * dir), raw terminal captures (*.raw), `-p` JSON results (*.result.json) and manifest.json describing each one.
 * Nothing in them is secret: the key is fake and every answer came from the stand-in.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { CLAUDE_CODE_VERSION, FAKE_API_KEY, claudeUnavailable } from './claude-code';
import { runScenario, type ScenarioRun } from './run-scenario';
import { SCENARIOS } from './scenarios';

import { PINNED_CLAUDE_CODE_VERSION } from './claude-code';

// The pinned version's fixtures at the top; another version's in a folder named after it, beside them.
const OUT = resolve('test/fixtures/claude-code', CLAUDE_CODE_VERSION === PINNED_CLAUDE_CODE_VERSION ? '' : CLAUDE_CODE_VERSION);

interface ManifestEntry {
  name: string;
  mode: 'print' | 'interactive';
  files: { transcripts: string[]; terminal?: string; result?: string };
  description: string;
  prompts: string[];
  readFile?: string;
  cwd: string;
  sessionId?: string;
  refused: boolean;
  expectedKind: string | null;
  category: string | null;
  sessionContinued: boolean;
  /** The requests Claude Code sent, in order, as the stand-in logged them. */
  requests: { model: string; verdict: string; requestId: string; ruleId?: string; category?: string | null; status: number }[];
  /** Distinct models of the refused requests, in order. */
  refusingModels: string[];
  /**
   * Pseudo-terminal size, and the UTF-16 offset in the .raw text where the session began to close (Ctrl-C). Claude
   * Code 2.1.328 draws on the alternate screen and leaves it on exit, so replay raw.slice(0, closeOffset) into a
   * terminal emulator to see the settled screen.
   */
  terminal?: { cols: number; rows: number; closeOffset?: number };
}

async function main(): Promise<void> {
  const why = claudeUnavailable();
  if (why) throw new Error(why);
  const only = process.argv.slice(2);
  mkdirSync(OUT, { recursive: true });
  // Files only: the other versions' folders stay.
  if (only.length === 0) for (const f of readdirSync(OUT, { withFileTypes: true })) if (f.isFile()) rmSync(join(OUT, f.name));
  const manifestPath = join(OUT, 'manifest.json');
  const previous = only.length && existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as { fixtures: ManifestEntry[] }).fixtures : [];
  const entries: ManifestEntry[] = previous.filter((e) => !only.includes(e.name));
  for (const scenario of SCENARIOS) {
    if (only.length && !only.includes(scenario.name)) continue;
    process.stdout.write(`fixtures: ${scenario.name} ... `);
    const run = await runScenario(scenario);
    const entry = write(run);
    entries.push(entry);
    process.stdout.write(`${entry.requests.length} requests, ${entry.requests.filter((r) => r.verdict === 'refused').length} refused\n`);
  }
  entries.sort((a, b) => SCENARIOS.findIndex((s) => s.name === a.name) - SCENARIOS.findIndex((s) => s.name === b.name));
  const manifest = {
    generatedBy: 'npm run fixtures:claude-code (test/e2e/generate-fixtures.ts)',
    claudeCodeVersion: CLAUDE_CODE_VERSION,
    generatedAt: new Date().toISOString(),
    apiKeyUsed: FAKE_API_KEY,
    notes:
      'Written by the real Claude Code CLI against the aup-bisect loopback stand-in (src/sim). Transcripts are copied ' +
      'verbatim; *.raw are the exact bytes Claude Code wrote to a pseudo-terminal of the given size.',
    fixtures: entries,
  };
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  process.stdout.write(`fixtures: wrote ${entries.length} fixtures to ${OUT}\n`);
}

function write(run: ScenarioRun): ManifestEntry {
  const { scenario } = run;
  const files: ManifestEntry['files'] = { transcripts: [] };
  const paths = [...run.transcripts.keys()].sort();
  paths.forEach((path, i) => {
    const name = paths.length === 1 ? `${scenario.name}.jsonl` : `${scenario.name}.${i + 1}.jsonl`;
    writeFileSync(join(OUT, name), readFileSync(path));
    files.transcripts.push(name);
  });
  if (run.raw !== undefined) {
    files.terminal = `${scenario.name}.raw`;
    writeFileSync(join(OUT, files.terminal), run.raw, 'utf8');
  }
  if (run.print) {
    files.result = `${scenario.name}.result.json`;
    writeFileSync(join(OUT, files.result), JSON.stringify(run.print.json, null, 2) + '\n');
  }
  const requests = run.requests.map((r) => ({
    model: r.model, verdict: r.verdict, requestId: r.requestId, ruleId: r.ruleId, category: r.category, status: r.status,
  }));
  const refusingModels = [...new Set(requests.filter((r) => r.verdict === 'refused').map((r) => r.model))];
  const firstTranscript = paths.length ? basename(paths[0], '.jsonl') : undefined;
  return {
    name: scenario.name,
    mode: scenario.mode,
    files,
    description: describe(run),
    prompts: run.prompts,
    readFile: run.readFile,
    cwd: run.box.cwd,
    sessionId: firstTranscript,
    refused: scenario.expect.refused,
    expectedKind: scenario.expect.kind,
    category: scenario.expect.category,
    sessionContinued: scenario.expect.sessionContinued,
    requests,
    refusingModels,
    terminal: run.terminalSize && { ...run.terminalSize, closeOffset: run.closedAt },
  };
}

function describe(run: ScenarioRun): string {
  const s = run.scenario;
  const how = s.mode === 'print' ? '`claude -p --output-format json`' : 'interactive Claude Code under a pseudo-terminal';
  const read = run.readFile ? `, Read of ${basename(run.readFile)} first (the refusal lands on the tool result)` : '';
  if (!s.expect.refused) return `${how}: a turn that is not refused${read}.`;
  const what = s.expect.kind === 'content-filter' ? '400 "Output blocked by content filtering policy"' : `stop_reason refusal, category ${s.expect.category}`;
  const after = s.expect.sessionContinued ? 'Claude Code falls back to another model, which answers' : 'every model refuses, the turn stops';
  return `${how}: ${what}${read}; ${after}.`;
}

main().catch((error: unknown) => {
  process.stderr.write(`fixtures:claude-code FAILED: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});

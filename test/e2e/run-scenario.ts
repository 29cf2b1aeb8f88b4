/** Runs one scenario: a stand-in with the scenario's rules, the real Claude Code against it, and what it left behind. */
import { startSim, type SimRequestLog } from '../../src/sim/server';
import { InteractiveSession, makeSandbox, runPrint, transcripts, plain, delay, type PrintResult, type Sandbox } from './claude-code';
import { TUI_START_MS, TUI_TURN_MS, sessionMs, printMs } from './allowance';
import type { Scenario } from './scenarios';

/** The deadline of a scenario, from its Claude Code runs: one print run, or one session of its prompts. */
export function scenarioMs(scenario: Scenario): number {
  return scenario.mode === 'print' ? printMs(1) : sessionMs(scenario.prompts.length);
}

export interface ScenarioRun {
  scenario: Scenario;
  box: Sandbox;
  prompts: string[];
  readFile?: string;
  /** Every POST /v1/messages the stand-in saw, in order. */
  requests: SimRequestLog[];
  print?: PrintResult;
  /** Raw bytes Claude Code wrote to its terminal (interactive mode). */
  raw?: string;
  /** Offset in `raw` where the test started closing the session (Ctrl-C); Claude Code then leaves its alternate screen. */
  closedAt?: number;
  terminalSize?: { cols: number; rows: number };
  transcripts: Map<string, Record<string, unknown>[]>;
}

// A turn is over when the answer, the final refusal notice or the content-filter error is on screen.
const TURN_END = /no rule matched this request|Request ID: req_\w+|content filtering policy/;

export async function runScenario(scenario: Scenario): Promise<ScenarioRun> {
  const sim = await startSim(scenario.sim);
  try {
    const box = makeSandbox(sim.url, scenario.name);
    const readFile = scenario.file ? await scenario.file.write(box.cwd) : undefined;
    const prompts = scenario.prompts.map((p) => (readFile ? p.replace('{file}', readFile) : p));
    const run: ScenarioRun = { scenario, box, prompts, readFile, requests: [], transcripts: new Map() };
    if (scenario.mode === 'print') {
      if (prompts.length !== 1) throw new Error(`${scenario.name}: print mode takes exactly one prompt`);
      run.print = await runPrint(box, prompts[0]);
    } else {
      const size = scenario.terminal ?? { cols: 100, rows: 32 };
      const session = new InteractiveSession(box, [], size);
      try {
        await session.waitFor(/shift\+tab to cycle|❯/, TUI_START_MS);
        for (const prompt of prompts) {
          const mark = await session.submit(prompt);
          await session.waitFor(TURN_END, TUI_TURN_MS, mark);
          await settle(session);
        }
        // Claude Code has exited when this returns, so its transcript is complete when it is read below.
        await session.close();
      } catch (error) {
        await session.close().catch(() => undefined);
        throw error;
      }
      run.raw = session.raw;
      run.closedAt = session.closedAt;
      run.terminalSize = size;
    }
    run.requests = sim.stats().log;
    run.transcripts = transcripts(box);
    return run;
  } finally {
    await sim.close();
  }
}

/**
 * Waits until the terminal has been quiet for a moment, so a recorded capture ends on the settled screen (the fixture
 * generator keeps it). Nothing is asserted on this: the tests check what TURN_END already waited for, and the
 * transcript, read after Claude Code exited.
 */
async function settle(session: InteractiveSession, quietMs = 1200, maxMs = 8000): Promise<void> {
  const start = Date.now();
  let last = session.raw.length;
  let quietSince = Date.now();
  while (Date.now() - start < maxMs) {
    await delay(200);
    if (session.raw.length !== last) {
      last = session.raw.length;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) return;
  }
}

export { plain };

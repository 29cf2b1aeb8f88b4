/**
 * How long an e2e test may take, from the work it does: the Claude Code runs it makes times an allowance per run.
 * Each allowance is several times what the step took on this 2-core machine while other jobs kept it at a load
 * average of about 20 (and far more than idle), so a deadline only bounds a hang: a busy machine makes a test slower,
 * never red. Durations are printed by the tests, not asserted.
 */

/** One `claude -p` run: the native binary starting, then up to three requests (retry, fallback). Idle 2-5 s, busy 11-23 s. */
export const PRINT_RUN_MS = 120_000;
/** An interactive session from spawn until its prompt is drawn. Idle: 2-4 s. */
export const TUI_START_MS = 120_000;
/** One interactive turn: typed, echoed, answered (or refused, with retry and fallback) and quiet again. Idle: 3-10 s. */
export const TUI_TURN_MS = 120_000;
/** Ending an interactive session (Ctrl-C twice) until the process has exited. Idle: under 1 s. */
export const TUI_CLOSE_MS = 30_000;
/** The stand-in, a sandbox, a bundle of the CLI: everything a test does besides running Claude Code. */
export const SETUP_MS = 30_000;

/**
 * One bisect probe through `claude -p`, counted as if probes ran one after another (on a busy 2-core machine two in
 * flight do not run side by side). Idle: 64 probes at concurrency 2 in 27-40 s, under 1.3 s a probe; busy (load ~20):
 * the same 64 in 755.7 s, 11.8 s a probe.
 */
export const PROBE_MS = 30_000;
/**
 * The most paid probes a bisect of the e2e inputs may send (passed as its probe budget, so the work is bounded too):
 * twice the 62-64 the reducer sends for them, so a reducer change that costs a few more probes still fits.
 */
export const MAX_PROBES = 128;

/**
 * One aup-bisect CLI run against the stand-in (Node starting the bundle, then a bisect or unblock of at most MAX_PROBES
 * stand-in probes, or a draft). Idle: 2-6 s.
 */
export const CLI_RUN_MS = 120_000;
/** Making one PDF with a real producer (Ghostscript, qpdf; Chromium and LibreOffice start slower). Idle: 1-4 s. */
export const PDF_PRODUCE_MS = 60_000;
/** One bisect of a producer PDF through the pdftotext command oracle. Idle: 3-8 s; busy (load ~25): 35-40 s. */
export const PDF_BISECT_MS = 180_000;

/** The deadline of an interactive session of `turns` prompts. */
export function sessionMs(turns: number): number {
  return SETUP_MS + TUI_START_MS + turns * TUI_TURN_MS + TUI_CLOSE_MS;
}

/** The deadline of `runs` print-mode runs. */
export function printMs(runs: number): number {
  return SETUP_MS + runs * PRINT_RUN_MS;
}

/** The deadline of `bisects` bisects of at most MAX_PROBES paid probes each. */
export function bisectMs(bisects: number): number {
  return SETUP_MS + bisects * MAX_PROBES * PROBE_MS;
}

/**
 * Which terminal commands run Claude Code: aupBisect.terminalCommandPattern, compiled once and matched against each
 * command line with a time bound. JavaScript regular expressions backtrack: `^(\w+\s?)*$` takes seconds on a
 * 37-character line, and a match runs on the extension host's thread, so it runs inside a vm script with a timeout
 * (V8 interrupts the regex) and a pattern that is cut off counts as "no match".
 */
import { createContext, Script, type Context } from 'node:vm';

/** What shell integration says about an execution's command line (vscode.TerminalShellExecutionCommandLine). */
export interface CommandLineInfo {
  value: string;
  /** vscode.TerminalShellExecutionCommandLineConfidence: 0 Low (read off the screen), 1 Medium, 2 High (the shell said). */
  confidence: number;
}

/** Longest command line looked at; a longer one is cut (the program name is at its start). */
const MAX_LINE = 4096;
/** Time one match may take before it is stopped. */
export const MATCH_TIMEOUT_MS = 50;
const SCRIPT = new Script('pattern.test(line)');

/** aupBisect.terminalCommandPattern compiled: no `regex` matches every command; `error` when the pattern is invalid. */
export interface CommandMatcher {
  regex?: RegExp;
  error?: string;
  /** Set once a match ran out of time: the pattern backtracks, and the user should be told to simplify it. */
  timedOut?: boolean;
  context?: Context;
}

/**
 * Compiles the setting, case-insensitively (claude.exe may be Claude.exe). An invalid pattern falls back to the
 * default rather than to "every command", so a typo cannot bring the false alarms back.
 */
export function compileCommandPattern(pattern: string, fallback: string): CommandMatcher {
  if (pattern.trim() === '') return {};
  try {
    return { regex: new RegExp(pattern, 'i') };
  } catch (error) {
    return { regex: new RegExp(fallback, 'i'), error: error instanceof Error ? error.message : String(error) };
  }
}

/** `regex.test(value)`, stopped after `timeoutMs`: undefined when it was stopped. */
export function boundedTest(matcher: CommandMatcher, value: string, timeoutMs = MATCH_TIMEOUT_MS): boolean | undefined {
  if (!matcher.regex) return true;
  matcher.context ??= createContext({ pattern: matcher.regex, line: '' });
  matcher.context.line = value.length > MAX_LINE ? value.slice(0, MAX_LINE) : value;
  try {
    return SCRIPT.runInContext(matcher.context, { timeout: timeoutMs }) === true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw error;
    matcher.timedOut = true;
    return undefined;
  }
}

/**
 * Whether an execution's output should be scanned. A command line VS Code could not read (Low confidence and empty)
 * is not scanned: the transcript watcher still catches the refusal, and guessing would bring false alarms back. A
 * match that ran out of time is not scanned either.
 */
export function runsClaudeCode(commandLine: CommandLineInfo | undefined, matcher: CommandMatcher): boolean {
  if (!matcher.regex) return true;
  const value = commandLine?.value ?? '';
  return value.trim() !== '' && boundedTest(matcher, value) === true;
}

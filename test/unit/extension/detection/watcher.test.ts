import { describe, expect, it, vi } from 'vitest';
vi.mock('../../../../src/extension/vscodeapi', () => import('../support/fakeVscodeApi'));
import { compileCommandPattern, runsClaudeCode, type CommandLineInfo } from '../../../../src/extension/detection/commandPattern';
import { RefusalWatcher } from '../../../../src/extension/detection/watcher';
import { DEFAULT_TERMINAL_COMMAND_PATTERN } from '../../../../src/extension/settings';
import { RefusalStore, type SeenRefusal } from '../../../../src/extension/store';
import { refusalRecord } from '../fixtures';

function setup(pattern = DEFAULT_TERMINAL_COMMAND_PATTERN): { watcher: RefusalWatcher; store: RefusalStore; notified: SeenRefusal[] } {
  const store = new RefusalStore();
  const notified: SeenRefusal[] = [];
  return { watcher: new RefusalWatcher(store, (r) => notified.push(r), () => pattern), store, notified };
}

const HIGH = 2;
const LOW = 0;
const defaults = compileCommandPattern(DEFAULT_TERMINAL_COMMAND_PATTERN, DEFAULT_TERMINAL_COMMAND_PATTERN);
const runs = (value: string, confidence = HIGH) => runsClaudeCode({ value, confidence }, defaults);

/** A shell execution as VS Code reports it: its command line and the bytes it printed. */
function execution(value: string, output: string, confidence = HIGH) {
  return {
    terminal: { name: 'bash' },
    execution: {
      commandLine: { value, confidence } satisfies CommandLineInfo,
      async *read() {
        yield output;
      },
    },
  };
}

/** What a refusal looks like at column 0 of a terminal, as `claude -p` prints it (and as notes quoting it show it). */
const USAGE_POLICY =
  'API Error: Claude Code is unable to respond to this request, which appears to violate our Usage Policy ' +
  '(https://www.anthropic.com/legal/aup). Please double press esc to edit your last message or start a new session ' +
  'for Claude Code to assist with a different task.\r\n';

const SESSION = "Opus 5.5's safeguards flagged this session. You may be seeing this for the first time.";
const MESSAGE = "API Error: Opus 4.8's safeguards flagged this message. Details: [cyber]";

describe('RefusalWatcher', () => {
  it('notifies a live transcript refusal, and lists but never notifies one from the start-up scan', () => {
    const { watcher, store, notified } = setup();
    watcher.fromTranscript(refusalRecord({ id: 'old', timestamp: '2026-11-20T09:00:00Z', models: [{ model: 'claude-opus-4-8', requestId: 'req_old' }] }), false);
    watcher.fromTranscript(refusalRecord({ id: 'new', models: [{ model: 'claude-opus-4-8', requestId: 'req_new' }] }), true);
    expect(notified.map((r) => r.key)).toEqual(['new']);
    expect(store.all().map((r) => [r.key, r.live])).toEqual([['new', true], ['old', false]]);
  });

  it('joins a fallback chain printed in one terminal into one refusal, then the transcript record to it', () => {
    const { watcher, store, notified } = setup();
    const chain = {};
    watcher.fromTerminal('claude', { message: SESSION, model: 'Opus 5.5', fallbackModel: 'Opus 4.8', category: 'cyber' }, chain);
    watcher.fromTerminal('claude', { message: MESSAGE, model: 'Opus 4.8', requestId: 'req_011CZ6', category: 'cyber' }, chain);
    expect(notified).toHaveLength(1);
    expect(store.all()).toHaveLength(1);
    expect(store.all()[0]!.terminal).toMatchObject({ message: MESSAGE, requestId: 'req_011CZ6' });

    watcher.fromTranscript(refusalRecord({ id: 'turn-1', message: MESSAGE, models: [{ model: 'claude-opus-5-5', requestId: 'req_first' }, { model: 'claude-opus-4-8', requestId: 'req_011CZ6' }] }), true);
    expect(notified).toHaveLength(1);
    expect(store.all()).toHaveLength(1);
    expect(store.all()[0]!.record?.id).toBe('turn-1');
  });

  it('waits for the terminal when the transcript record arrives between its fallback notice and the message with the request id', () => {
    vi.useFakeTimers();
    try {
      const { watcher, store, notified } = setup();
      const chain = {};
      watcher.fromTerminal('claude', { message: SESSION, model: 'Opus 5.5', fallbackModel: 'Opus 4.8', category: 'cyber' }, chain);
      // The transcript is read before the rest of the terminal's output: the record waits instead of counting as another refusal.
      watcher.fromTranscript(refusalRecord({ id: 'turn-2', message: MESSAGE, models: [{ model: 'claude-opus-5-5', requestId: 'req_first' }, { model: 'claude-opus-4-8', requestId: 'req_011CZ7' }] }), true);
      expect(store.all()).toHaveLength(1);
      expect(store.all()[0]!.record).toBeUndefined();
      watcher.fromTerminal('claude', { message: MESSAGE, model: 'Opus 4.8', requestId: 'req_011CZ7', category: 'cyber' }, chain);
      vi.advanceTimersByTime(2_000);
      expect(notified).toHaveLength(1);
      expect(store.all()).toHaveLength(1);
      expect(store.all()[0]).toMatchObject({ terminal: { requestId: 'req_011CZ7' }, record: { id: 'turn-2' } });
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps two separate refusals in one terminal apart when the first did not fall back', () => {
    const { watcher, notified } = setup();
    const chain = {};
    watcher.fromTerminal('claude', { message: MESSAGE, requestId: 'req_a' }, chain);
    watcher.fromTerminal('claude', { message: MESSAGE, requestId: 'req_b' }, chain);
    expect(notified).toHaveLength(2);
  });
});

describe('which terminal commands are read (aupBisect.terminalCommandPattern)', () => {
  it('matches Claude Code started as claude, by path, as claude.exe, or through npx', () => {
    for (const line of [
      'claude',
      'claude -p "explain this scanner"',
      'claude --model opus',
      '~/.local/bin/claude --continue',
      'CLAUDE_CONFIG_DIR=/tmp/c claude',
      'cd app && claude',
      "'/opt/my tools/claude' -c",
      'C:\\Users\\dev\\AppData\\Roaming\\npm\\claude.exe',
      'Claude.exe --resume',
      'npx @anthropic-ai/claude-code',
      'npx -y @anthropic-ai/claude-code@latest -p hi',
      'npx claude-code',
      'bunx @anthropic-ai/claude-code',
    ]) expect(runs(line), line).toBe(true);
  });

  it('leaves alone commands that only mention claude in a file name or path', () => {
    for (const line of [
      'cat notes.md',
      'git log -p',
      'cat claude-refusal-notes.md',
      'less ~/.claude/settings.json',
      'cat test/fixtures/claude-code/tui-read-refused.raw',
      'npm run claudes',
      'vim CLAUDE.md',
      'npx prettier --write claude-code-notes.md',
    ]) expect(runs(line), line).toBe(false);
  });

  it('does not read a command whose line VS Code could not see, and reads every command with an empty pattern', () => {
    expect(runs('', LOW)).toBe(false);
    expect(runsClaudeCode(undefined, defaults)).toBe(false);
    // Low confidence: VS Code read the line off the screen; a match still counts.
    expect(runs('claude', LOW)).toBe(true);
    const every = compileCommandPattern('', DEFAULT_TERMINAL_COMMAND_PATTERN);
    expect(every.regex).toBeUndefined();
    expect(runsClaudeCode({ value: 'cat notes.md', confidence: HIGH }, every)).toBe(true);
    expect(runsClaudeCode({ value: '', confidence: LOW }, every)).toBe(true);
  });

  it('takes a custom pattern for an alias, and falls back to the default (not to every command) when it is invalid', () => {
    const alias = compileCommandPattern('^cc\\b', DEFAULT_TERMINAL_COMMAND_PATTERN);
    expect(runsClaudeCode({ value: 'cc -p hi', confidence: HIGH }, alias)).toBe(true);
    expect(runsClaudeCode({ value: 'claude', confidence: HIGH }, alias)).toBe(false);
    const broken = compileCommandPattern('claude(', DEFAULT_TERMINAL_COMMAND_PATTERN);
    expect(broken.error).toMatch(/./);
    expect(runsClaudeCode({ value: 'claude', confidence: HIGH }, broken)).toBe(true);
    expect(runsClaudeCode({ value: 'cat notes.md', confidence: HIGH }, broken)).toBe(false);
  });

  it('raises nothing for `cat` of a file quoting a refusal, and notifies when claude prints the same text', async () => {
    const { watcher, notified } = setup();
    await watcher.readExecution(execution('cat notes.md', `# Notes\r\n\r\n${USAGE_POLICY}`));
    expect(notified).toHaveLength(0);
    await watcher.readExecution(execution('claude -p "summarise notes.md"', USAGE_POLICY));
    expect(notified).toHaveLength(1);
    expect(notified[0]!.terminal?.message).toMatch(/^API Error: Claude Code is unable to respond/);
  });

  it('reads the same `cat` when the pattern is empty (the scanner does see the quoted refusal)', async () => {
    const { watcher, notified } = setup('');
    await watcher.readExecution(execution('cat notes.md', `# Notes\r\n\r\n${USAGE_POLICY}`));
    expect(notified).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { boundedTest, compileCommandPattern, MATCH_TIMEOUT_MS, runsClaudeCode } from '../../../../src/extension/detection/commandPattern';

describe('aupBisect.terminalCommandPattern is matched with a time bound', () => {
  it('stops a pattern that backtracks catastrophically instead of blocking the extension host', () => {
    const matcher = compileCommandPattern('^(\\w+\\s?)*$', '');
    const line = `${'a'.repeat(36)}!`; // 37 characters: seconds of backtracking for a plain RegExp.test
    const started = process.hrtime.bigint();
    expect(boundedTest(matcher, line)).toBeUndefined();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // Stopped at the bound (with room for a loaded machine), not after the seconds the match would take.
    expect(ms).toBeLessThan(MATCH_TIMEOUT_MS * 20);
    expect(matcher.timedOut).toBe(true);
    expect(runsClaudeCode({ value: line, confidence: 2 }, matcher)).toBe(false);
  });

  it('answers an ordinary pattern as RegExp.test does, the same context reused', () => {
    const matcher = compileCommandPattern('^cc\\b', '');
    expect(boundedTest(matcher, 'cc -p hi')).toBe(true);
    expect(boundedTest(matcher, 'claude')).toBe(false);
    expect(matcher.timedOut).toBeUndefined();
  });
});

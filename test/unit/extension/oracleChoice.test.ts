import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('../../../src/extension/vscodeapi', () => import('./support/fakeVscodeApi'));
import { API_KEY_SECRET, chooseOracle, findClaude, OracleChoiceError } from '../../../src/extension/oracleChoice';
import { readSettings } from '../../../src/extension/settings';
import { configValues, reset, trust } from './support/fakeVscodeApi';

const secrets = (values: Record<string, string>) => ({ get: async (k: string) => values[k] });

describe('chooseOracle', () => {
  let bin: string;
  const savedPath = process.env.PATH;
  const savedKey = process.env.ANTHROPIC_API_KEY;

  beforeEach(async () => {
    reset();
    bin = await mkdtemp(path.join(tmpdir(), 'aup-bin-'));
    process.env.PATH = bin;
    delete process.env.ANTHROPIC_API_KEY;
  });
  afterEach(async () => {
    process.env.PATH = savedPath;
    if (savedKey !== undefined) process.env.ANTHROPIC_API_KEY = savedKey;
    await rm(bin, { recursive: true, force: true });
  });

  async function installClaude(): Promise<string> {
    const file = path.join(bin, 'claude');
    await writeFile(file, '#!/bin/sh\necho 2.1.328\n');
    await chmod(file, 0o755);
    return file;
  }

  it('auto: uses the API when a key is in SecretStorage, with the refused model', async () => {
    await installClaude();
    const config = await chooseOracle(readSettings(), secrets({ [API_KEY_SECRET]: 'sk-ant-xyz' }), 'claude-opus-4-8');
    expect(config).toEqual({ kind: 'api', model: 'claude-opus-4-8', apiKey: 'sk-ant-xyz', baseUrl: undefined });
  });

  it('auto: falls back to `claude -p` when there is no key but claude is on PATH', async () => {
    const claude = await installClaude();
    expect(await chooseOracle(readSettings(), secrets({}))).toEqual({ kind: 'claude', model: undefined, claudeBinary: claude });
  });

  it('api: says what to do when no key is stored', async () => {
    configValues.set('aupBisect.oracle', 'api');
    await expect(chooseOracle(readSettings(), secrets({}))).rejects.toThrow(/Set Anthropic API Key/);
  });

  it('command: refuses in an untrusted workspace even when the setting is there', async () => {
    configValues.set('aupBisect.oracle', 'command');
    configValues.set('aupBisect.testCommand', './check.sh');
    trust.trusted = false;
    await expect(chooseOracle(readSettings(), secrets({}))).rejects.toBeInstanceOf(OracleChoiceError);
    trust.trusted = true;
    expect(await chooseOracle(readSettings(), secrets({}))).toEqual({ kind: 'command', command: './check.sh' });
  });

  it('a model override in settings wins over the refused model', async () => {
    configValues.set('aupBisect.oracle', 'sim');
    configValues.set('aupBisect.model', 'claude-sonnet-4-5');
    expect(await chooseOracle(readSettings(), secrets({}), 'claude-opus-4-8')).toEqual({ kind: 'sim', model: 'claude-sonnet-4-5' });
  });

  it('findClaude checks that a configured path is executable', async () => {
    const claude = await installClaude();
    expect(await findClaude(claude)).toBe(claude);
    expect(await findClaude(path.join(bin, 'missing'))).toBeUndefined();
  });
});

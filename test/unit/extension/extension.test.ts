import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('../../../src/extension/vscodeapi', () => import('./support/fakeVscodeApi'));
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { activate } from '../../../src/extension/extension';
import { configValues, mode, registered, reset, Uri } from './support/fakeVscodeApi';

describe('activate', () => {
  let dir: string;
  let context: vscode.ExtensionContext;
  beforeEach(async () => {
    reset();
    dir = await mkdtemp(path.join(tmpdir(), 'aup-activate-'));
    // An empty Claude Code folder, so the watcher starts on nothing.
    await mkdir(path.join(dir, 'projects'));
    configValues.set('aupBisect.transcriptDir', dir);
    context = { subscriptions: [], globalStorageUri: Uri.file(path.join(dir, 'storage')), extensionUri: Uri.file('/ext') } as unknown as vscode.ExtensionContext;
  });
  afterEach(async () => {
    for (const d of context.subscriptions) d.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('registers the commands, owns what it made, and hands out test hooks in a development host only', async () => {
    const api = activate(context);
    expect(registered.size).toBeGreaterThan(10);
    expect(context.subscriptions.length).toBe(1 + registered.size);
    expect(api.testing).toBeDefined();
    await api.ready;
    expect(api.testing!.watchedDir).toBe(path.join(dir, 'projects'));
    expect(api.testing!.statusBarText).toBe('$(shield) 0');
  });

  it('gives an installed extension\'s callers `ready` and nothing else', async () => {
    mode.development = false;
    const api = activate(context);
    expect(Object.keys(api)).toEqual(['ready', 'testing']);
    expect(api.testing).toBeUndefined();
    await api.ready;
  });
});

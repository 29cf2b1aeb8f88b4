/**
 * A real Container over the fake vscodeapi (the test must `vi.mock` src/extension/vscodeapi with
 * support/fakeVscodeApi first), with its global storage in a temporary folder and an in-memory SecretStorage.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { Container } from '../../../../src/extension/container';
import { Uri } from './fakeVscodeApi';

export interface TestContainer {
  container: Container;
  secrets: Map<string, string>;
  dispose(): Promise<void>;
}

export async function testContainer(): Promise<TestContainer> {
  const storage = await mkdtemp(path.join(tmpdir(), 'aup-ext-'));
  const secrets = new Map<string, string>();
  const context = {
    subscriptions: [],
    globalStorageUri: Uri.file(storage),
    extensionUri: Uri.file('/ext'),
    extension: { packageJSON: { version: '0.0.0-test' } },
    secrets: {
      get: async (key: string) => secrets.get(key),
      store: async (key: string, value: string) => void secrets.set(key, value),
      delete: async (key: string) => void secrets.delete(key),
    },
  } as unknown as vscode.ExtensionContext;
  const container = new Container(context);
  return {
    container,
    secrets,
    dispose: async () => {
      container.dispose();
      await rm(storage, { recursive: true, force: true });
    },
  };
}

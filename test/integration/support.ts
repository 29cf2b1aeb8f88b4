/** Helpers for the integration tests: the launcher's control API (screenshots, toasts, clicks) and polling. */
import * as vscode from 'vscode';
import type { AupBisectApi, AupBisectTestHooks } from '../../src/extension/extension';

const control = process.env.AUP_TEST_CONTROL_URL;

async function call(path: string): Promise<unknown> {
  if (!control) throw new Error('AUP_TEST_CONTROL_URL is not set: run the tests through test/integration/launcher (npm run test:integration)');
  const res = await fetch(`${control}${path}`);
  const body = (await res.json()) as unknown;
  if (!res.ok) throw new Error(`control ${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** A PNG of the whole VS Code window into artifacts/NAME.png. */
export async function screenshot(name: string): Promise<string> {
  return ((await call(`/screenshot?name=${encodeURIComponent(name)}`)) as { path: string }).path;
}

/** The texts of the notification toasts on screen. */
export async function visibleNotifications(): Promise<string[]> {
  return (await call('/notifications')) as string[];
}

/** The texts of the elements matching a CSS selector, in the workbench and in every webview. */
export async function screenTexts(selector: string): Promise<string[]> {
  return (await call(`/texts?selector=${encodeURIComponent(selector)}`)) as string[];
}

/** Clicks a visible button (in the workbench or a webview) by its accessible name. */
export async function click(name: string, timeoutMs = 10_000): Promise<void> {
  await call(`/click?name=${encodeURIComponent(name)}&timeoutMs=${timeoutMs}`);
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The extension's test hooks (activate() returns them when the extension runs from its development folder). */
export async function extensionApi(): Promise<AupBisectTestHooks> {
  const ext = vscode.extensions.getExtension<AupBisectApi>('aup-bisect.aup-bisect');
  if (!ext) throw new Error('extension aup-bisect.aup-bisect is not loaded');
  const api = await ext.activate();
  if (!api.testing) throw new Error('aup-bisect gave no test hooks: it is not running as a development extension');
  await api.testing.ready;
  return api.testing;
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('aupBisect').update(key, value, vscode.ConfigurationTarget.Global);
}

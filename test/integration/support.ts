/** Helpers for the integration tests: the launcher's control API (screenshots, toasts, clicks), polling, deadlines. */
import * as vscode from 'vscode';
import type { AupBisectApi, AupBisectTestHooks } from '../../src/extension/extension';

const control = process.env.AUP_TEST_CONTROL_URL;

/**
 * Deadlines from the work a test does. Each allowance is about ten times what the step takes on an idle 2-core
 * machine, so it only bounds a hang: a busy machine makes a test slower, never red. Timings are printed, not asserted.
 */
/** One step that waits on the editor: a notification shown, a view rendered, a setting applied, a click. */
export const UI_STEP_MS = 30_000;
/** One probe of a bisect against a loopback stand-in (idle: a few ms each, 77 probes in well under a second). */
export const PROBE_MS = 1_000;
/** The probe budget the bisect tests run with (aupBisect.budget.maxProbes): twice the 77 measured, so work is bounded too. */
export const MAX_PROBES = 160;

/** The deadline of a test of `steps` UI steps and `probes` bisect probes. */
export function deadline(steps: number, probes = 0): number {
  return steps * UI_STEP_MS + probes * PROBE_MS;
}

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
export async function click(name: string, timeoutMs = UI_STEP_MS): Promise<void> {
  await call(`/click?name=${encodeURIComponent(name)}&timeoutMs=${timeoutMs}`);
}

/** Polls until `probe` gives a value (not undefined or false); the deadline only bounds a hang. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = UI_STEP_MS): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `promise`, or a failure naming `what` (as `detail()` tells it then) if it has not settled by the deadline. */
export async function within<T>(promise: Promise<T>, what: string, detail: () => string = () => '', timeoutMs = UI_STEP_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} ${detail()}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
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

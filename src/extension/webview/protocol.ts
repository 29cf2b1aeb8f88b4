/**
 * The messages between the extension and its webviews, typed once for both sides. The panels import these types;
 * media/*.js name them in JSDoc (`@typedef {import('../src/extension/webview/protocol').X}`) under `// @ts-check`,
 * and media/tsconfig.json makes `npm run typecheck` check the pages against the same definitions. Messages from
 * a page are checked on arrival (`is...FromView`): a webview is a browser page, and what it posts is data.
 */
import type { LedgerViewModel } from '../../core/ledger/viewModel';
import type { Redaction } from '../../core/report/redact';
import type { BisectViewModel } from '../bisect/viewModel';
import type { PassViewModel } from '../unblock/viewModel';

// --- the bisect view (media/bisect.js) ---

export type BisectToView =
  /** The cost estimate, with Start / Don't Start (`start`: the Start button's label, "Start Bisect" by default). */
  | { type: 'confirm'; text: string; start?: string }
  /** Make It Pass: its progress, then its outcome and what it offers. */
  | { type: 'pass'; model: PassViewModel }
  | { type: 'progress'; model: BisectViewModel }
  | { type: 'done'; model: BisectViewModel }
  /** A failure; `title` names what failed (default: the bisect). */
  | { type: 'error'; message: string; title?: string }
  /** Where the trigger is marked in the editor, or why it is not (a saved result reopened). */
  | { type: 'marks'; text: string };

/** The Make It Pass section's buttons: run it, stop it, and what it offers once a passing set is verified. */
export const PASS_ACTIONS = ['makeItPass', 'passCancel', 'openSanitized', 'replaceOriginal', 'copyPrompt', 'repairSession'] as const;
export type PassAction = (typeof PASS_ACTIONS)[number];

export type BisectFromView = { type: 'ready' | 'start' | 'cancel' | 'diff' | 'draft' | 'measureModels' | PassAction };

/** What the bisect page keeps across reloads (vscode.setState). */
export interface BisectViewState {
  model?: BisectViewModel;
  pass?: PassViewModel;
}

// --- the issue draft view (media/draft.js) ---

export interface DuplicateItem {
  number: number;
  title: string;
  url: string;
  state: string;
  comments?: number;
  /** An open umbrella issue for the same model and category (core/report/duplicates.ts): the place to add to. */
  addHere?: boolean;
}

/** The duplicate search as the view shows it before anything is sent: the exact queries and where they go. */
export interface DuplicateSearchInfo {
  queries: string[];
  endpoint: string;
}

export type StatusLevel = 'ok' | 'error' | '';

export type DraftToView =
  | { type: 'draft'; title: string; body: string; repo: string; redactions: Redaction[]; search?: DuplicateSearchInfo }
  /**
   * The user's edits held something that must not leave, or the user marked text to redact: the text now shown is
   * the redacted one (and, after a mark, the duplicate search strings without it).
   */
  | { type: 'redacted'; title: string; body: string; redactions: Redaction[]; search?: DuplicateSearchInfo }
  | { type: 'duplicates'; items: DuplicateItem[]; searched: true }
  | { type: 'duplicates'; error: string }
  | { type: 'status'; text: string; level: StatusLevel; url?: string; busy: boolean }
  /** "Add to #N" pressed: exactly the comment that "Post" will send (gated), for review. */
  | { type: 'comment'; issue: number; body: string; redactions: Redaction[] };

/** What the page's buttons send: the title and body as edited, for every action that uses them. */
export type DraftAction = 'edit' | 'file' | 'browser' | 'copy';

export type DraftFromView =
  | { type: 'ready' }
  | { type: 'search' }
  | { type: DraftAction; title: string; body: string }
  /**
   * "Redact Selection": `text` is what the user selected in the title or body, to be masked wherever it occurs, now
   * and at every exit; the title and body are sent as edited so the gate runs over what the user sees.
   */
  | { type: 'redactSelection'; text: string; title: string; body: string }
  /** "Add to #N": show the comment for issue N; "Post": send the comment shown for issue N (the panel holds its text). */
  | { type: 'commentPreview'; issue: number }
  | { type: 'commentPost'; issue: number };

// --- the Refusal Ledger (media/ledger.js) ---

export const LEDGER_PERIODS = [7, 30, 90, 365] as const;

export type LedgerToView =
  | { type: 'model'; model: LedgerViewModel; days: number }
  | { type: 'status'; text: string; error?: boolean }
  | { type: 'notice'; text: string };

export type LedgerFromView =
  | { type: 'ready' | 'refresh' | 'exportCsv' | 'copyCredit' }
  | { type: 'period'; days: number };

/** What the ledger page keeps across reloads. */
export interface LedgerViewState {
  days?: number;
}

// --- checks on what a page posts ---

function typeOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
}

export function isBisectFromView(value: unknown): value is BisectFromView {
  const type = typeOf(value);
  return type === 'ready' || type === 'start' || type === 'cancel' || type === 'diff' || type === 'draft' || type === 'measureModels' || (PASS_ACTIONS as readonly unknown[]).includes(type);
}

export function isDraftFromView(value: unknown): value is DraftFromView {
  const type = typeOf(value);
  if (type === 'ready' || type === 'search') return true;
  if (type === 'redactSelection') {
    const m = value as { text?: unknown; title?: unknown; body?: unknown };
    return typeof m.text === 'string' && typeof m.title === 'string' && typeof m.body === 'string';
  }
  if (type === 'commentPreview' || type === 'commentPost') {
    const issue = (value as { issue?: unknown }).issue;
    return typeof issue === 'number' && Number.isInteger(issue) && issue > 0;
  }
  if (type !== 'edit' && type !== 'file' && type !== 'browser' && type !== 'copy') return false;
  const m = value as { title?: unknown; body?: unknown };
  return typeof m.title === 'string' && typeof m.body === 'string';
}

export function isLedgerFromView(value: unknown): value is LedgerFromView {
  const type = typeOf(value);
  if (type === 'period') {
    const days = (value as { days?: unknown }).days;
    return typeof days === 'number' && (LEDGER_PERIODS as readonly number[]).includes(days);
  }
  return type === 'ready' || type === 'refresh' || type === 'exportCsv' || type === 'copyCredit';
}

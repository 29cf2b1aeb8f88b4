/**
 * The boundary where VS Code hands a command whatever its caller passed. Each command's argument is checked against
 * the shape commands/ids.ts declares for it; anything else counts as no argument (the user then picks), so a
 * string is never guessed to be a key, a record id or a result id.
 */
import type { RefusalStore, SeenRefusal } from '../store';
import { Uri } from '../vscodeapi';
import type { CommandArgs, CommandId, DraftTarget, RefusalItem, RefusalRef, RefusalTarget, ResultItem, ResultRef } from './ids';

type Parsers = { [K in CommandId]: (raw: readonly unknown[]) => CommandArgs[K] };

function record(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function isRefusalRef(value: unknown): value is RefusalRef {
  return record(value) && typeof value.refusalKey === 'string';
}

export function isResultRef(value: unknown): value is ResultRef {
  return record(value) && typeof value.resultId === 'string';
}

export function isRefusalItem(value: unknown): value is RefusalItem {
  return record(value) && (value.type === 'refusal' || value.type === 'detail') && record(value.refusal) && typeof value.refusal.key === 'string';
}

export function isResultItem(value: unknown): value is ResultItem {
  return record(value) && value.type === 'result' && record(value.result) && typeof value.result.id === 'string';
}

function refusalTarget(raw: readonly unknown[]): [RefusalTarget?] {
  const [arg] = raw;
  return isRefusalRef(arg) || isRefusalItem(arg) ? [arg] : [];
}

function draftTarget(raw: readonly unknown[]): [DraftTarget?] {
  const [arg] = raw;
  return isRefusalRef(arg) || isRefusalItem(arg) || isResultRef(arg) || isResultItem(arg) ? [arg] : [];
}

const none = (): [] => [];

export const argParsers: Parsers = {
  'aupBisect.bisect': refusalTarget,
  'aupBisect.bisectRefusal': refusalTarget,
  // Explorer and editor menus pass the file's URI.
  'aupBisect.bisectFile': ([arg]) => (arg instanceof Uri ? [arg] : []),
  'aupBisect.draftIssue': draftTarget,
  'aupBisect.fileIssue': none,
  'aupBisect.showLedger': none,
  'aupBisect.setApiKey': ([arg]) => (typeof arg === 'string' ? [arg] : []),
  'aupBisect.clearApiKey': none,
  'aupBisect.clearProbeCache': none,
  'aupBisect.showDetails': refusalTarget,
  'aupBisect.openTranscript': refusalTarget,
  'aupBisect.copyRequestId': refusalTarget,
  'aupBisect.openResult': ([arg]) => (isResultRef(arg) || isResultItem(arg) ? [arg] : []),
  'aupBisect.refreshRefusals': none,
  'aupBisect.showLog': none,
  'aupBisect.makeItPass': ([arg]) => (isResultRef(arg) || isResultItem(arg) ? [arg] : []),
  'aupBisect.measureModels': ([arg]) => {
    if (isResultItem(arg)) return [arg];
    if (!isResultRef(arg)) return [];
    const models = (arg as { models?: unknown }).models;
    // A list that is not all strings counts as none given: the user is asked.
    return Array.isArray(models) && models.every((m): m is string => typeof m === 'string') ? [{ resultId: arg.resultId, models }] : [{ resultId: arg.resultId }];
  },
};

/** The refusal a target names, if the store still has it. */
export function refusalOf(store: Pick<RefusalStore, 'get'>, target: DraftTarget | undefined): SeenRefusal | undefined {
  if (!target) return undefined;
  if ('refusalKey' in target) return store.get(target.refusalKey);
  if ('resultId' in target) return undefined;
  return target.refusal;
}

/** The saved result a target names, if it names one. */
export function resultIdOf(target: DraftTarget | undefined): string | undefined {
  if (!target) return undefined;
  if ('resultId' in target) return target.resultId;
  if ('type' in target && target.type === 'result') return target.result.id;
  return undefined;
}

/**
 * The Make It Pass section of the bisect view, as the page shows it: the search's phase while it runs, then the
 * removal set, the verification rate on the whole original, what was written and which next steps are offered.
 * Pure (imports only types), so media/bisect.js only turns it into DOM and this part is unit-tested.
 */
import type { RepairedSession } from '../../core/unblock/session';
import type { UnblockRun } from '../../core/unblock/unblock';

export interface PassViewModel {
  running: boolean;
  phase: string;
  /** "12 probes (3 cached)". */
  probes: string;
  /** The outcome in one sentence, once the search has ended. */
  verdict?: string;
  /** "passes 5/5" or "NOT passing: 3/5" on the whole original; absent before any verification. */
  verification?: string;
  /** True when the removal set passed every verification probe. */
  passes: boolean;
  /** One line per removal: the text and where it was. */
  removed: string[];
  /** The refused prompt with the removals applied, ready to paste (refusal results). */
  prompt?: string;
  /** One line per file written: sanitized copies, the backup, the repaired session and how to resume it. */
  written: string[];
  notes: string[];
  offers: { openSanitized: boolean; replaceOriginal: boolean; copyPrompt: boolean; repairSession: boolean };
}

/** What the user did with the outcome since (the view's buttons). */
export interface PassFollowUp {
  /** Originals replaced by their sanitized content, each after its backup (set, possibly empty, once pressed). */
  replaced?: Array<{ path: string; backup: string }>;
  session?: RepairedSession;
  /** A refused session whose transcript the repair can read (a terminal-only sighting has none). */
  canRepair?: boolean;
}

const none = { openSanitized: false, replaceOriginal: false, copyPrompt: false, repairSession: false };

const PHASES: Record<string, string> = {
  confirm: 'confirming the original is refused',
  cover: 'removing the trigger, checking what is left',
  reduce: 'finding the next trigger in what is left',
  verify: 'verifying on the whole input',
  shrink: 'putting each removal back',
};

export function passProgressModel(e: { phase: string; removals: number; probes: number; cachedProbes: number }): PassViewModel {
  return {
    running: true,
    phase: `${PHASES[e.phase] ?? e.phase} (${e.removals} span${e.removals === 1 ? '' : 's'} out)`,
    probes: probes(e.probes, e.cachedProbes),
    passes: false,
    removed: [],
    written: [],
    notes: [],
    offers: none,
  };
}

export function passViewModel(run: UnblockRun, follow: PassFollowUp = {}): PassViewModel {
  const p = run.passSet;
  const v = p.verification;
  const passes = v.of > 0 && v.passed === v.of;
  const spans = `${run.spans} span${run.spans === 1 ? '' : 's'}`;
  let verdict: string;
  if (run.status === 'not-refused') verdict = `The original is not refused by ${run.oracle}${run.model ? ` (${run.model})` : ''} now: nothing to remove.`;
  else if (passes) verdict = `Remove ${spans} (${run.removedBytes} of ${run.originalBytes} B)${p.oneMinimal ? ', each one needed (checked)' : ''}${p.triggersFound ? `; ${p.triggersFound} trigger${p.triggersFound === 1 ? '' : 's'} found beyond the bisect's` : ''}.`;
  else if (run.status === 'stopped') verdict = `Stopped before a passing set was verified: ${p.stoppedEarly ?? 'stopped'}.`;
  else verdict = `No set of removals made the input pass (${spans} tried).`;
  const written = [...run.written.sanitized.map((path) => `Sanitized copy: ${path}`)];
  if (run.written.backup) written.push(`Original kept as: ${run.written.backup}`);
  for (const r of follow.replaced ?? []) written.push(`Original replaced by the sanitized content: ${r.path} (backup: ${r.backup})`);
  const s = follow.session ?? run.written.session;
  if (s) written.push(`Repaired session: ${s.path} (${s.removed} entries of the refused turn left out${s.retracted ? `, ${s.retracted} retracted` : ''}); continue with: claude --resume ${s.sessionId}`);
  const hasCopy = run.written.sanitized.length > 0;
  return {
    running: false,
    phase: run.status === 'stopped' ? 'stopped' : 'done',
    probes: probes(run.probes, run.cachedProbes),
    verdict,
    ...(v.of > 0 ? { verification: `${passes ? 'passes' : 'NOT passing:'} ${v.passed}/${v.of} on the whole input after the removals` } : {}),
    passes,
    removed: p.removed.map((x) => `${JSON.stringify(x.text)} from ${run.parts[x.part] ?? `part ${x.part}`}${x.line ? `, line ${x.line}` : ''}`),
    ...(passes && run.prompt !== undefined ? { prompt: run.prompt } : {}),
    written,
    notes: run.notes,
    offers: {
      openSanitized: passes && hasCopy,
      replaceOriginal: passes && hasCopy && !follow.replaced && !run.written.backup,
      copyPrompt: passes && run.prompt !== undefined,
      repairSession: passes && Boolean(follow.canRepair) && !s,
    },
  };
}

function probes(paid: number, cached: number): string {
  return `${paid} probe${paid === 1 ? '' : 's'}${cached ? ` (+ ${cached} cached)` : ''}`;
}

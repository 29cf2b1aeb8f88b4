/**
 * Attribution first: before bisecting a refusal rebuilt from a transcript, ask whether the content the user sent is
 * the cause at all. Claude Code refuses bare "hello"s when its fixed request text, CLAUDE.md or memory, or the session
 * itself is flagged (notes/claude-code.md section 5); bisecting such a request finds a bogus trigger or burns the
 * budget. So a content-free control goes first: the same request, same model and system prompt, with every part the
 * user supplied removed and a short benign prompt in place of the prompt. Refused: when the request carried the
 * session's system prompt, the control without it (the oracle's default in its place) tells whether the system
 * prompt is what is flagged (stop); then a control without the CLAUDE.md/memory channel tells the fixed prompt (stop:
 * nothing the user sent or wrote is the cause, spend nothing more) from CLAUDE.md (bisect: the trigger is a sentence
 * the user wrote). Passed: bisect, then name the channel the trigger sits in. A refused request that does not
 * reproduce fresh gets the control once more in the user's session (its id, as Claude Code sends it): refused there
 * and not fresh, the service holds the session flagged (channel "session": stop, nothing the user sends in it can
 * pass). Not for every refusal Claude Code marks `scope: session`: 2.1.328 marks so any refusal of the main thread
 * (its schema: "the main thread fell back and the session model is swapped"), and probes in the user's session are
 * kept to the few that ask about it.
 */
import { systemText, type Oracle, type ProbeInput, type ProbePart } from '../probe/oracle/types';
import { Scheduler, settleAll } from '../reduce/scheduler';

/** Where a part of the request comes from: Claude Code's own text, the user's instructions, or the content they sent. */
export type Channel = 'fixed-prompt' | 'claude-md' | 'content';

/** The benign prompt of the control: short, harmless, answerable in any context. */
export const CONTROL_PROMPT = 'Say hello.';
/** Probes per control: a noisy classifier needs a vote, and a rate to report. */
export const CONTROL_RUNS = 3;

export interface Attribution {
  /** The content-free control (fixed prompt, CLAUDE.md/memory, system reminders, CONTROL_PROMPT): refusals of `of`. */
  control: { refused: number; of: number };
  /**
   * The control again without the session's system prompt (the oracle's default in its place), probed only when the
   * control was refused and the request carried one.
   */
  withoutSystemPrompt?: { refused: number; of: number };
  /** The control again without the CLAUDE.md/memory parts, probed only when the control was refused and there were some. */
  withoutClaudeMd?: { refused: number; of: number };
  /**
   * The control again in the refused request's session (its id sent as Claude Code sends it), probed only when the
   * fresh control passed and the refusal's scope was session, or the refused request did not reproduce fresh.
   */
  withSession?: { refused: number; of: number };
  /**
   * The one channel the cause was pinned on: "system-prompt", "fixed-prompt" or "claude-md" when the control was refused,
   * "session" when it was refused only in the session; after a
   * bisect, the one channel holding every needed part ("claude-md" or the part's kind: prompt, tool_result...).
   */
  channel?: string;
  /** After a bisect: every channel holding a needed part, in request order. */
  channels?: string[];
}

/** Memory files Claude Code loads into every request: CLAUDE.md (project, user, local) and auto-memory's MEMORY.md. */
const MEMORY_FILE = /(?:^|[\\/])(?:CLAUDE(?:\.local)?|MEMORY)\.md$/i;
/** How Claude Code renders them inside a system reminder ("# claudeMd ... Contents of /p/CLAUDE.md (project instructions..."). */
const MEMORY_TEXT = /#\s*claudeMd\b|Contents of [^\n]*(?:CLAUDE(?:\.local)?|MEMORY)\.md\b/;

/**
 * Attachment types (2.1.328 transcripts) whose reminder Claude Code writes itself into every request of a session,
 * whatever the user sent: its environment, model identity, date, tool and agent and skill listings. An attachment of
 * any other type (a file the user mentioned, a pasted image...) stays content.
 */
const FIXED_ATTACHMENTS = new Set(['environment', 'model', 'date', 'deferred_tools_delta', 'agent_listing_delta', 'skill_listing', 'auto_mode', 'remote_session_change']);

/** The channel a part belongs to: system reminders and CLAUDE.md/memory are Claude Code's; everything else is content. */
export function channelOf(part: Pick<ProbePart, 'kind' | 'text' | 'filePath' | 'attachmentType'>): Channel {
  if (part.kind !== 'system_reminder' && part.kind !== 'attachment') return 'content';
  if ((part.filePath && MEMORY_FILE.test(part.filePath)) || MEMORY_TEXT.test(part.text)) return 'claude-md';
  if (part.kind === 'system_reminder') return 'fixed-prompt';
  return part.attachmentType !== undefined && FIXED_ATTACHMENTS.has(part.attachmentType) ? 'fixed-prompt' : 'content';
}

/** The name a channel is reported by: "claude-md" for CLAUDE.md/memory parts, else the part's kind. */
export function channelName(part: Pick<ProbePart, 'kind' | 'text' | 'filePath' | 'attachmentType'>): string {
  const channel = channelOf(part);
  if (channel === 'claude-md') return 'claude-md';
  return channel === 'fixed-prompt' && part.kind === 'attachment' ? 'fixed-prompt' : part.kind;
}

/**
 * The content-free control of `input`: its system prompt, model and Claude Code parts, with CONTROL_PROMPT where the
 * first content part was (or last, when there was none). `withClaudeMd: false` drops the CLAUDE.md/memory parts too;
 * `withSystem: false` drops the system prompt (the oracle then sends its default).
 */
export function controlOf(input: ProbeInput, withClaudeMd = true, withSystem = true): ProbeInput {
  const parts: ProbePart[] = [];
  let placed = false;
  for (const part of input.parts) {
    const channel = channelOf(part);
    if (channel === 'fixed-prompt' || (channel === 'claude-md' && withClaudeMd)) parts.push(part);
    else if (channel === 'content' && !placed) {
      parts.push({ kind: 'prompt', text: CONTROL_PROMPT });
      placed = true;
    }
  }
  if (!placed) parts.push({ kind: 'prompt', text: CONTROL_PROMPT });
  const control: ProbeInput = { parts };
  if (input.system !== undefined && withSystem) control.system = input.system;
  if (input.model !== undefined) control.model = input.model;
  return control;
}

export function hasClaudeMd(input: ProbeInput): boolean {
  return input.parts.some((p) => channelOf(p) === 'claude-md');
}

/**
 * Whether the control without the system prompt asks anything: the oracle must send the input's system prompt.
 * `claude -p` puts Claude Code's own first whatever the input says, and a test command has none.
 */
function variesSystem(input: ProbeInput, oracleName: string): boolean {
  return systemText(input.system).trim() !== '' && oracleName !== 'claude' && oracleName !== 'command';
}

/**
 * Whether the oracle sends a probe's session id: the api oracle (and the stand-in through it) does; `claude -p` opens
 * its own session and a test command has none, so a control "in the session" would be the fresh one again.
 */
export function sendsSession(oracleName: string): boolean {
  return oracleName !== 'claude' && oracleName !== 'command';
}

/**
 * Probes the controls run, fewest and most: the content-free control, plus the one without the system prompt and the
 * one without CLAUDE.md when the request has them (each only when the control is refused), plus the one in the
 * session when the refusal names one and the oracle sends it (only when the refused request does not reproduce fresh).
 */
export function controlProbes(input: ProbeInput, oracleName = 'api', sessionId?: string): { low: number; high: number } {
  const refusedPath = (variesSystem(input, oracleName) ? 1 : 0) + (hasClaudeMd(input) ? 1 : 0);
  const passedPath = sessionId && sendsSession(oracleName) ? 1 : 0;
  return { low: CONTROL_RUNS, high: (1 + Math.max(refusedPath, passedPath)) * CONTROL_RUNS };
}

/**
 * `runs` probes of one input (numbered repeats, so the cache keeps each as its own sample), no more in flight than the
 * run's concurrency (the scheduler's limit, as in the reducer): refusals of `of`.
 */
async function rate(oracle: Oracle, input: ProbeInput, runs: number, scheduler: Scheduler, signal?: AbortSignal): Promise<{ refused: number; of: number }> {
  const one = async (attempt: number) => {
    await scheduler.acquire();
    try {
      return await oracle.probe({ ...input, attempt }, signal);
    } finally {
      scheduler.release();
    }
  };
  const verdicts = await settleAll(Array.from({ length: runs }, (_, attempt) => one(attempt)));
  return { refused: verdicts.filter((v) => v.refused).length, of: runs };
}

const refusedMostly = (r: { refused: number; of: number }): boolean => r.refused * 2 > r.of;

/**
 * The outcome of the controls: `blocked` when they pin the refusal on what no one can bisect (Claude Code's fixed
 * prompt, the session), with the sentence why. A control that passes only without CLAUDE.md/memory is not blocked:
 * `attribution.channel` is "claude-md" and the bisect finds the trigger inside it.
 */
export interface ControlOutcome {
  attribution: Attribution;
  blocked?: { reason: string };
}

/**
 * Probes the content-free control (and, when it is refused and CLAUDE.md/memory is present, the control without it).
 * `oracle` is the metered one, so these probes count, hit the cache and stop at the budget like any other.
 */
export async function probeControls(
  input: ProbeInput,
  oracle: Oracle,
  options: { runs?: number; signal?: AbortSignal; concurrency?: number } = {},
): Promise<ControlOutcome> {
  const runs = options.runs ?? CONTROL_RUNS;
  const scheduler = new Scheduler(options.concurrency);
  const control = await rate(oracle, controlOf(input), runs, scheduler, options.signal);
  const attribution: Attribution = { control };
  if (!refusedMostly(control)) return { attribution };
  const said = `a content-free control ("${CONTROL_PROMPT}" in the same context and model) was refused ${control.refused}/${control.of}`;
  if (variesSystem(input, oracle.name)) {
    // One control more, only now that the first is refused: does the session's system prompt alone carry it?
    const without = await rate(oracle, controlOf(input, true, false), runs, scheduler, options.signal);
    attribution.withoutSystemPrompt = without;
    if (!refusedMostly(without)) {
      attribution.channel = 'system-prompt';
      return {
        attribution,
        blocked: {
          reason: `not attributable to the content you sent: the session's system prompt is flagged (${said}, and ${without.refused}/${without.of} ` +
            `with the oracle's one-line system prompt in place of the session's)`,
        },
      };
    }
  }
  if (hasClaudeMd(input)) {
    const without = await rate(oracle, controlOf(input, false), runs, scheduler, options.signal);
    attribution.withoutClaudeMd = without;
    if (!refusedMostly(without)) {
      // The user's own instructions carry it: something they can fix, so the bisect goes on and finds the sentence.
      attribution.channel = 'claude-md';
      return { attribution };
    }
    attribution.channel = 'fixed-prompt';
    return {
      attribution,
      blocked: { reason: `not attributable to the content you sent: the session / fixed prompt is flagged (${said}, and ${without.refused}/${without.of} without CLAUDE.md / memory)` },
    };
  }
  attribution.channel = 'fixed-prompt';
  return { attribution, blocked: { reason: `not attributable to the content you sent: the session / fixed prompt is flagged (${said})` } };
}

/**
 * The content-free control once more, in the session `sessionId` (after a fresh control that passed): refused there,
 * the session is flagged, so nothing the user sends in it can pass and nothing more is spent. Passed: `attribution`
 * gains the rate and the run goes on as before. Needs an oracle that sends the id (sendsSession); otherwise it asks
 * nothing and returns `attribution` as it was.
 */
export async function probeSessionControl(
  input: ProbeInput,
  oracle: Oracle,
  attribution: Attribution,
  sessionId: string,
  options: { runs?: number; signal?: AbortSignal; concurrency?: number; scheduler?: Scheduler } = {},
): Promise<ControlOutcome> {
  if (!sendsSession(oracle.name) || sessionId.trim() === '') return { attribution };
  const runs = options.runs ?? CONTROL_RUNS;
  const withSession = await rate(oracle, { ...controlOf(input), session: { id: sessionId } }, runs, options.scheduler ?? new Scheduler(options.concurrency), options.signal);
  const next: Attribution = { ...attribution, withSession };
  if (!refusedMostly(withSession)) return { attribution: next };
  next.channel = 'session';
  const fresh = attribution.control;
  return {
    attribution: next,
    blocked: {
      reason: `not attributable to the content you sent: the session is flagged (a content-free control ("${CONTROL_PROMPT}" in the same context and model) ` +
        `was refused ${withSession.refused}/${withSession.of} with its id, ${fresh.refused}/${fresh.of} without); start a new session`,
    },
  };
}

/** After a bisect: the channels of the parts the reducer kept (indices into `input.parts`), in request order. */
export function triggerChannels(input: ProbeInput, needed: number[]): Pick<Attribution, 'channel' | 'channels'> {
  const channels = [...new Set(needed.map((i) => input.parts[i]).filter((p): p is ProbePart => p !== undefined).map(channelName))];
  return channels.length === 1 ? { channel: channels[0]!, channels } : { channels };
}

/** For a run the controls pinned on CLAUDE.md/memory: the sentence the status reason ends with. */
export function claudeMdSentence(a: Attribution): string | undefined {
  if (a.channel !== 'claude-md' || !a.withoutClaudeMd) return undefined;
  return `the refusal follows CLAUDE.md / memory, not the content you sent (a content-free control was refused ${a.control.refused}/${a.control.of}, ` +
    `${a.withoutClaudeMd.refused}/${a.withoutClaudeMd.of} without CLAUDE.md / memory)`;
}

/** True for a result the controls ended before any bisecting (the fixed prompt or the session is flagged): no trigger to show. */
export function flaggedBeforeBisect(r: { status: string; minimal: string; attribution?: Attribution }): boolean {
  return r.status === 'not-attributable' && r.minimal === '' && r.attribution !== undefined;
}

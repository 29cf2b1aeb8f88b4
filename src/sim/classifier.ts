/**
 * The stand-in's safety classifier: deterministic rules over the request text. Pure (no I/O, no randomness) so the
 * reducer benchmark, the demo and the server all judge the same request the same way; noise lives in noise.ts.
 */
import { requestTexts } from './request-text';
import type { MessagesRequestBody, TextScope } from './types';

export type { MessagesRequestBody } from './types';

/** How a refusal reaches the client: stop_reason "refusal" on a 200 (the API today) or the older 400 content filter. */
export type Delivery = 'stop_reason' | 'content_filter_400';

export interface SimRule {
  /** Short stable name, reported in stats and logs. */
  id: string;
  /** stop_details.category sent with the refusal: cyber, bio, frontier_llm, reasoning_extraction, general_harms, or null. */
  category: string | null;
  /** stop_details.explanation; omitted means null on the wire. */
  explanation?: string;
  /** Model ids this rule applies to; `*` is a wildcard ("claude-opus-*"). Absent: every model. */
  models?: string[];
  /** Restrict matching to one part of the request. Absent: all of it. */
  scope?: TextScope;
  /** Default false: phrases and regexes match case-insensitively. */
  caseSensitive?: boolean;
  /** Override the server's delivery for this rule (e.g. a licence text rule that answers with the 400 filter). */
  delivery?: Delivery;
  /**
   * When this rule refuses a request that carries a session id, the session is flagged: every later request with that
   * id is refused (scope session) whatever it holds (session.ts). Default false.
   */
  flagsSession?: boolean;
  // Conditions: a rule fires when every condition it has holds (at least one is required).
  /** Every phrase occurs somewhere. */
  allOf?: string[];
  /** A JavaScript regular expression (source only; flags come from caseSensitive, plus "s"). */
  regex?: string;
  /** Every phrase occurs within one span of at most `chars` characters; with `ordered`, in the given order. */
  window?: { phrases: string[]; chars: number; ordered?: boolean };
  /** `phrase` occurs at least `count` times (non-overlapping). */
  atLeast?: { phrase: string; count: number };
}

export interface SimRules {
  rules: SimRule[];
}

export interface Classification {
  refused: boolean;
  rule?: SimRule;
}

const SCOPES: readonly TextScope[] = ['system', 'messages', 'tool_results', 'documents'];

/** Validates a parsed rules file; throws an Error naming the offending rule and field. */
export function parseRules(json: unknown): SimRules {
  const fail = (where: string, what: string): never => {
    throw new Error(`invalid sim rules: ${where}: ${what}`);
  };
  if (!isObject(json)) fail('top level', 'expected an object like {"rules": [...]}');
  const root = json as Record<string, unknown>;
  if (!Array.isArray(root.rules)) fail('rules', 'expected an array of rules');
  const seen = new Set<string>();
  const rules = (root.rules as unknown[]).map((raw, i): SimRule => {
    const where = `rules[${i}]`;
    if (!isObject(raw)) fail(where, 'expected an object');
    const r = raw as Record<string, unknown>;
    const id = r.id;
    if (typeof id !== 'string' || !id) fail(where, '"id" must be a non-empty string');
    const at = `rule "${id as string}"`;
    if (seen.has(id as string)) fail(at, 'duplicate id');
    seen.add(id as string);
    if (!(r.category === null || (typeof r.category === 'string' && r.category))) {
      fail(at, '"category" must be a string such as "cyber" or "bio", or null');
    }
    const rule: SimRule = { id: id as string, category: r.category as string | null };
    if (r.explanation !== undefined) {
      if (typeof r.explanation !== 'string') fail(at, '"explanation" must be a string');
      rule.explanation = r.explanation as string;
    }
    if (r.models !== undefined) rule.models = stringList(r.models, at, 'models', fail);
    if (r.scope !== undefined) {
      if (!SCOPES.includes(r.scope as TextScope)) fail(at, `"scope" must be one of ${SCOPES.join(', ')}`);
      rule.scope = r.scope as TextScope;
    }
    if (r.caseSensitive !== undefined) {
      if (typeof r.caseSensitive !== 'boolean') fail(at, '"caseSensitive" must be true or false');
      rule.caseSensitive = r.caseSensitive as boolean;
    }
    if (r.delivery !== undefined) {
      if (r.delivery !== 'stop_reason' && r.delivery !== 'content_filter_400') {
        fail(at, '"delivery" must be "stop_reason" or "content_filter_400"');
      }
      rule.delivery = r.delivery as Delivery;
    }
    if (r.flagsSession !== undefined) {
      if (typeof r.flagsSession !== 'boolean') fail(at, '"flagsSession" must be true or false');
      rule.flagsSession = r.flagsSession as boolean;
    }
    if (r.allOf !== undefined) rule.allOf = stringList(r.allOf, at, 'allOf', fail);
    if (r.regex !== undefined) {
      if (typeof r.regex !== 'string' || !r.regex) fail(at, '"regex" must be a non-empty string');
      try {
        new RegExp(r.regex as string);
      } catch (error) {
        fail(at, `"regex" does not compile: ${(error as Error).message}`);
      }
      rule.regex = r.regex as string;
    }
    if (r.window !== undefined) {
      const w = r.window as Record<string, unknown>;
      if (!isObject(w)) fail(at, '"window" must be {"phrases": [...], "chars": N, "ordered"?: bool}');
      const phrases = stringList(w.phrases, at, 'window.phrases', fail);
      if (typeof w.chars !== 'number' || !Number.isInteger(w.chars) || w.chars <= 0) {
        fail(at, '"window.chars" must be a positive integer');
      }
      if (w.ordered !== undefined && typeof w.ordered !== 'boolean') fail(at, '"window.ordered" must be true or false');
      rule.window = { phrases, chars: w.chars as number, ordered: w.ordered === true };
    }
    if (r.atLeast !== undefined) {
      const a = r.atLeast as Record<string, unknown>;
      if (!isObject(a) || typeof a.phrase !== 'string' || !a.phrase) {
        fail(at, '"atLeast" must be {"phrase": "...", "count": N}');
      }
      if (typeof a.count !== 'number' || !Number.isInteger(a.count) || a.count < 1) {
        fail(at, '"atLeast.count" must be a positive integer');
      }
      rule.atLeast = { phrase: a.phrase as string, count: a.count as number };
    }
    if (!rule.allOf && !rule.regex && !rule.window && !rule.atLeast) {
      fail(at, 'needs at least one condition: allOf, regex, window or atLeast');
    }
    return rule;
  });
  return { rules };
}

/** Judges one request for one model: the first rule (in file order) whose conditions all hold refuses it. */
export function classify(req: MessagesRequestBody, rules: SimRules, model: string): Classification {
  const texts = requestTexts(req);
  const joined = new Map<string, string>();
  const textFor = (scope: TextScope | undefined): string => {
    const key = scope ?? 'all';
    let text = joined.get(key);
    if (text === undefined) {
      const inScope = (t: (typeof texts)[number]): boolean => !scope || (scope === 'documents' ? t.document === true : t.scope === scope);
      text = texts.filter(inScope).map((t) => t.text).join('\n\n');
      joined.set(key, text);
    }
    return text;
  };
  for (const rule of rules.rules) {
    if (rule.models && !rule.models.some((pattern) => modelMatches(pattern, model))) continue;
    if (ruleMatches(rule, textFor(rule.scope))) return { refused: true, rule };
  }
  return { refused: false };
}

/** Whether one rule's conditions all hold on a text (exported for tests and tools that judge plain text). */
export function ruleMatches(rule: SimRule, text: string): boolean {
  const fold = (s: string) => (rule.caseSensitive ? s : s.toLowerCase());
  const hay = fold(text);
  if (rule.allOf && !rule.allOf.every((p) => hay.includes(fold(p)))) return false;
  if (rule.regex && !new RegExp(rule.regex, rule.caseSensitive ? 's' : 'is').test(text)) return false;
  if (rule.window) {
    const phrases = rule.window.phrases.map(fold);
    const ok = rule.window.ordered ? orderedWithin(hay, phrases, rule.window.chars) : allWithin(hay, phrases, rule.window.chars);
    if (!ok) return false;
  }
  if (rule.atLeast && countOccurrences(hay, fold(rule.atLeast.phrase)) < rule.atLeast.count) return false;
  return true;
}

export function modelMatches(pattern: string, model: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
  return re.test(model);
}

/** Every phrase starts and ends inside one span of at most `chars` characters, in any order. */
function allWithin(text: string, phrases: string[], chars: number): boolean {
  const hits: { start: number; end: number; which: number }[] = [];
  phrases.forEach((p, which) => {
    for (let i = text.indexOf(p); i >= 0; i = text.indexOf(p, i + 1)) hits.push({ start: i, end: i + p.length, which });
  });
  hits.sort((a, b) => a.start - b.start);
  // Slide over hits sorted by start; for each left edge, grow right until every phrase is covered.
  const need = new Set(phrases.map((_, i) => i)).size;
  const counts = new Map<number, number>();
  let right = 0;
  for (let left = 0; left < hits.length; left++) {
    while (right < hits.length && counts.size < need) {
      const w = hits[right].which;
      counts.set(w, (counts.get(w) ?? 0) + 1);
      right++;
    }
    if (counts.size < need) return false;
    let end = 0;
    for (let k = left; k < right; k++) end = Math.max(end, hits[k].end);
    if (end - hits[left].start <= chars) return true;
    const w = hits[left].which;
    const c = (counts.get(w) ?? 0) - 1;
    if (c === 0) counts.delete(w);
    else counts.set(w, c);
  }
  return false;
}

/** The phrases occur in the given order, without overlapping, from the first's start to the last's end within `chars`. */
function orderedWithin(text: string, phrases: string[], chars: number): boolean {
  if (phrases.length === 0) return true;
  for (let s = text.indexOf(phrases[0]); s >= 0; s = text.indexOf(phrases[0], s + 1)) {
    // Taking the earliest next occurrence each time gives the shortest ordered span from this start.
    let end = s + phrases[0].length;
    for (let k = 1; k < phrases.length && end >= 0; k++) {
      const at = text.indexOf(phrases[k], end);
      end = at < 0 ? -1 : at + phrases[k].length;
    }
    if (end < 0) return false; // no later start can complete the sequence either
    if (end - s <= chars) return true;
  }
  return false;
}

function countOccurrences(text: string, phrase: string): number {
  let n = 0;
  for (let i = text.indexOf(phrase); i >= 0; i = text.indexOf(phrase, i + phrase.length)) n++;
  return n;
}

function stringList(value: unknown, at: string, field: string, fail: (w: string, m: string) => never): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && v.length > 0)) {
    return fail(at, `"${field}" must be a non-empty array of non-empty strings`);
  }
  return value as string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Duplicate search before filing. Most refusal reports are closed as duplicates; when a matching issue exists, a
 * comment or a reaction there helps more than a new issue. Two searches in the target repo: the refusal's family
 * (kind, model, category) and the trigger's distinctive words. Open umbrella issues for the same model and category
 * rank first (maintainers close the rest as their duplicates and ask people to add to them), then issues found by
 * both searches.
 */
import type { RefusalKind, RefusalRecord } from '../refusal/record';
import type { BisectResult } from '../bisect/result';
import { toGitHubError, type GitHubClient } from './github';
import { FAMILIES, modelDisplayName } from './models';
import { redact, type RedactContext } from './redact';
import { maskedTrigger } from './trace';

export interface DuplicateQuery {
  repo: string;
  /** Display name, e.g. "Opus 4.8". */
  model?: string;
  category?: string;
  kind?: RefusalKind;
  /** A few distinctive words of the (redacted) trigger. */
  triggerWords: string[];
}

export interface DuplicateCandidate {
  number: number;
  title: string;
  url: string;
  state: string;
  comments: number;
  reactions: number;
  updatedAt: string;
  /** The query terms this issue matched, e.g. ["Opus 4.8", "cyber", "reverse"]. */
  matched: string[];
  /** Why this looks like an umbrella issue (see umbrellaSignals), e.g. ["34 comments", "links 12 issues"]; empty if not one. */
  umbrella: string[];
  /** Open, an umbrella, and about the query's model and category: the place to add to. */
  addHere: boolean;
}

/**
 * Thresholds for the umbrella signals. A refusal report nobody joined has a handful of comments; an umbrella that
 * maintainers point duplicates at collects dozens. The same for issue links: maintainers and users list the reports
 * closed into it ("Duplicate of #N" lands on the duplicate; the umbrella's body or top comment lists them).
 */
export const UMBRELLA_MIN_COMMENTS = 10;
export const UMBRELLA_MIN_LINKED = 3;

/**
 * Why an issue looks like an umbrella, from what the search answer already holds (no request per candidate):
 * - many comments (>= UMBRELLA_MIN_COMMENTS): people were sent there to add their case;
 * - many linked issues in its body (>= UMBRELLA_MIN_LINKED distinct "#N" or issue URLs): the duplicates listed in it.
 *   The timeline's cross-references would be exact, but cost one more request per candidate against the rate limit;
 * - a title that names the model and the category (or the model, when the refusal has no category): an umbrella is
 *   titled by what it collects ("Opus 4.8 refuses cyber work"), a single report by its trigger.
 * Each alone is common on an ordinary report (a hot report gets comments; our own drafts name model and category in
 * their title), so an issue counts as an umbrella with at least two of them.
 */
export function umbrellaSignals(item: { title: string; body?: string | null; comments: number; number?: number }, query: Pick<DuplicateQuery, 'model' | 'category'>): string[] {
  const signals: string[] = [];
  if (item.comments >= UMBRELLA_MIN_COMMENTS) signals.push(`${item.comments} comments`);
  const linked = new Set(
    [...(item.body ?? '').matchAll(/(?:^|[^\w&/])#(\d+)\b|\/issues\/(\d+)\b/g)].map((m) => m[1] ?? m[2]).filter((n) => n !== String(item.number)),
  );
  if (linked.size >= UMBRELLA_MIN_LINKED) signals.push(`links ${linked.size} issues`);
  const title = item.title.toLowerCase();
  const named = [query.model, query.category].filter((t): t is string => Boolean(t));
  if (query.model && named.every((t) => title.includes(t.toLowerCase()))) signals.push(`title names ${named.join(' and ')}`);
  return signals.length >= 2 ? signals : [];
}

/** A model family named in a title ("Opus 4.8", "Sonnet 5"): an umbrella titled by another model is not this one. */
const MODEL_IN_TITLE = new RegExp(`\\b(?:${FAMILIES.join('|')})\\b`, 'i');

/**
 * Whether the issue is about the query's model and category. An umbrella's subject is its title: the model must be
 * named there, or the title names no model and the body does (an umbrella for Sonnet 5 that mentions Opus 4.8 in
 * passing is not the place to add an Opus 4.8 case). The category may be in either.
 */
function sameFamily(item: { title: string; body?: string | null }, query: Pick<DuplicateQuery, 'model' | 'category'>): boolean {
  if (!query.model) return false;
  const title = item.title.toLowerCase();
  const hay = `${title}\n${item.body ?? ''}`.toLowerCase();
  const model = query.model.toLowerCase();
  if (!title.includes(model) && (MODEL_IN_TITLE.test(title) || !hay.includes(model))) return false;
  return !query.category || hay.includes(query.category.toLowerCase());
}

const STOPWORDS = new Set(
  'about above after again against also because been before being below between both could does doing down during each from further have having here into itself just more most other over same should some such than that their them then there these they this those through under until very what when where which while will with would your yours you the and for are but not all any can had her was one our out get has him his how its may new now see two way who did let put say she too use'.split(' '),
);
/** PDF operators and syntax words: present in every content stream, useless for search. */
const PDF_WORDS = new Set(['obj', 'endobj', 'stream', 'endstream', 'tj', 'bt', 'et', 'tf', 'td', 'tm', 'rg', 're', 'cm', 'do']);

function kindTerm(kind: RefusalKind | undefined): string {
  switch (kind) {
    case 'usage-policy':
      return '"Usage Policy"';
    case 'content-filter':
      return '"content filtering"';
    case 'unrecognised':
      return 'refusal';
    default:
      return 'safeguards';
  }
}

/** The distinctive words of a trigger: longest alphabetic words first, no stopwords, no PDF syntax, at most `max`. */
export function distinctiveWords(text: string, max = 3): string[] {
  const seen = new Set<string>();
  const words: string[] = [];
  const cleaned = text.replace(/\[(?:REDACTED:[^\]]*|USER|HOST)\]/g, ' ');
  // Whole whitespace-separated tokens only: a piece of an address, URL or path is not a word worth searching for.
  for (const token of cleaned.split(/\s+/)) {
    const word = token.replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, '').toLowerCase();
    if (!/^[a-z][a-z'-]{3,}$/.test(word)) continue;
    if (STOPWORDS.has(word) || PDF_WORDS.has(word) || seen.has(word)) continue;
    seen.add(word);
    words.push(word);
  }
  return words.sort((a, b) => b.length - a.length).slice(0, max);
}

export function duplicateQueryFor(
  input: { result?: BisectResult; refusal?: RefusalRecord },
  repo: string,
  ctx: RedactContext = {},
): DuplicateQuery {
  const refusal = input.refusal ?? input.result?.refusal;
  const wire = input.result?.model ?? refusal?.models[0]?.model;
  const category = refusal?.models.find((m) => m.category)?.category ?? undefined;
  // Only redacted text leaves the machine, even in a search query.
  // The trigger with traced secrets masked first (trace.ts), so a glued or split key is not searched for either.
  const traced = input.result ? maskedTrigger(input.result.parts) : undefined;
  const shown = input.result ? (traced && traced.redactions.length > 0 ? traced.text : input.result.minimal) : '';
  const trigger = redact(shown, ctx).text;
  return {
    repo,
    model: wire ? modelDisplayName(wire) : undefined,
    category: category ?? undefined,
    kind: refusal?.kind ?? (input.result ? 'safeguards' : undefined),
    triggerWords: distinctiveWords(trigger),
  };
}

/**
 * The query without what the user marked for redaction in the draft view: a search sends its terms to GitHub, so a
 * term that is part of a mark, or holds one, is dropped (case-insensitively: the trigger words are lower-cased).
 */
export function withoutMarked(query: DuplicateQuery, marks: readonly string[]): DuplicateQuery {
  const lower = marks.map((m) => m.trim().toLowerCase()).filter((m) => m.length > 0);
  if (lower.length === 0) return query;
  const marked = (term: string | undefined): boolean => {
    const t = term?.toLowerCase();
    return t !== undefined && lower.some((m) => m.includes(t) || t.includes(m));
  };
  return {
    ...query,
    model: marked(query.model) ? undefined : query.model,
    category: marked(query.category) ? undefined : query.category,
    triggerWords: query.triggerWords.filter((w) => !marked(w)),
  };
}

/** The search strings, in GitHub's issue search syntax (every term must match). */
export function searchQueries(query: DuplicateQuery): string[] {
  const scope = `repo:${query.repo} is:issue`;
  const family = [kindTerm(query.kind), query.model ? `"${query.model}"` : '', query.category ?? ''].filter(Boolean);
  const queries = [`${scope} ${family.join(' ')}`];
  if (query.triggerWords.length > 0) queries.push(`${scope} ${kindTerm(query.kind)} ${query.triggerWords.join(' ')}`);
  return queries;
}

interface SearchItem {
  number: number;
  title: string;
  html_url: string;
  state: string;
  comments: number;
  updated_at: string;
  body?: string | null;
  pull_request?: unknown;
  reactions?: { total_count?: number };
}

/** Searches the target repo; throws GitHubError (with a hint) when GitHub cannot be asked. */
export async function findDuplicates(
  client: GitHubClient,
  query: DuplicateQuery,
  options: { limit?: number } = {},
): Promise<DuplicateCandidate[]> {
  const limit = options.limit ?? 5;
  const terms = [query.model, query.category, ...query.triggerWords].filter((t): t is string => Boolean(t));
  const found = new Map<number, { item: SearchItem; hits: number }>();
  for (const q of searchQueries(query)) {
    let items: SearchItem[];
    try {
      const response = await client.rest.search.issuesAndPullRequests({ q, per_page: 20, sort: 'reactions', order: 'desc' });
      items = response.data.items as unknown as SearchItem[];
    } catch (error) {
      throw toGitHubError(error, 'Searching for duplicates');
    }
    for (const item of items) {
      if (item.pull_request) continue;
      const entry = found.get(item.number) ?? { item, hits: 0 };
      entry.hits += 1;
      found.set(item.number, entry);
    }
  }
  const candidates = [...found.values()].map(({ item, hits }) => {
    const hay = `${item.title}\n${item.body ?? ''}`.toLowerCase();
    const umbrella = umbrellaSignals(item, query);
    return {
      hits,
      candidate: {
        number: item.number,
        title: item.title,
        url: item.html_url,
        state: item.state,
        comments: item.comments,
        reactions: item.reactions?.total_count ?? 0,
        updatedAt: item.updated_at,
        matched: terms.filter((t) => hay.includes(t.toLowerCase())),
        umbrella,
        addHere: item.state === 'open' && umbrella.length > 0 && sameFamily(item, query),
      } satisfies DuplicateCandidate,
    };
  });
  candidates.sort(
    (a, b) =>
      Number(b.candidate.addHere) - Number(a.candidate.addHere) ||
      b.hits - a.hits ||
      b.candidate.matched.length - a.candidate.matched.length ||
      (a.candidate.state === 'open' ? 0 : 1) - (b.candidate.state === 'open' ? 0 : 1) ||
      b.candidate.reactions + b.candidate.comments - (a.candidate.reactions + a.candidate.comments),
  );
  return candidates.slice(0, limit).map((c) => c.candidate);
}

/** Lines for a terminal or a webview: "comment or react there instead". */
export function formatDuplicates(candidates: readonly DuplicateCandidate[]): string[] {
  if (candidates.length === 0) return ['No similar issues found.'];
  return [
    `Possible duplicates: if one of these is your problem, comment with your request id or react there instead of filing a new issue:`,
    ...candidates.map(
      (c) =>
        `  #${c.number} [${c.state}] ${c.title}\n    ${c.url} (${c.comments} comments, ${c.reactions} reactions; matched ${c.matched.join(', ') || 'the search'})` +
        (c.addHere ? `\n    Open umbrella issue for this model and category (${c.umbrella.join(', ')}): add to it with \`aup-bisect file RESULT.json --comment ${c.number}\`` : ''),
    ),
  ];
}

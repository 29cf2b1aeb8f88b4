/**
 * Duplicate search before filing. Most refusal reports are closed as duplicates; when a matching issue exists, a
 * comment or a reaction there helps more than a new issue. Two searches in the target repo: the refusal's family
 * (kind, model, category) and the trigger's distinctive words; issues found by both rank first.
 */
import type { RefusalKind, RefusalRecord } from '../refusal/record';
import type { BisectResult } from '../bisect/result';
import { toGitHubError, type GitHubClient } from './github';
import { modelDisplayName } from './models';
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
      } satisfies DuplicateCandidate,
    };
  });
  candidates.sort(
    (a, b) =>
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
        `  #${c.number} [${c.state}] ${c.title}\n    ${c.url} (${c.comments} comments, ${c.reactions} reactions; matched ${c.matched.join(', ') || 'the search'})`,
    ),
  ];
}

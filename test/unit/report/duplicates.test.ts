import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { distinctiveWords, duplicateQueryFor, findDuplicates, formatDuplicates, searchQueries, withoutMarked } from '../../../src/core/report/duplicates';
import { createGitHubClient, GitHubError } from '../../../src/core/report/github';
import { startGitHubServer, type GitHubServer } from '../../support/github-server';
import { ALICE, loadRefusal, loadResult } from '../../fixtures/report/load';

const REPO = 'anthropics/claude-code';
let server: GitHubServer;

beforeEach(async () => {
  server = await startGitHubServer({
    issues: [
      { repo: REPO, title: '[BUG] Opus 4.8 safeguards flag every cyber question', body: 'category cyber, safeguards', reactions: 40, comments: 12 },
      { repo: REPO, title: '[BUG] Safeguards refuse a PDF about a reverse shell in a toy ad', body: 'Opus 4.8, the words reverse shell included', reactions: 2 },
      { repo: REPO, title: 'Feature request: dark mode', body: 'unrelated' },
      { repo: 'someone/else', title: '[BUG] Opus 4.8 safeguards cyber', body: 'other repo' },
    ],
  });
});
afterEach(() => server.close());

describe('duplicate search', () => {
  it('builds queries from the refusal family and the trigger words', () => {
    const query = duplicateQueryFor({ result: loadResult() }, REPO, ALICE);
    expect(query).toEqual({ repo: REPO, model: 'Opus 4.8', category: 'cyber', kind: 'safeguards', triggerWords: ['included', 'reverse', 'shell'] });
    expect(searchQueries(query)).toEqual([
      'repo:anthropics/claude-code is:issue safeguards "Opus 4.8" cyber',
      'repo:anthropics/claude-code is:issue safeguards included reverse shell',
    ]);
  });

  it('never puts redacted values or PDF syntax in a query', () => {
    expect(distinctiveWords('BT (mail jane@example.com about [REDACTED:email-1] payloads) Tj ET endstream')).toEqual(['payloads', 'mail']);
    const query = duplicateQueryFor({ result: loadResult({ minimal: 'contact jane.doe@example.com regarding exploits' }) }, REPO);
    expect(query.triggerWords.join(' ')).not.toMatch(/jane|example/);
  });

  it('finds matching issues in the target repo only, best matches first', async () => {
    const client = createGitHubClient({ apiUrl: server.url, retryAfterBaseValue: 1 });
    const found = await findDuplicates(client, duplicateQueryFor({ result: loadResult() }, REPO));
    expect(found.map((c) => c.number)).toEqual([2, 1]);
    expect(found[0]).toMatchObject({
      title: '[BUG] Safeguards refuse a PDF about a reverse shell in a toy ad',
      url: 'https://github.com/anthropics/claude-code/issues/2',
      state: 'open',
      matched: ['Opus 4.8', 'included', 'reverse', 'shell'],
    });
    expect(server.requests.map((r) => r.query.q)).toEqual(searchQueries(duplicateQueryFor({ result: loadResult() }, REPO)));
    expect(formatDuplicates(found)[0]).toMatch(/comment with your request id or react there instead/);
  }, 15_000);

  it('works from a refusal record alone, without a token', async () => {
    const client = createGitHubClient({ apiUrl: server.url, retryAfterBaseValue: 1 });
    const found = await findDuplicates(client, duplicateQueryFor({ refusal: loadRefusal() }, REPO));
    expect(found.map((c) => c.number)).toEqual([1]);
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('turns a search rate limit into a GitHubError that says when to try again', async () => {
    server.failNext({ path: /^\/search\// }, { kind: 'rate-limit', resetInSeconds: 600 });
    const client = createGitHubClient({ apiUrl: server.url, retryAfterBaseValue: 1 });
    const error = await findDuplicates(client, duplicateQueryFor({ refusal: loadRefusal() }, REPO)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubError);
    expect(error).toMatchObject({ kind: 'rate-limit' });
    expect((error as GitHubError).hint).toMatch(/Try again after/);
  });
});

describe('a duplicate search without what the user marked', () => {
  const query = { repo: REPO, model: 'Opus 4.8', category: 'cyber', kind: 'safeguards' as const, triggerWords: ['bluefalcon', 'exfiltrate', 'shell'] };

  it('drops every term a mark holds or is part of, whatever its case', () => {
    expect(withoutMarked(query, ['Project BlueFalcon', 'exfil'])).toEqual({ ...query, triggerWords: ['shell'] });
    expect(withoutMarked(query, ['opus 4.8'])).toEqual({ ...query, model: undefined });
  });

  it('leaves the query as it is without marks', () => {
    expect(withoutMarked(query, [])).toBe(query);
    expect(withoutMarked(query, ['  '])).toBe(query);
  });
});

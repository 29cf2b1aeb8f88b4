import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { distinctiveWords, duplicateQueryFor, findDuplicates, formatDuplicates, searchQueries, umbrellaSignals, withoutMarked } from '../../../src/core/report/duplicates';
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

  it('finds matching issues in the target repo only, the open umbrella for the model and category first', async () => {
    const client = createGitHubClient({ apiUrl: server.url, retryAfterBaseValue: 1 });
    const found = await findDuplicates(client, duplicateQueryFor({ result: loadResult() }, REPO));
    // #1 has 12 comments and a title naming Opus 4.8 and cyber: an umbrella, open, so it comes before the closer
    // trigger match #2.
    expect(found.map((c) => c.number)).toEqual([1, 2]);
    expect(found[0]).toMatchObject({ addHere: true, umbrella: ['12 comments', 'title names Opus 4.8 and cyber'] });
    expect(found[1]).toMatchObject({
      title: '[BUG] Safeguards refuse a PDF about a reverse shell in a toy ad',
      url: 'https://github.com/anthropics/claude-code/issues/2',
      state: 'open',
      matched: ['Opus 4.8', 'included', 'reverse', 'shell'],
    });
    expect(server.requests.map((r) => r.query.q)).toEqual(searchQueries(duplicateQueryFor({ result: loadResult() }, REPO)));
    expect(formatDuplicates(found)[0]).toMatch(/comment with your request id or react there instead/);
    expect(formatDuplicates(found)[1]).toContain(
      'Open umbrella issue for this model and category (12 comments, title names Opus 4.8 and cyber): add to it with `aup-bisect file RESULT.json --comment 1`',
    );
    expect(formatDuplicates(found)[2]).not.toMatch(/umbrella/);
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

describe('umbrella issues', () => {
  const family = { model: 'Opus 4.8', category: 'cyber' };

  it('needs two signals: many comments, many linked issues, a title naming the model and category', () => {
    const links = 'Collecting reports here. Duplicates: #101, #102 and https://github.com/anthropics/claude-code/issues/103';
    expect(umbrellaSignals({ title: 'Opus 4.8 blocks cyber work', body: links, comments: 40, number: 5 }, family)).toEqual([
      '40 comments',
      'links 3 issues',
      'title names Opus 4.8 and cyber',
    ]);
    expect(umbrellaSignals({ title: 'Refusals everywhere', body: links, comments: 10 }, family)).toEqual(['10 comments', 'links 3 issues']);
    // One signal alone is an ordinary report: a busy one, or one titled like our own drafts.
    expect(umbrellaSignals({ title: 'Refusals everywhere', body: 'see #1', comments: 80 }, family)).toEqual([]);
    expect(umbrellaSignals({ title: '[BUG] Opus 4.8 safeguards refuse a prompt (cyber): nmap', body: null, comments: 2 }, family)).toEqual([]);
    // An issue linking to itself, a colour and a URL fragment are not links to other issues.
    expect(umbrellaSignals({ title: 'x', body: 'This is #5, colour &#123; and page#2 and #5 again', comments: 10, number: 5 }, family)).toEqual([]);
  });

  it('ranks the open umbrella for the same model and category above closed, other-model and better-matching issues', async () => {
    const busy = { comments: 50, body: 'safeguards; duplicates #11 #12 #13' };
    const ranked = await startGitHubServer({
      issues: [
        { repo: REPO, title: '[BUG] Safeguards refuse reverse shell included in an ad (Opus 4.8, cyber)', body: 'safeguards reverse shell included', reactions: 90 },
        { repo: REPO, title: 'Opus 4.8 safeguards flag cyber work', state: 'closed', ...busy },
        { repo: REPO, title: 'Sonnet 5 safeguards flag cyber work', body: `${busy.body}; also seen on Opus 4.8`, comments: 50 },
        { repo: REPO, title: 'Opus 4.8 safeguards flag cyber work (umbrella)', ...busy },
      ],
    });
    try {
      const client = createGitHubClient({ apiUrl: ranked.url, retryAfterBaseValue: 1 });
      const found = await findDuplicates(client, duplicateQueryFor({ result: loadResult() }, REPO));
      expect(found.map((c) => [c.number, c.addHere])).toEqual([
        [4, true],
        [1, false],
        [3, false],
        [2, false],
      ]);
      // Then the best trigger match (#1, found by both searches), then open before closed.
      // #3 looks like an umbrella too, but its title says Sonnet 5: Opus 4.8 in its body does not make it the place.
      expect(found.find((c) => c.number === 3)!.umbrella).toEqual(['50 comments', 'links 3 issues']);
    } finally {
      await ranked.close();
    }
  });
});

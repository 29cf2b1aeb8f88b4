import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHubServer, type GitHubServer } from '../../support/github-server';
import { EXITS, leaks, PLACEMENTS, runScenario, TOKEN, type Placement } from './exit-harness';
import { nearMisses, reseed, secretCorpus, type SecretSample } from './secret-corpus';

reseed();
const corpus = secretCorpus();
let server: GitHubServer;

beforeAll(async () => {
  server = await startGitHubServer({ token: TOKEN });
});
afterAll(() => server.close());

describe('the test corpus', () => {
  it('has at least 40 kinds of secret in real formats', () => {
    expect(new Set(corpus.map((s) => s.name)).size).toBeGreaterThanOrEqual(40);
  });
});

describe.each(PLACEMENTS.map((p) => [p]))('a secret placed as %s', (placement: Placement) => {
  it.each(corpus.map((s) => [s.name, s] as [string, SecretSample]))(
    '%s leaves through no exit',
    async (_name, sample) => {
      const outcome = await runScenario(sample, placement, server);
      const leaked = EXITS.filter((exit) => outcome.exits[exit] !== undefined && leaks(outcome.value, outcome.exits[exit]!));
      expect(leaked).toEqual([]);
      // Every scenario reaches the five text exits; PDF inputs also the attachment, which holds no secret.
      expect(Object.keys(outcome.exits).length).toBe(placement === 'pdf-metadata' ? 6 : 5);
      if (placement === 'pdf-metadata') expect(outcome.blocked).toBeUndefined();
    },
    60_000,
  );
});

describe('near-misses', () => {
  it('reach every exit untouched: ids, hashes, versions, loopback addresses, git@github.com', async () => {
    const misses = nearMisses();
    const sample: SecretSample = { name: 'near-misses', secret: misses.join(' '), line: misses.join(' ') };
    const outcome = await runScenario(sample, 'whole', server);
    for (const exit of ['saved-draft', 'posted-body', 'clipboard'] as const) {
      for (const miss of misses) expect(outcome.exits[exit], `${miss} in ${exit}`).toContain(miss);
    }
  }, 60_000);
});

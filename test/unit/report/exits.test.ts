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

// Placements that can hold every sample at once run as one bisect; titles and context lines quote only the first
// trigger, so that placement runs once per sample. (bench:redact runs every sample alone, with the real reducer.)
const SHARED: Placement[] = PLACEMENTS.filter((p) => p !== 'context-title');

function leakedExits(outcome: Awaited<ReturnType<typeof runScenario>>, value: string): string[] {
  return EXITS.filter((exit) => outcome.exits[exit] !== undefined && leaks(value, outcome.exits[exit]!));
}

describe.each(SHARED.map((p) => [p]))('every secret placed %s', (placement: Placement) => {
  it('leaves through no exit', async () => {
    const outcome = await runScenario(corpus, placement, server);
    const leaked = corpus.flatMap((s, i) => leakedExits(outcome, outcome.values[i]!).map((exit) => `${s.name} -> ${exit}`));
    expect(leaked).toEqual([]);
    // The five text exits are reached; a PDF also leaves as the attachment, rewritten and not blocked.
    expect(Object.keys(outcome.exits).length).toBe(placement === 'pdf-metadata' ? 6 : 5);
    if (placement === 'pdf-metadata') expect(outcome.blocked).toBeUndefined();
  }, 120_000);
});

describe('a secret in the context line and the title, past their cut', () => {
  it.each(corpus.map((s) => [s.name, s] as [string, SecretSample]))('%s leaves through no exit', async (_name, sample) => {
    const outcome = await runScenario(sample, 'context-title', server);
    expect(leakedExits(outcome, outcome.values[0]!)).toEqual([]);
  }, 60_000);
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

/**
 * `npm run bench:redact`: the generated secret corpus (real formats, 40+ kinds) placed six ways in a refused input
 * (as the whole trigger, glued to trigger text, split across kept fragments, in context lines and titles longer
 * than their cut, in file names and paths, in PDF metadata), each bisected for real and drafted, then read back
 * from every exit: the saved draft and the output of the `draft` command, the body POSTed by @octokit/rest to the
 * loopback GitHub, the browser link, the clipboard text, and the PDF attachment. Prints, per exit, how many secrets
 * reached it and how many leaked; then the near-misses (ids, hashes, versions, loopback addresses, git@github.com)
 * that must survive, and how many were falsely redacted per exit.
 */
import { startGitHubServer } from '../test/support/github-server';
import { EXITS, leaks, PLACEMENTS, runScenario, TOKEN, type Exit, type Placement } from '../test/unit/report/exit-harness';
import { nearMisses, reseed, secretCorpus } from '../test/unit/report/secret-corpus';

async function main(): Promise<void> {
  reseed();
  const corpus = secretCorpus();
  const only = process.argv.slice(2).filter((a) => (PLACEMENTS as readonly string[]).includes(a)) as Placement[];
  const placements = only.length > 0 ? only : [...PLACEMENTS];
  const server = await startGitHubServer({ token: TOKEN });
  const reached = new Map<Exit, number>(EXITS.map((e) => [e, 0]));
  const leaked = new Map<Exit, number>(EXITS.map((e) => [e, 0]));
  const perPlacement = new Map<Placement, { scenarios: number; leaked: number }>();
  const failures: string[] = [];
  const started = Date.now();
  try {
    process.stdout.write(`corpus: ${new Set(corpus.map((s) => s.name)).size} kinds x ${placements.length} placements\n`);
    for (const placement of placements) {
      const row = { scenarios: 0, leaked: 0 };
      for (const sample of corpus) {
        const outcome = await runScenario(sample, placement, server, { realReducer: true });
        row.scenarios++;
        let any = false;
        for (const exit of EXITS) {
          const text = outcome.exits[exit];
          if (text === undefined) continue;
          reached.set(exit, reached.get(exit)! + 1);
          if (leaks(outcome.value, text)) {
            leaked.set(exit, leaked.get(exit)! + 1);
            failures.push(`${placement} ${sample.name} -> ${exit}`);
            any = true;
          }
        }
        if (outcome.blocked) failures.push(`${placement} ${sample.name}: attachment blocked (${outcome.blocked})`);
        if (any) row.leaked++;
      }
      perPlacement.set(placement, row);
      process.stdout.write(`  ${placement.padEnd(14)} ${row.scenarios} scenarios, ${row.leaked} with a leak\n`);
    }

    process.stdout.write('\nsecrets per exit (placed / leaked / removed):\n');
    process.stdout.write(`  ${'exit'.padEnd(12)} ${'placed'.padStart(6)} ${'leaked'.padStart(6)} ${'removed'.padStart(8)}\n`);
    for (const exit of EXITS) {
      const n = reached.get(exit)!;
      const l = leaked.get(exit)!;
      const pct = n === 0 ? 'n/a' : `${((100 * (n - l)) / n).toFixed(1)}%`;
      process.stdout.write(`  ${exit.padEnd(12)} ${String(n).padStart(6)} ${String(l).padStart(6)} ${pct.padStart(8)}\n`);
    }

    const misses = nearMisses();
    const outcome = await runScenario({ name: 'near-misses', secret: misses.join(' '), line: misses.join(' ') }, 'whole', server, { realReducer: true });
    process.stdout.write(`\nnear-misses (${misses.length}) falsely redacted per exit:\n`);
    for (const exit of EXITS) {
      const text = outcome.exits[exit];
      if (text === undefined) continue;
      const decoded = exit === 'posted-body' ? JSON.parse(text) as { body: string } : undefined;
      const haystack = decoded ? decoded.body : text;
      const lost = misses.filter((m) => !haystack.includes(m));
      // The browser link and the CLI output carry the trigger only in part (the title is cut): only the full-text exits count.
      if (exit === 'cli-output') continue;
      process.stdout.write(`  ${exit.padEnd(12)} ${lost.length}${lost.length ? ` (${lost.join(', ')})` : ''}\n`);
    }
  } finally {
    await server.close();
  }
  if (failures.length > 0) process.stdout.write(`\nleaks:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
  process.stdout.write(`\n${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (failures.length > 0) process.exitCode = 1;
}

void main();

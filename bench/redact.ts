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
  const done: Placement[] = [];
  const failures: string[] = [];
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(0);

  // Printed after every placement, so a run stopped early still shows what it measured.
  const table = (): void => {
    process.stdout.write(`secrets per exit over ${done.join(', ')} (placed / leaked / removed):\n`);
    for (const exit of EXITS) {
      const n = reached.get(exit)!;
      const l = leaked.get(exit)!;
      const pct = n === 0 ? 'n/a' : `${((100 * (n - l)) / n).toFixed(1)}%`;
      process.stdout.write(`  ${exit.padEnd(12)} ${String(n).padStart(6)} ${String(l).padStart(6)} ${pct.padStart(8)}\n`);
    }
  };

  try {
    const misses = nearMisses();
    const outcome = await runScenario({ name: 'near-misses', secret: misses.join(' '), line: misses.join(' ') }, 'whole', server, { realReducer: true });
    process.stdout.write(`near-misses (${misses.length}) falsely redacted per exit (full-text exits):\n`);
    for (const exit of ['saved-draft', 'posted-body', 'clipboard'] as const) {
      const text = outcome.exits[exit]!;
      const haystack = exit === 'posted-body' ? (JSON.parse(text) as { body: string }).body : text;
      const lost = misses.filter((m) => !haystack.includes(m));
      process.stdout.write(`  ${exit.padEnd(12)} ${lost.length}${lost.length ? ` (${lost.join(', ')})` : ''}\n`);
    }

    process.stdout.write(`\ncorpus: ${new Set(corpus.map((s) => s.name)).size} kinds x ${placements.length} placements, real reducer\n`);
    for (const placement of placements) {
      let withLeak = 0;
      for (const sample of corpus) {
        const result = await runScenario(sample, placement, server, { realReducer: true });
        let any = false;
        for (const exit of EXITS) {
          const text = result.exits[exit];
          if (text === undefined) continue;
          reached.set(exit, reached.get(exit)! + 1);
          if (leaks(result.values[0]!, text)) {
            leaked.set(exit, leaked.get(exit)! + 1);
            failures.push(`${placement} ${sample.name} -> ${exit}`);
            any = true;
          }
        }
        if (result.blocked) failures.push(`${placement} ${sample.name}: attachment blocked (${result.blocked})`);
        if (any) withLeak++;
      }
      done.push(placement);
      process.stdout.write(`\n${placement}: ${corpus.length} scenarios, ${withLeak} with a leak (${seconds()} s)\n`);
      table();
    }
  } finally {
    await server.close();
  }
  if (failures.length > 0) process.stdout.write(`\nleaks:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
  process.stdout.write(`\n${seconds()} s\n`);
  if (failures.length > 0) process.exitCode = 1;
}

void main();

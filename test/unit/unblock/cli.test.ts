/**
 * `aup-bisect unblock RESULT` as a user runs it, after `aup-bisect bisect ... --out RESULT`: the CLI bundled from
 * source, the in-process stand-in (`--oracle sim`, the bundled demo rules) and the user's own test command as
 * oracles. What it writes is checked by bisecting it again: the sanitized copy must no longer be refused.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, runCli } from '../../support/cli-bundle';

let dir: string;
let cli: string;
const REVIEW = [
  'Incident review: build farm, week 46',
  '',
  'Egress from runners is not restricted to the artifact mirror.',
  'A contractor script opened a reverse shell on the runner and used it to exfiltrate the signing keys.',
  'The keys were rotated on Tuesday.',
  '',
].join('\n');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aup-unblock-cli-'));
  cli = await bundleCli();
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const run = (args: string[]) => runCli(cli, args, { HOME: dir, XDG_CACHE_HOME: join(dir, 'xdg') }, dir);
const sha = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');

// Each test runs the CLI several times (a bisect, then unblock); on a loaded machine one run takes seconds.
describe('aup-bisect unblock', { timeout: 120_000 }, () => {
  it('prints the pass set and its verification; --write puts the sanitized copy beside the file, which stays as it was', async () => {
    await writeFile(join(dir, 'review.txt'), REVIEW);
    expect((await run(['bisect', 'review.txt', '--oracle', 'sim', '--out', 'review.json', '--quiet'])).code).toBe(0);
    const before = await sha(join(dir, 'review.txt'));

    const dry = await run(['unblock', 'review.json', '--quiet']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^Pass set: 1 span to remove \(\d+ B of \d+ B\), each one needed \(checked\):\n {2}"(reverse shell|exfiltrate)" from #0 file, line 4\n/);
    expect(dry.stdout).toMatch(/Verification: whole input passes 5\/5 after removing 1 span \(\d+ bytes\)/);
    expect(dry.stdout).not.toMatch(/Sanitized copy/);
    expect((await readdir(dir)).filter((f) => f.includes('sanitized'))).toEqual([]);

    const written = await run(['unblock', 'review.json', '--write', '--quiet']);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toContain(`Sanitized copy: ${join(dir, 'review.sanitized.txt')}`);
    // The second run paid for nothing: every answer came from the probe cache.
    expect(written.stdout).toMatch(/Probes: 0 paid, \d+ cached/);
    expect(await sha(join(dir, 'review.txt'))).toBe(before);
    const sanitized = await readFile(join(dir, 'review.sanitized.txt'), 'utf8');
    expect(sanitized.length).toBeLessThan(REVIEW.length);
    // Bisecting the sanitized copy: not refused (exit 2), the original still is.
    expect((await run(['bisect', 'review.sanitized.txt', '--oracle', 'sim', '--quiet', '--no-cache'])).code).toBe(2);
  });

  it('--replace writes over the original only after keeping it as <file>.orig', async () => {
    await writeFile(join(dir, 'replace.txt'), REVIEW);
    expect((await run(['bisect', 'replace.txt', '--oracle', 'sim', '--out', 'replace.json', '--quiet'])).code).toBe(0);
    const r = await run(['unblock', 'replace.json', '--replace', '--json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'passes', written: { sanitized: [join(dir, 'replace.txt')], backup: join(dir, 'replace.txt.orig') } });
    expect(await readFile(join(dir, 'replace.txt.orig'), 'utf8')).toBe(REVIEW);
    // The file changed since the bisect now: unblock says so rather than work on something else.
    const again = await run(['unblock', 'replace.json', '--quiet']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/changed since the bisect/);
  });

  it('--mask replaces each removed span with the given text in the sanitized copy', async () => {
    await writeFile(join(dir, 'masked.txt'), REVIEW);
    expect((await run(['bisect', 'masked.txt', '--oracle', 'sim', '--out', 'masked.json', '--quiet'])).code).toBe(0);
    const r = await run(['unblock', 'masked.json', '--mask', '[removed]', '--write', '--json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const removed = (JSON.parse(r.stdout) as { passSet: { removed: Array<{ text: string }> } }).passSet.removed;
    expect(removed).toHaveLength(1);
    expect(await readFile(join(dir, 'masked.sanitized.txt'), 'utf8')).toBe(REVIEW.replace(removed[0]!.text, '[removed]'));
  });

  it('a PDF: the sanitized copy is a PDF written through the PDF model, and is no longer refused', async () => {
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    const page = pdf.addPage([420, 300]);
    ['TOYS FOR EVERY AGE', 'NEW: PICK A CHARACTER OR FOR DONKEY UNDERNEATH', 'Open Saturdays 9-5.'].forEach((text, i) => page.drawText(text, { x: 24, y: 250 - i * 30, size: 14, font }));
    await writeFile(join(dir, 'ad.pdf'), await pdf.save());
    expect((await run(['bisect', 'ad.pdf', '--oracle', 'sim', '--out', 'ad.json', '--quiet'])).code).toBe(0);
    const r = await run(['unblock', 'ad.json', '--write', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Sanitized copy: ${join(dir, 'ad.sanitized.pdf')}`);
    const bytes = await readFile(join(dir, 'ad.sanitized.pdf'));
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect((await PDFDocument.load(bytes)).getPageCount()).toBe(1);
    expect((await run(['bisect', 'ad.sanitized.pdf', '--oracle', 'sim', '--quiet', '--no-cache'])).code).toBe(2);
  });

  it('the oracle of the result by default, or a test command; exit 2 when the original is not refused by it', async () => {
    await writeFile(join(dir, 'plain.txt'), REVIEW);
    expect((await run(['bisect', 'plain.txt', '--test', 'grep -q exfiltrate', '--out', 'plain.json', '--quiet'])).code).toBe(0);
    const r = await run(['unblock', 'plain.json', '--test', 'grep -q exfiltrate', '--json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'passes', oracle: 'command', passSet: { removed: [{ part: 0, text: 'exfiltrate' }], verification: { passed: 5, of: 5 } } });
    const not = await run(['unblock', 'plain.json', '--test', 'false', '--quiet']);
    expect(not.code).toBe(2);
    expect(not.stdout).toMatch(/not refused/);
  });

  it('bad input: a missing or foreign JSON file is an error with a hint', async () => {
    const missing = await run(['unblock', 'nope.json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read nope.json[\s\S]*--out FILE/);
    await writeFile(join(dir, 'other.json'), '{"hello": 1}');
    expect((await run(['unblock', 'other.json'])).stderr).toMatch(/not a bisect result/);
  });
});

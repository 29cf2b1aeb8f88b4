/**
 * The PDF suite's rules (test commands over pdftotext, as a user would write them) and the checks of a result, shared
 * by `npm run bench:pdf` and the producer test. A check reads the minimal file with pdftotext and qpdf, apart from
 * the reducer; only the single-glyph removals are written by the reducer's own PDF model (that is what it claims).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BisectResult as BisectRun } from '../../src/core/bisect/result';
import { PdfModel } from '../../src/core/reduce/pdf';
import { PHRASE } from './producers';

const run = promisify(execFile);

export interface Rule {
  name: string;
  /** The test command (the candidate's path is appended; exit 0 = still refused). */
  command: string;
  /** Does a pdftotext reading (whitespace collapsed) hold no text the rule does not need? */
  onlyNeeded: (text: string) => boolean;
  /** One contiguous phrase: its glyphs, for the information bound. */
  phrase?: string;
}

const READ = `pdftotext -q "$1" - | tr -s '[:space:]' ' '`;
export const PAIR_WINDOW = 30;

export const RULES: Rule[] = [
  {
    name: 'phrase',
    command: `f() { ${READ} | grep -qi '${PHRASE}'; }; f`,
    onlyNeeded: (t) => t.toLowerCase() === PHRASE,
    phrase: PHRASE,
  },
  {
    // Not monotone: cutting text between the words can bring them within the window, cutting a space glues them.
    name: `words<=${PAIR_WINDOW}`,
    command: `f() { ${READ} | grep -qiE '\\bcharacter\\b.{0,${PAIR_WINDOW}}\\bdonkey\\b'; }; f`,
    onlyNeeded: (t) => new RegExp(`^character\\b.{0,${PAIR_WINDOW}}\\bdonkey$`, 'i').test(t),
  },
];

export const normalise = (s: string): string => s.replace(/…/g, ' ').replace(/\s+/g, ' ').trim();

export async function pdftotext(path: string): Promise<string | undefined> {
  try {
    return (await run('pdftotext', ['-q', path, '-'])).stdout;
  } catch {
    return undefined;
  }
}

async function refuses(rule: Rule, path: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `${rule.command} "$@"`, 'sh', path]);
    return true;
  } catch {
    return false;
  }
}

export interface Verdict {
  valid: boolean;
  triggers: boolean;
  /** Every single-glyph removal passes (each probed here). */
  oneMinimal: boolean;
  glyphs: number;
  onlyNeeded: boolean;
  notLarger: boolean;
  /** The printed trigger is what pdftotext reads (whitespace and the gap mark collapsed). */
  printedAsRead: boolean;
  read: string;
  /** Bytes of the minimal file. */
  bytes: number;
}

export async function judgeResult(rule: Rule, inputPath: string, result: BisectRun): Promise<Verdict> {
  const fail: Verdict = { valid: false, triggers: false, oneMinimal: false, glyphs: 0, onlyNeeded: false, notLarger: false, printedAsRead: false, read: '', bytes: 0 };
  if (!result.minimalFile) return fail;
  const path = result.minimalFile;
  let valid = true;
  try {
    await run('qpdf', ['--check', path]);
  } catch (error) {
    valid = (error as { code?: number }).code === 3; // warnings only
  }
  const text = await pdftotext(path);
  if (text === undefined) return fail;
  const read = normalise(text);
  const bytes = new Uint8Array(await readFile(path));
  const input = (await readFile(inputPath)).byteLength;
  const triggers = await refuses(rule, path);
  // Each single-glyph removal, written by the model of the minimal file and probed with the rule.
  const model = await PdfModel.load(bytes);
  const dir = await mkdtemp(join(tmpdir(), 'aup-pdf-judge-'));
  let oneMinimal = triggers;
  try {
    for (let g = 0; g < model.atomCount && oneMinimal; g++) {
      const without = await model.render(g === 0 ? [1, model.atomCount] : g === model.atomCount - 1 ? [0, g] : [0, g, g + 1, model.atomCount]);
      const file = join(dir, `without-${g}.pdf`);
      await writeFile(file, without);
      if (await refuses(rule, file)) oneMinimal = false;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return {
    valid,
    triggers,
    oneMinimal,
    glyphs: model.glyphCount,
    onlyNeeded: rule.onlyNeeded(read),
    notLarger: bytes.byteLength <= input,
    printedAsRead: normalise(result.minimal) === read,
    read,
    bytes: bytes.byteLength,
  };
}

/** ceil(log2(n(n+1)/2)) to find a span among n glyphs, m-2 to certify its interior, plus the verification. */
export function phraseBound(n: number, m: number, verifyRuns: number): number {
  return Math.ceil(Math.log2((n * (n + 1)) / 2)) + Math.max(0, m - 2) + verifyRuns;
}

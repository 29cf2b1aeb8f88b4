/**
 * One secret, one placement, every exit: a real bisect (runBisect and the reducer) of an original that holds the
 * secret, against an in-process oracle that refuses while the candidate holds the strings it needs; then the draft
 * through each way text leaves: the saved draft and the printed output of the real `draft` command (run in-process),
 * the issue POSTed by the real @octokit/rest client to the loopback GitHub, the browser link, the clipboard text,
 * and the rewritten PDF attachment. Shared by test/unit/report/exits.test.ts and bench/redact.ts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { PDFDocument, PDFName, PDFString, StandardFonts } from '@cantoo/pdf-lib';
import { register as registerDraft } from '../../../src/cli/commands/draft';
import type { Oracle, ProbeInput, Verdict } from '../../../src/core/probe/oracle/types';
import { runBisect, type ReduceFn } from '../../../src/core/bisect/run';
import { modelFor } from '../../../src/core/reduce/model';
import { PdfModel } from '../../../src/core/reduce/pdf';
import { clipboardMarkdown, draftGated } from '../../../src/core/report/exits';
import { browserIssueUrl, fileIssue } from '../../../src/core/report/file';
import { gateAttachment, pdfReadableText } from '../../../src/core/report/gate';
import { systemReportEnv } from '../../../src/core/report/input';
import type { GitHubServer } from '../../support/github-server';
import type { SecretSample } from './secret-corpus';

export const PLACEMENTS = ['whole', 'glued', 'split', 'context-title', 'file-name', 'pdf-metadata'] as const;
export type Placement = (typeof PLACEMENTS)[number];
export const EXITS = ['saved-draft', 'posted-body', 'browser-url', 'clipboard', 'cli-output', 'attachment'] as const;
export type Exit = (typeof EXITS)[number];

export const TOKEN = 'ghp_TestTokenForTheLoopbackServer0000000';

/** Refused while every needed string is in the candidate's text (PDF parts: the text the glyphs draw). */
class NeedsOracle implements Oracle {
  readonly name = 'needs';
  readonly identity: string;
  constructor(private readonly needs: readonly string[]) {
    this.identity = `needs:${needs.length}`;
  }
  async probe(input: ProbeInput): Promise<Verdict> {
    let text = '';
    for (const p of input.parts) {
      if (p.bytes) {
        const pdf = await PdfModel.load(p.bytes);
        text += pdf.fragments([0, pdf.atomCount]).map((f) => f.text).join('').replace(/\[page \d+\]/g, '');
      }
      else text += p.text;
    }
    const refused = this.needs.every((n) => text.includes(n));
    return { refused, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, bytesSent: text.length, latencyMs: 0 };
  }
}

const INTRO = 'Notes for the spring sale, second draft.';
const OUTRO = 'Send the final copy to the printer by Friday.';

interface Case {
  text?: string;
  pdf?: Uint8Array;
  fileName: string;
  needs: string[];
  /** For each sample, the form of its secret that must not leave (file names flatten newlines). */
  values: string[];
}

const flat = (text: string) => text.replace(/\n/g, ' ');

async function pdfWithMetadata(samples: readonly SecretSample[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const page = doc.addPage([400, 200]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  page.drawText('the plush donkey underneath the table', { x: 20, y: 120, size: 12, font });
  const secrets = samples.map((s) => flat(s.secret)).join(' ');
  doc.setTitle(samples.map((s) => flat(s.line)).join(' | '));
  doc.setAuthor(secrets);
  doc.setSubject(`about ${secrets}`);
  doc.setKeywords(samples.map((s) => flat(s.secret)));
  doc.setCreator(`made on ${secrets}`);
  const xmp = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>${secrets}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
  const stream = doc.context.stream(xmp, { Type: 'Metadata', Subtype: 'XML' });
  doc.catalog.set(PDFName.of('Metadata'), doc.context.register(stream));
  // An unused object holding the secrets: the rewrite must not carry it along.
  doc.context.register(PDFString.of(secrets));
  return doc.save({ useObjectStreams: false });
}

/** The original, what the oracle needs, and what must not leave, for one or more samples placed the same way. */
export async function buildCase(samples: readonly SecretSample[], placement: Placement): Promise<Case> {
  const values = samples.map((s) => s.secret);
  const lines: string[] = [];
  const needs: string[] = [];
  switch (placement) {
    case 'whole':
      for (const s of samples) lines.push(s.line), needs.push(s.secret);
      break;
    case 'glued':
      for (const s of samples) lines.push(`the plush donkey underneath ${s.line} over the hill`), needs.push('donkey underneath', s.secret, 'hill');
      break;
    case 'split':
      for (const s of samples) {
        const h = Math.floor(s.secret.length / 2);
        lines.push(`the plush donkey underneath ${s.line} over the hill`);
        needs.push('donkey', s.secret.slice(0, h), s.secret.slice(h + 2));
      }
      break;
    case 'context-title': {
      // One sample: only the first kept block has context lines, and the title quotes the first trigger.
      const s = samples[0]!;
      const trigger = `${'word '.repeat(9)}${s.line}`;
      return { text: `${INTRO}\n${'context '.repeat(8)}${s.line}\n${trigger}\n${OUTRO}\n`, fileName: 'notes.txt', needs: [trigger], values: [s.secret] };
    }
    case 'file-name':
      return {
        text: `${INTRO}\nthe plush donkey underneath the table\n${OUTRO}\n`,
        fileName: `notes ${samples.map((s) => flat(s.line)).join(' | ')}.txt`,
        needs: ['donkey underneath'],
        values: values.map(flat),
      };
    case 'pdf-metadata':
      return { pdf: await pdfWithMetadata(samples), fileName: 'flyer.pdf', needs: ['donkey underneath'], values: values.map(flat) };
  }
  return { text: `${INTRO}\n${lines.join('\n')}\n${OUTRO}\n`, fileName: 'notes.txt', needs, values };
}

export interface ScenarioResult {
  /** The text of each exit this scenario has (no attachment unless the input was a PDF). */
  exits: Partial<Record<Exit, string>>;
  /** For each sample, the form of its secret that must not appear. */
  values: string[];
  /** The attachment gate's verdict, for PDF inputs. */
  blocked?: string;
}

/** Runs the `draft` command in-process, as `aup-bisect draft RESULT --out OUT`, and returns what it printed. */
async function cliDraft(resultPath: string, outPath: string): Promise<string> {
  const program = new Command('aup-bisect').exitOverride();
  registerDraft(program);
  let printed = '';
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    printed += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'aup-bisect', 'draft', resultPath, '--out', outPath]);
  } finally {
    process.stdout.write = original;
  }
  return printed;
}

/**
 * A stand-in for the reducer (unit tests only; the bench runs the real one): keeps exactly the first occurrence of
 * each needed string, in order, as the real reducer ends up doing against this oracle, so a scenario costs a few
 * probes instead of hundreds. PDF parts are kept whole.
 */
function keepNeeds(needs: readonly string[]): ReduceFn {
  return async (input, oracle) => {
    const part = input.parts[0]!;
    const model = await modelFor(part);
    let kept: number[];
    if (part.bytes) kept = [0, model.atomCount];
    else {
      kept = [];
      let at = 0;
      for (const need of needs) {
        const i = part.text.indexOf(need, at);
        if (i === -1) throw new Error(`"${need}" is not in the input`);
        if (kept.length && kept[kept.length - 1] === i) kept[kept.length - 1] = i + need.length;
        else kept.push(i, i + need.length);
        at = i + need.length;
      }
    }
    const minimal = { ...input, parts: [await model.render(kept)] };
    const verdict = await oracle.probe(minimal);
    const summary = { index: 0, kind: part.kind, size: part.text.length, needed: true, minimal: model.text(kept), kept, ...(part.fileName ? { fileName: part.fileName } : {}) };
    return {
      status: 'reduced', minimal, parts: [summary], oneMinimal: false,
      verification: { refused: verdict.refused ? 1 : 0, of: 1 }, flipsSeen: 0, repeats: 0, probesIssued: 1,
    };
  };
}

export async function runScenario(
  samples: SecretSample | readonly SecretSample[],
  placement: Placement,
  server: GitHubServer,
  options: { realReducer?: boolean } = {},
): Promise<ScenarioResult> {
  const list = Array.isArray(samples) ? samples : [samples as SecretSample];
  const c = await buildCase(list, placement);
  // What must not leave is the secret part: a webhook's public host and path may be named elsewhere.
  c.values = c.values.map((v, i) => {
    const prefix = list[i]?.publicPrefix;
    const suffix = list[i]?.publicSuffix;
    const trimmed = prefix && v.startsWith(prefix) ? v.slice(prefix.length) : v;
    return suffix && trimmed.endsWith(suffix) ? trimmed.slice(0, -suffix.length) : trimmed;
  });
  const dir = mkdtempSync(join(tmpdir(), 'aup-exit-'));
  const originalPath = join(dir, c.pdf ? 'original.pdf' : 'original.txt');
  const part = c.pdf
    ? { kind: 'file' as const, text: Buffer.from(c.pdf).toString('latin1'), bytes: c.pdf, fileName: c.fileName, mediaType: 'application/pdf' }
    : { kind: 'file' as const, text: c.text!, fileName: c.fileName };
  writeFileSync(originalPath, c.pdf ?? c.text!);
  const run = await runBisect({
    source: { kind: 'input', input: { parts: [part] } },
    oracle: new NeedsOracle(c.needs),
    cache: false,
    confirmRuns: 1,
    verifyRuns: 1,
    shareRuns: 1,
    outDir: dir,
    ...(options.realReducer ? {} : { reduce: keepNeeds(c.needs) }),
  });
  // The original as the CLI finds it again (same bytes, same sha256), so context lines are drafted from it.
  run.original.path = originalPath;
  const resultPath = join(dir, 'result.json');
  writeFileSync(resultPath, JSON.stringify(run, null, 2));

  const exits: Partial<Record<Exit, string>> = {};
  const draftPath = join(dir, 'result.issue.md');
  exits['cli-output'] = await cliDraft(resultPath, draftPath);
  exits['saved-draft'] = readFileSync(draftPath, 'utf8');

  const env = { ...systemReportEnv(), repo: 'anthropics/claude-code' };
  const draft = await draftGated({ result: run, env, ...(c.text ? { original: c.text } : {}) });
  exits.clipboard = await clipboardMarkdown(draft, env);
  const link = await browserIssueUrl(draft, { apiUrl: server.url }, env);
  exits['browser-url'] = `${link.url}\n${decodeLink(link.url)}`;
  const before = server.requests.length;
  await fileIssue(draft, { token: TOKEN, apiUrl: server.url, draftPath: join(dir, 'filed.issue.md'), redactContext: env, retryAfterBaseValue: 1 });
  const post = server.requests.slice(before).find((r) => r.method === 'POST');
  exits['posted-body'] = JSON.stringify(post?.body ?? null);

  let blocked: string | undefined;
  if (c.pdf) {
    const file = run.minimalFile ? readFileSync(run.minimalFile) : Buffer.from(c.pdf);
    const gated = await gateAttachment(new Uint8Array(file), c.fileName, env);
    blocked = gated.blocked;
    exits.attachment = `${gated.fileName}\n${await pdfReadableText(gated.bytes)}`;
  }
  return { exits, values: c.values, ...(blocked ? { blocked } : {}) };
}

function decodeLink(url: string): string {
  const params = new URL(url).searchParams;
  return [...params.values()].join('\n');
}

/**
 * Whether `text` still carries the secret: the value itself, or any 8 characters of it in a row (a cut or a split
 * leaves pieces), also with JSON escapes undone.
 */
export function leaks(value: string, text: string): boolean {
  // Placeholders name their kind ("[REDACTED:internal-host-1]"), which may share letters with a host name.
  const plain = text.replace(/\[REDACTED:[a-z0-9-]+\]/g, '[]').replace(/%5BREDACTED%3A[a-z0-9-]+%5D/gi, '[]');
  const haystacks = [plain, plain.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\')];
  // Digit-only pieces (of a Slack token's numeric ids) match offsets in a PDF's xref table; they identify nothing alone.
  const windows = value.length <= 8 ? [value] : Array.from({ length: value.length - 7 }, (_, i) => value.slice(i, i + 8)).filter((w) => !/^\d+$/.test(w));
  return haystacks.some((h) => windows.some((w) => h.includes(w)));
}

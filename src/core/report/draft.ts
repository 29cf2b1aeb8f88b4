/**
 * The issue draft: a bisect result and/or a refusal record turned into the anthropics/claude-code bug template
 * (Preflight Checklist ... Additional Information), with a minimal trigger a maintainer can paste, the controlled
 * measurement triage asks for, and the request ids support needs. The whole draft passes through redact() last, so
 * nothing here has to remember to redact.
 *
 * Size: the bug template's sections in order, one function each; they read as the issue reads, top to bottom.
 */
import { diffLines } from 'diff';
import type { RefusalKind, RefusalRecord } from '../refusal/record';
import type { PartSummary, BisectResult } from '../bisect/result';
import { modelDisplayName } from './models';
import { redact, type Redaction } from './redact';
import { maskedTrigger } from './trace';
import type { ReproForm, ReproductionRate } from '../bisect/result';
import { draftForms, FORM_LABEL } from './forms';
import { CONTROL_PROMPT } from '../bisect/attribution';
import { flaggedChannelText } from './channels';
import type { EvidenceRate } from '../bisect/evidence';
import { RATE_INPUT_LABEL, otherFormCell, otherFormHead, rateCell, regressionAnswer } from './rates';
import { DOCUMENT_PROMPT, filePrompt, MAX_TRIGGER_CHARS, shownTrigger, SNIPPET_SYSTEM, snippetFileName, snippetTrigger } from './repro';

export const DEFAULT_REPO = 'anthropics/claude-code';

export interface ReportEnv {
  /** e.g. "Linux 6.1.0 (x64)", "macOS 15.1 (arm64)". */
  os?: string;
  /** Template choice: "Anthropic API", "AWS Bedrock", "Google Vertex AI", "Other". Default "Anthropic API". */
  platform?: string;
  /** e.g. "bash 5.2 (VS Code integrated terminal)". */
  shell?: string;
  /** Used when the refusal record does not carry one (`claude --version`). */
  claudeCodeVersion?: string;
  homeDir?: string;
  userName?: string;
  hostName?: string;
  /** Target repository, owner/name (default anthropics/claude-code). */
  repo?: string;
  /** aup-bisect's own version, named in "how it was found". */
  toolVersion?: string;
  /** Set once a duplicate search has run, so the checklist can say so truthfully. */
  duplicatesSearched?: boolean;
}

export interface DraftInput {
  result?: BisectResult;
  refusal?: RefusalRecord;
  env: ReportEnv;
  /**
   * The text that was bisected (e.g. the file or the PDF content stream), used only to summarise what was removed:
   * counts and at most two context lines ever reach the draft.
   */
  original?: string;
  /**
   * The original's lines with every secret masked by the full exit gate (secretlint and our rules), one entry per
   * line of `original` (draftReport in gate.ts makes them). Context lines are cut from these, never from the raw
   * text, so a cut cannot leave a secret's tail that no rule recognises. Without it, each line is redacted whole
   * by our own rules before it is cut.
   */
  originalLines?: readonly string[];
}

export interface IssueDraft {
  title: string;
  /** Markdown, redacted. */
  body: string;
  labels?: string[];
  /** What was replaced in the title and body (field "title" or "body"), in order. */
  redactions: Redaction[];
  /** owner/name. */
  repo: string;
  /**
   * Same-shape fakes that stand in for secrets in the shown trigger (probed, see BisectResult.shareable): the exit
   * gate lets exactly these strings through. Never a real value.
   */
  fakes?: string[];
}

const TITLE_EXCERPT_CHARS = 60;

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
}

function bytes(n: number): string {
  return plural(n, 'byte');
}

/** A fence longer than any backtick run in the text, so the text cannot close it early. */
export function fenced(text: string, info = ''): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text.replace(/\n$/, '')}\n${fence}`;
}

/** Inline code that survives backticks in the text. */
export function inlineCode(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

function shellSingleQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function kindPhrase(kind: RefusalKind | undefined): { verb: string; noun: string } {
  switch (kind) {
    case 'usage-policy':
      return { verb: 'Usage Policy refusal on', noun: 'Usage Policy refusal' };
    case 'content-filter':
      return { verb: 'content filter blocks', noun: 'content filtering block' };
    case 'unrecognised':
      return { verb: 'API error refusing', noun: 'refusal' };
    case 'safeguards':
    default:
      return { verb: 'safeguards refuse', noun: 'safeguards refusal' };
  }
}

function fileExtension(name: string | undefined): string | undefined {
  const match = name ? /\.([A-Za-z0-9]{1,8})$/.exec(name) : null;
  return match?.[1]?.toLowerCase();
}

function baseName(path: string | undefined): string | undefined {
  if (!path) return undefined;
  return path.split(/[\\/]/).pop() || undefined;
}

const PDF_TEXT_OPERATOR = /(?:\)\s*Tj|\]\s*TJ|\)\s*['"])/;

/** What kind of content the trigger is, for the title: "a PDF text operator", "a Read of a .py file", "a prompt". */
function triggerNoun(result: BisectResult | undefined, refusal: RefusalRecord | undefined): string {
  const needed = result?.parts.filter((p) => p.needed) ?? [];
  const part: Pick<PartSummary, 'kind' | 'toolName' | 'filePath' | 'fileName'> | undefined =
    needed[0] ?? (refusal ? biggestPart(refusal) : undefined);
  const mediaType = result?.original.mediaType ?? refusal?.parts.find((p) => p.index === (part as { index?: number })?.index)?.mediaType;
  const name = part?.fileName ?? baseName(part?.filePath) ?? result?.original.fileName;
  const ext = fileExtension(name);
  const isPdf = mediaType === 'application/pdf' || ext === 'pdf';
  if (isPdf) {
    // A one-line trigger from a PDF is what one text-showing operator (Tj/TJ) draws; more spans several.
    if (result && result.minimal.trim() && (PDF_TEXT_OPERATOR.test(result.minimal) || !result.minimal.trim().includes('\n'))) {
      return 'a PDF text operator';
    }
    return result?.minimal.trim() ? 'PDF text' : 'PDF content';
  }
  if (!part) return 'a request';
  switch (part.kind) {
    case 'prompt':
      return 'a prompt';
    case 'tool_result':
      return part.toolName === 'Read' || !part.toolName
        ? `a Read of ${ext ? `a .${ext} file` : 'a file'}`
        : `a ${part.toolName} tool result`;
    case 'document':
      return 'a document';
    case 'image':
      return 'an image';
    case 'attachment':
      return ext ? `an attached .${ext} file` : 'an attachment';
    case 'system_reminder':
      return 'a system reminder';
    default:
      return ext ? `text from a .${ext} file` : 'text from a file';
  }
}

function biggestPart(refusal: RefusalRecord) {
  return [...refusal.parts].sort((a, b) => b.size - a.size)[0];
}

function excerpt(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  const cut = line.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

interface ModelFacts {
  wire?: string;
  display?: string;
  category?: string;
}

function modelFacts(result: BisectResult | undefined, refusal: RefusalRecord | undefined): ModelFacts {
  const first = refusal?.models[0];
  const wire = result?.model ?? first?.model;
  const category = refusal?.models.find((m) => m.category)?.category ?? undefined;
  return { wire, display: wire ? modelDisplayName(wire) : undefined, category: category ?? undefined };
}

function buildTitle(result: BisectResult | undefined, refusal: RefusalRecord | undefined, facts: ModelFacts, trigger: string, env: ReportEnv): string {
  const kind = kindPhrase(refusal?.kind ?? 'safeguards');
  const who = facts.display ? `${facts.display} ` : '';
  const category = facts.category ? ` (${facts.category})` : '';
  const what = triggerNoun(result, refusal);
  if (result && trigger.trim().length > 0) {
    // Whole values are redacted first (the trigger is already masked where secrets were traced), then cut.
    return `[BUG] ${who}${kind.verb} ${what}${category}: ${excerpt(redact(trigger, env).text, TITLE_EXCERPT_CHARS)}`;
  }
  // A refusal alone has no trigger yet; the title still says what and where, never the refusal text.
  return `[BUG] ${who}${kind.verb} ${what}${category}, not yet reduced to a minimal trigger`;
}

/** Counts of what the bisect removed, from the diff package; at most two context lines of the original. */
function removalSummary(result: BisectResult, original: string | undefined, env: ReportEnv, maskedLines?: readonly string[]): string[] {
  const lines: string[] = [];
  const kept = Buffer.byteLength(result.minimal, 'utf8');
  const removedParts = result.parts.filter((p) => !p.needed);
  lines.push(
    `- The original input${result.original.fileName ? ` (${inlineCode(result.original.fileName)})` : ''} was ` +
      `${bytes(result.original.size)} (sha256 \`${result.original.sha256.slice(0, 12)}…\`); the minimal trigger keeps ` +
      `${bytes(kept)} and removes ${bytes(Math.max(0, result.original.size - kept))}.`,
  );
  if (result.parts.length > 1) {
    lines.push(
      `- Of the request's ${plural(result.parts.length, 'part')}, ${plural(removedParts.length, 'was', 'were')} removed whole ` +
        `(${removedParts.map((p) => `${p.kind}${p.toolName ? ` ${p.toolName}` : ''}, ${bytes(p.size)}`).join('; ') || 'none'}).`,
    );
  }
  if (original === undefined) return lines;
  const changes = diffLines(original, result.minimal.endsWith('\n') ? result.minimal : `${result.minimal}\n`, {
    timeout: 2000,
  });
  if (!changes) {
    lines.push('- (The line diff took too long on this input; counts above are from sizes.)');
    return lines;
  }
  let removedLines = 0;
  let keptLines = 0;
  let rewrittenLines = 0;
  let originalLine = 1;
  let firstKeptAt: number | undefined;
  for (const change of changes) {
    const count = change.count ?? change.value.split('\n').length - 1;
    if (change.removed) {
      removedLines += count;
      originalLine += count;
    } else if (change.added) {
      rewrittenLines += count;
    } else {
      keptLines += count;
      firstKeptAt ??= originalLine;
      originalLine += count;
    }
  }
  const originalLineCount = removedLines + keptLines;
  lines.push(
    `- Line diff against the original: ${plural(keptLines, 'line')} kept as is, ${plural(rewrittenLines, 'line')} cut ` +
      `down within a line, ${plural(removedLines, 'line')} of ${originalLineCount.toLocaleString('en-US')} removed` +
      (firstKeptAt !== undefined ? ` (the kept text starts at line ${firstKeptAt} of the original).` : '.'),
  );
  // Context: the line just before and just after the first kept block, cut short; never more than two lines.
  if (firstKeptAt !== undefined) {
    // Each line is redacted whole before it is cut to 80 characters: a cut key matches no rule.
    const all = maskedLines ?? original.split('\n');
    const whole = (line: string | undefined) => (line === undefined ? undefined : maskedLines ? line : redact(line, env).text);
    const context: string[] = [];
    const before = whole(all[firstKeptAt - 2]);
    const after = whole(all[firstKeptAt - 1 + keptLines]);
    if (before !== undefined && before.trim()) context.push(`${firstKeptAt - 1}: ${excerpt(before, 80)}`);
    if (after !== undefined && after.trim()) context.push(`${firstKeptAt + keptLines}: ${excerpt(after, 80)}`);
    if (context.length > 0) {
      lines.push('- Context in the original (removed; it is not needed for the refusal):');
      lines.push('', fenced(context.join('\n')), '');
    }
  }
  return lines;
}

function refusalFacts(refusal: RefusalRecord): string[] {
  const out: string[] = [];
  const chain = refusal.models.map((m) => {
    const bits = [`${modelDisplayName(m.model)} (\`${m.model}\`)`];
    if (m.requestId) bits.push(`request id \`${m.requestId}\``);
    if (m.messageId) bits.push(`message id \`${m.messageId}\``);
    if (m.category !== undefined) bits.push(`category \`${m.category ?? 'null'}\``);
    if (m.fallbackModel) bits.push(`fell back to ${modelDisplayName(m.fallbackModel)}`);
    return `- ${bits.join(', ')}`;
  });
  out.push(...chain);
  const explanation = refusal.models.find((m) => m.explanation)?.explanation;
  if (explanation) out.push(`- API explanation: ${explanation}`);
  out.push(`- Refusal kind: ${kindPhrase(refusal.kind).noun} (\`${refusal.kind}\`); at ${refusal.timestamp}`);
  if (refusal.sessionContinued !== undefined) {
    out.push(`- ${refusal.sessionContinued ? 'Claude Code fell back to another model and the session went on.' : 'The turn stopped; the session could not go on with this model.'}`);
  }
  return out;
}

/** "refused **3/3** (this exact request, through the `api` oracle)": the rate a snippet was measured at. */
function measured(rate: ReproductionRate, oracle: string): string {
  return `refused **${rate.refused}/${rate.of}** (this exact request, through the \`${oracle}\` oracle)`;
}

/**
 * The reproductions, each offered only when it was run (src/core/report/repro.ts probed exactly its request) and
 * refused at least once, with its rate; every other form the result would get is named with why it is not offered.
 */
function reproduction(result: BisectResult, model: string | undefined, trigger: string, partKind: string | undefined): string[] {
  const rates = result.reproductions;
  if (!rates) {
    return [
      'No reproduction was run for this result (it was made before aup-bisect probed each reproduction), so none is ' +
        'offered: run the same bisect again (cached answers are free) to get reproductions with their rates.',
      '',
    ];
  }
  const wire = model ?? 'claude-opus-4-8';
  const forms = draftForms(result, result.minimalFile !== undefined);
  const rateOf = (form: ReproForm) => rates.find((r) => r.form === form);
  const offered = (form: ReproForm): ReproductionRate | undefined => {
    const r = rateOf(form);
    return r && r.notRun === undefined && r.of > 0 && r.refused > 0 ? r : undefined;
  };
  const out = ['A refusal shows as `"stop_reason": "refusal"` in the response.', ''];
  const message = offered('message');
  if (message) {
    const request = JSON.stringify({ model: wire, max_tokens: 256, system: SNIPPET_SYSTEM, messages: [{ role: 'user', content: trigger }] });
    const curl = [
      'curl https://api.anthropic.com/v1/messages \\',
      '  -H "x-api-key: $ANTHROPIC_API_KEY" \\',
      '  -H "anthropic-version: 2023-06-01" \\',
      '  -H "content-type: application/json" \\',
      `  -d ${shellSingleQuote(request)}`,
    ].join('\n');
    // No `claude -p 'TRIGGER'` beside it: that request (Claude Code's own system prompt and tools around the message)
    // was never probed, and a snippet nobody ran is not offered.
    out.push(`The trigger as the user message, ${measured(message, result.oracle)}:`, '', fenced(curl, 'sh'), '');
  }
  const file = offered('file');
  if (file && forms.includes('file')) {
    const name = snippetFileName(result);
    const delimiter = trigger.includes('AUP_TRIGGER_EOF') ? `AUP_TRIGGER_EOF_${Date.now()}` : 'AUP_TRIGGER_EOF';
    out.push(
      `With Claude Code, as it happened (the trigger reached the model as the content of a file it read), ${measured(file, result.oracle)}:`,
      '',
      fenced(
        [
          `cat > ${shellSingleQuote(name)} <<'${delimiter}'`,
          trigger.replace(/\n$/, ''),
          delimiter,
          `claude -p --model ${shellSingleQuote(wire)} ${shellSingleQuote(filePrompt(name))}`,
        ].join('\n'),
        'sh',
      ),
      '',
    );
  }
  const pdf = offered('pdf-document');
  if (pdf && result.minimalFile) {
    const name = baseName(result.minimalFile) ?? 'minimal.pdf';
    out.push(
      `aup-bisect also wrote the minimal input as a valid file (\`${name}\`: attach it here after checking it holds only the trigger). Sent as a document, ${measured(pdf, result.oracle)}:`,
      '',
      // Safe to paste whatever the file is called: every piece of user text is single-quoted, the JSON is printed
      // around base64's output (no command substitution, no unquoted heredoc).
      fenced(
        [
          `{ printf '%s' ${shellSingleQuote(`{"model":${JSON.stringify(wire)},"max_tokens":256,"system":${JSON.stringify(SNIPPET_SYSTEM)},"messages":[{"role":"user","content":[{"type":"document","source":{"type":"base64","media_type":${JSON.stringify(result.original.mediaType ?? 'application/pdf')},"data":"`)}; \\`,
          `  base64 < ${shellSingleQuote(name)} | tr -d '\\n'; \\`,
          `  printf '%s' ${shellSingleQuote(`"}},{"type":"text","text":${JSON.stringify(DOCUMENT_PROMPT)}}]}]}`)}; } | \\`,
          'curl https://api.anthropic.com/v1/messages \\',
          '  -H "x-api-key: $ANTHROPIC_API_KEY" -H "anthropic-version: 2023-06-01" -H "content-type: application/json" \\',
          '  -d @-',
        ].join('\n'),
        'sh',
      ),
      '',
    );
  }
  out.push(...notOffered(forms, rateOf, pdf !== undefined));
  return out;
}

/** Why each form the result would get is not offered: not run, not sendable by the oracle, or not refused. */
function notOffered(forms: ReproForm[], rateOf: (form: ReproForm) => ReproductionRate | undefined, pdfOffered: boolean): string[] {
  const lines: string[] = [];
  const text: ReproductionRate[] = [];
  for (const form of forms) {
    const r = rateOf(form);
    if (form !== 'pdf-document' && r && r.notRun === undefined && r.of > 0) text.push(r);
  }
  const passed = text.filter((r) => r.refused === 0);
  // A PDF whose text alone passes: the attachment is the reproduction, the plain text is not.
  const plainTextPassed = pdfOffered && passed.length > 0 && passed.length === text.length;
  if (plainTextPassed) {
    lines.push(`Not refused as plain text (${passed.map((r) => `${FORM_LABEL[r.form]}: refused ${r.refused}/${r.of}`).join('; ')}): attach the PDF.`, '');
  }
  for (const form of forms) {
    const r = rateOf(form);
    if (!r) lines.push(`- ${capitalised(FORM_LABEL[form])} was not run, so it is not offered.`);
    else if (r.notRun !== undefined) lines.push(`- ${capitalised(FORM_LABEL[form])} is not offered: ${r.notRun}.`);
    else if (r.refused === 0 && !plainTextPassed) lines.push(`- ${capitalised(FORM_LABEL[form])} was not refused (${r.refused}/${r.of}), so it is not offered.`);
  }
  if (lines.length > 0 && lines[lines.length - 1] !== '') lines.push('');
  return lines;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function isPdfPart(part: PartSummary, result: BisectResult): boolean {
  const ext = fileExtension(part.fileName ?? baseName(part.filePath));
  if (ext) return ext === 'pdf';
  return result.original.mediaType === 'application/pdf' && result.parts.filter((p) => p.needed).length === 1;
}

/**
 * What the 1-minimality check removed one at a time, as far as the result tells: the characters (code points, as the
 * reducer cuts them) of text parts; the glyphs of a PDF, whose number the result does not carry (two-byte codes show
 * as two characters), so none is given for them.
 */
function checkedUnits(result: BisectResult): string {
  const needed = result.parts.filter((p) => p.needed);
  const pdf = needed.filter((p) => isPdfPart(p, result));
  const text = needed.filter((p) => !isPdfPart(p, result) && p.kind !== 'image');
  const chars = (text.length > 0 ? text.map((p) => p.minimal) : needed.length === 0 ? [result.minimal] : []).reduce((n, t) => n + [...t].length, 0);
  if (pdf.length > 0 && text.length === 0 && pdf.length === needed.length) return 'any single one of its glyphs';
  if (pdf.length === 0 && text.length === needed.length) {
    return `any single one of its ${plural(chars, 'character')}${text.length > 1 ? ` (across ${text.length} parts)` : ''}`;
  }
  return 'any single one of its units (glyphs of a PDF, characters of text)';
}

/** "minimal trigger" only for a result shown 1-minimal (status minimal); anything else is the smallest input found. */
export function triggerName(result: BisectResult | undefined): string {
  return !result || (result.oneMinimal && (result.status ?? 'minimal') === 'minimal') ? 'minimal trigger' : 'smallest refused input found';
}

/** The trigger exactly as sent (fragments glued), where the readable one shows " … " between them. */
function exactTrigger(result: BisectResult): string {
  const needed = result.parts.filter((p) => p.needed);
  return needed.length && needed.every((p) => p.minimalExact !== undefined) ? needed.map((p) => p.minimalExact).join('\n\n') : result.minimal;
}

function howFound(result: BisectResult, facts: ModelFacts, env: ReportEnv, hidesSecret = false): string[] {
  const model = facts.wire ? `${facts.display} (\`${facts.wire}\`)` : 'the same model';
  const date = result.date.slice(0, 10);
  const lines = [
    `- Found with aup-bisect${env.toolVersion ? ` ${env.toolVersion}` : ''} (oracle \`${result.oracle}\`): ` +
      `${plural(result.probes, 'probe')} sent${result.cachedProbes ? ` (+${result.cachedProbes} answered from cache)` : ''}, ` +
      `${plural(result.repeats, 'repeat')} to confirm decisions under noise, ${plural(result.inputTokens, 'input token')}, ` +
      `$${result.costUsd.toFixed(4)}${result.oracle === 'api' || result.oracle === 'claude' ? '' : ' (estimated)'}.`,
    `- The ${triggerName(result)} was refused **${result.verification.refused}/${result.verification.of}** on ${model} on ${date}.`,
  ];
  if (result.oneMinimal) {
    lines.push(`- 1-minimal (checked): removing ${checkedUnits(result)} made the refusal go away.`);
  }
  if (result.control) {
    lines.push(
      `- Control${result.oneMinimal ? ', one of those removals' : ''}: the same trigger without ` +
        // The removed unit may be a character of a secret: then it is not named.
        `${hidesSecret ? 'one unit' : inlineCode(excerpt(result.control.removed, 60))} passed **${result.control.passed}/${result.control.of}**.`,
    );
  }
  if (!result.oneMinimal) lines.push('- Not proven 1-minimal: some smaller variant may still refuse.');
  if (result.flipsSeen > 0) lines.push(`- The classifier was noisy: ${plural(result.flipsSeen, 'verdict flip')} seen while reducing.`);
  if (result.stoppedEarly) lines.push(`- The run stopped early (${result.stoppedEarly}); the trigger is the smallest found so far.`);
  return lines;
}

/**
 * Drafts the issue. Pass a bisect result (with or without its refusal record), or a refusal record alone (the draft
 * then has no minimal trigger and says so). The returned title and body are already redacted.
 */
export function draftIssue(input: DraftInput): IssueDraft {
  const { result, env } = input;
  const refusal = input.refusal ?? result?.refusal;
  if (!result && !refusal) throw new Error('draftIssue needs a bisect result or a refusal record.');
  const facts = modelFacts(result, refusal);
  const kind = kindPhrase(refusal?.kind ?? 'safeguards');
  const repo = env.repo ?? DEFAULT_REPO;
  const neededParts = result?.parts.filter((p) => p.needed) ?? [];
  const partKind = neededParts.length === 1 ? neededParts[0]?.kind : undefined;
  const what = triggerNoun(result, refusal);

  const traced = result ? maskedTrigger(result.parts) : undefined;
  const shareable = result?.shareable;
  const fakesRefuse = shareable !== undefined && shareable.refused > 0;
  // The same text the reproductions were probed with (repro.ts), so the shown trigger is the measured one.
  const triggerFull = result ? shownTrigger(result).full : '';
  const fakes = fakesRefuse ? fakesIn(shareable.text, result!.parts) : [];
  const ctx = { ...env, allow: fakes };
  const trigger = triggerFull.length > MAX_TRIGGER_CHARS ? triggerFull.slice(0, MAX_TRIGGER_CHARS) : triggerFull;
  const cut = trigger.length < triggerFull.length;

  const sections: string[] = [];
  const section = (heading: string, ...content: string[]) => sections.push(`### ${heading}`, '', ...content, '');

  section(
    'Preflight Checklist',
    `- [${env.duplicatesSearched ? 'x' : ' '}] I have searched [existing issues](https://github.com/${repo}/issues?q=is%3Aissue%20state%3Aopen%20label%3Abug) and this hasn't been reported yet`,
    '- [x] This is a single bug report (please file separate reports for different bugs)',
    '- [ ] I am using the latest version of Claude Code',
  );

  const onModel = facts.display ? ` on ${facts.display}` : '';
  const category = facts.category ? ` (category \`${facts.category}\`)` : '';
  const wrong: string[] = [];
  // The controls pinned the refusal on a channel nobody can bisect (the session, Claude Code's own text): say so.
  const flagged = result ? flaggedChannelText(result) : undefined;
  if (result && trigger) {
    wrong.push(
      `Claude Code stopped a legitimate request with a ${kind.noun}${onModel}${category}. I reduced the refused input ` +
        `(${bytes(result.original.size)}${result.original.fileName ? `, ${inlineCode(result.original.fileName)}` : ''}) to ` +
        `${triggerName(result) === 'minimal trigger' ? 'a minimal trigger' : 'the smallest refused input found'} of ${bytes(Buffer.byteLength(exactTrigger(result), 'utf8'))}: ${what}, refused ` +
        `${result.verification.refused}/${result.verification.of} times` +
        (result.oneMinimal
          ? `; removing ${checkedUnits(result)} made the refusal go away.`
          : result.control
            ? `, while the same text with one piece removed passed ${result.control.passed}/${result.control.of}.`
            : '.'),
    );
  } else if (flagged) {
    wrong.push(`Claude Code stopped a legitimate request with a ${kind.noun}${onModel}${category}. ${flagged}`);
  } else {
    wrong.push(
      `Claude Code stopped a legitimate request with a ${kind.noun}${onModel}${category}. The refused turn held ` +
        `${refusal ? plural(refusal.parts.length, 'part') : 'an input'}; it has not been reduced to a minimal trigger yet.`,
    );
  }
  wrong.push('', '<!-- In one sentence: what were you working on? -->');
  section("What's Wrong?", ...wrong);

  section(
    'What Should Happen?',
    `Claude should answer this request: the trigger (${what}) comes from legitimate work. ` +
      'If it must be refused, the notice should say which part of the input triggered it, so the user can work around it ' +
      'instead of losing the session.',
  );

  const logs: string[] = [];
  if (refusal) {
    logs.push(fenced(refusal.message), '', ...refusalFacts(refusal));
  } else if (result) {
    logs.push(
      `No transcript record: the refusal was reproduced directly with the \`${result.oracle}\` oracle` +
        `${facts.wire ? ` on \`${facts.wire}\`` : ''}.`,
    );
  }
  section('Error Messages/Logs', ...logs);

  const steps: string[] = [];
  if (result && trigger) {
    steps.push(
      `1. The ${triggerName(result)} (${what}${cut ? `; first ${plural(MAX_TRIGGER_CHARS, 'character')} of ${triggerFull.length.toLocaleString('en-US')}, the rest is in the saved draft` : ''}):`,
      '',
      fenced(trigger),
      // The exact fragments are sent only when nothing in them was masked or replaced (a secret never leaves unmasked).
      ...(trigger.includes(' … ') ? ['', triggerFull === result.minimal
        ? '" … " marks where text between two fragments was removed; the reproduction below sends the fragments exactly as tested.'
        : '" … " marks where text between two fragments was removed.'] : []),
      '',
      ...sharingNote(shareable, traced?.redactions.length ?? 0),
      '2. How it was found:',
      '',
      ...howFound(result, facts, env, (traced?.redactions.length ?? 0) > 0),
      '',
      '3. To reproduce:',
      '',
      ...reproduction(result, facts.wire, snippetTrigger(result), partKind),
      ...modelRates(result),
    );
    if (!shareable && !traced?.redactions.length && trigger !== redact(trigger, ctx).text) {
      steps.push(
        '> Note: some values in the trigger were redacted for privacy (placeholders like `[REDACTED:...]`); the ' +
          'redacted trigger may need re-checking.',
        '',
      );
    }
  } else if (refusal) {
    steps.push(
      `1. In Claude Code ${refusal.claudeCodeVersion ?? ''}, a turn made of ${refusal.parts
        .map((p) => `${p.kind}${p.toolName ? ` (${p.toolName}${p.filePath ? ` of \`${baseName(p.filePath)}\`` : ''})` : ''}, ${bytes(p.size)}`)
        .join('; ')} was refused.`.replace(/ {2,}/g, ' '),
      flagged
        ? '2. The content is not included: it is not the cause (see above), so it was not reduced.'
        : '2. The content is not included: it has not been reduced to a minimal, shareable trigger yet (run `aup-bisect bisect --refusal ' +
          `${refusal.id}\`).`,
    );
  }
  section('Steps to Reproduce', ...steps);

  const modelLine = facts.wire
    ? `${facts.display} (\`${facts.wire}\`)${refusal && refusal.models.length > 1 ? `; chain: ${refusal.models.map((m) => m.model).join(' -> ')}` : ''}`
    : 'Unknown';
  section('Claude Model', modelLine);
  section('Is this a regression?', regressionAnswer(result?.evidence));
  section('Last Working Version', '_No response_');
  section(
    'Claude Code Version',
    refusal?.claudeCodeVersion ?? env.claudeCodeVersion ?? '_Unknown (the output of `claude --version`)_',
  );
  section('Platform', env.platform ?? 'Anthropic API');
  section('Operating System', env.os ?? '_No response_');
  section('Terminal/Shell', env.shell ?? '_No response_');

  const extra: string[] = [];
  if (result) extra.push(...removalSummary(result, input.original, env, input.originalLines));
  extra.push(
    '',
    `Drafted with aup-bisect${env.toolVersion ? ` ${env.toolVersion}` : ''}; ` +
      'secrets, addresses and personal names were redacted before posting.',
  );
  section('Additional Information', ...extra);

  const title = redact(buildTitle(result, refusal, facts, trigger, ctx), ctx);
  const body = redact(sections.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n', ctx);
  return {
    title: title.text,
    body: body.text,
    labels: ['bug'],
    redactions: [
      // Secrets traced from the original into the trigger (positions in the trigger), then what the text rules found.
      ...(traced?.redactions ?? []).map((r) => ({ ...r, field: 'trigger' })),
      ...title.redactions.map((r) => ({ ...r, field: 'title' })),
      ...body.redactions.map((r) => ({ ...r, field: 'body' })),
    ],
    repo,
    ...(fakes.length > 0 ? { fakes } : {}),
  };
}

/** The short name of a form among the request ids. */
const FORM_ID_LABEL: Record<ReproForm, string> = { message: 'message', file: 'file', 'pdf-document': 'pdf' };

const ids = (rate: EvidenceRate | undefined): string => (rate && rate.requestIds.length ? rate.requestIds.map((id) => `\`${id}\``).join(' ') : '');

/**
 * Rates across models (BisectResult.evidence): the trigger, its readable form and a content-free control on each model,
 * k probes each, with the request ids support can look up; a model that was not measured is named with why.
 */
function modelRates(result: BisectResult): string[] {
  const e = result.evidence;
  if (!e) return [];
  const readable = e.models.some((m) => m.readable);
  const others = e.otherForms ?? [];
  const otherHead = (form: ReproForm) => otherFormHead(e.form, form);
  const otherCell = (form: ReproForm, rate: EvidenceRate | undefined): string => otherFormCell(e.form, form, rate);
  const head = ['Model', 'Trigger', ...others.map(otherHead), ...(readable ? ['Readable trigger'] : []), `Control (${inlineCode(CONTROL_PROMPT)})`, 'Request ids'];
  const rows = e.models.map((m) => {
    const model = `${modelDisplayName(m.model)} (\`${m.model}\`)`;
    if (m.notMeasured !== undefined || !m.trigger) {
      return [model, m.notMeasured ?? 'not measured', ...others.map(() => ''), ...(readable ? [''] : []), '', ''];
    }
    const rateIn = (form: ReproForm) => m.otherForms?.find((o) => o.form === form)?.rate;
    const requestIds = [
      [others.length ? `trigger (${FORM_ID_LABEL[e.form]})` : 'trigger', ids(m.trigger)],
      ...others.map((form) => [FORM_ID_LABEL[form], ids(rateIn(form))]),
      ['readable', ids(m.readable)],
      ['control', ids(m.control)],
    ].filter(([, v]) => v !== '').map(([k, v]) => `${k}: ${v}`).join('; ');
    return [model, rateCell(m.trigger), ...others.map((form) => otherCell(form, rateIn(form))), ...(readable ? [rateCell(m.readable)] : []), rateCell(m.control), requestIds || '—'];
  });
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [
    `4. The same requests on other models (the trigger ${RATE_INPUT_LABEL[e.form]}, with the snippets' system prompt; ${plural(e.k, 'probe')} each, through the \`${result.oracle}\` oracle):`,
    '',
    line(head),
    line(head.map(() => '---')),
    ...rows.map(line),
    '',
    ...e.notes.map((n) => `- ${capitalised(n)}.`),
    ...(e.notes.length ? [''] : []),
  ];
}

/** What the draft says about secrets in the trigger: replaced by fakes (with the rate), or not shareable as is. */
function sharingNote(shareable: BisectResult['shareable'], masked: number): string[] {
  if (shareable && shareable.refused > 0) {
    return [
      `> The trigger held secret-shaped values (${shareable.kinds.join(', ')}). They are replaced above by fakes of the ` +
        `same shape (same prefix, length and character classes), and the replaced trigger was refused ` +
        `**${shareable.refused}/${shareable.of}** on its own. The real values are not shown.`,
      '',
    ];
  }
  if (shareable) {
    return [
      `> This trigger cannot be shared as is: it needs a secret-shaped value (${shareable.kinds.join(', ')}). With that ` +
        `value replaced by a fake of the same shape it was refused **${shareable.refused}/${shareable.of}**, so the refusal ` +
        'depends on the value itself, which is redacted above and never shown.',
      '',
    ];
  }
  if (masked > 0) {
    return [
      '> Some characters of the trigger came from secrets in the original input and are redacted above (placeholders ' +
        'like `[REDACTED:...]`); the redacted trigger was not probed again and may need re-checking.',
      '',
    ];
  }
  return [];
}

/**
 * The trigger as it may be shown (issue or comment): with same-shape fakes when the faked form still refused, else
 * with every character traced from a secret in the original masked (trace.ts), else the minimal text as found. The
 * fakes are returned so the exit gate lets exactly them through.
 */
export function triggerWithFakes(result: BisectResult): { text: string; fakes: string[] } {
  const shareable = result.shareable;
  return { text: shownTrigger(result).full, fakes: shareable && shareable.refused > 0 ? fakesIn(shareable.text, result.parts) : [] };
}

/** The fake pieces in a replaced trigger, so the final redaction lets exactly them through. */
function fakesIn(text: string, parts: BisectResult['parts']): string[] {
  const out: string[] = [];
  let offset = 0;
  for (const p of parts.filter((q) => q.needed)) {
    // Fakes keep each piece's length, so offsets in the replaced text are the minimal text's offsets.
    for (const s of p.secrets ?? []) out.push(text.slice(offset + s.start, offset + s.end));
    offset += p.minimal.length + 2;
  }
  return [...new Set(out)].filter((f) => f.length > 0);
}

/** The draft as one markdown file: "# title", a blank line, the body. `parseDraftFile` reads it back after edits. */
export function draftToMarkdown(draft: Pick<IssueDraft, 'title' | 'body'>): string {
  return `# ${draft.title}\n\n${draft.body}`;
}

export function parseDraftFile(text: string): { title: string; body: string } | undefined {
  const match = /^\uFEFF?#[ \t]+(.+)\r?\n(?:\r?\n)?([\s\S]*)$/.exec(text);
  if (!match) return undefined;
  return { title: (match[1] ?? '').trim(), body: match[2] ?? '' };
}

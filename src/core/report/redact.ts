/**
 * Redaction of everything a public GitHub issue must not carry: credentials, private keys, tokens, personal
 * addresses, and who/where the user is (home path, user name, host name). Every report passes through here before
 * it is shown or sent, and the list of what was replaced (never the values themselves) is shown to the user.
 *
 * Decisions (tests in test/unit/report/redact.test.ts pin them):
 * - Request ids (req_...), message ids (msg_...), git SHAs, UUIDs and sha256 hashes survive: support needs the ids
 *   and none of them is a secret.
 * - A bare dotted quad such as 1.2.3.4 is treated as an IPv4 address and redacted (a version string cannot be told
 *   from an address without context); with a version context ("v1.2.3.4", "version 1.2.3.4", "@1.2.3.4") it survives.
 *   Loopback and unspecified addresses (127.x.x.x, 0.0.0.0, ::1) survive: they identify nobody.
 * - "sk-" followed by plain words (sk-learn, sk-learn-pipeline) survives: an OpenAI key body mixes digits and cases.
 * - git@host addresses in clone URLs and noreply@ addresses survive; other e-mail addresses are redacted.
 * - Generic account names (root, user, node, runner, ...) are not redacted as words, only inside home paths, since
 *   replacing every "node" would garble the text without protecting anyone.
 *
 * Size: one table of our own rules, each with the reason it exists; splitting it would scatter that table.
 */

export type RedactionKind =
  | 'private-key'
  | 'anthropic-api-key'
  | 'openai-api-key'
  | 'github-token'
  | 'aws-access-key-id'
  | 'aws-secret-access-key'
  | 'slack-token'
  | 'slack-webhook'
  | 'google-api-key'
  | 'jwt'
  | 'bearer-token'
  | 'url-password'
  | 'email'
  | 'ipv4'
  | 'ipv6'
  | 'home-path'
  | 'user-name'
  | 'host-name'
  | 'stripe-key'
  | 'sendgrid-api-key'
  | 'env-secret'
  | 'high-entropy-value'
  | 'internal-host'
  | 'user-marked';

/** Which rule set found a value: secretlint's recommended preset, or one of our own rules below. */
export type RuleSet = 'secretlint' | 'aup-bisect';

export interface Redaction {
  /** One of RedactionKind for our own rules; secretlint's message id in kebab case (e.g. "github-token") for its. */
  kind: string;
  ruleSet?: RuleSet;
  /** The text that replaced the value, e.g. "[REDACTED:email-1]" or "~" for the home directory. */
  placeholder: string;
  /** Where the value was in the input: 1-based line and column. */
  line: number;
  column: number;
  /** Length of the removed value in characters (the value itself is never kept). */
  length: number;
  /** Set by callers that redact several texts (e.g. "title", "body"). */
  field?: string;
}

export interface RedactContext {
  homeDir?: string;
  userName?: string;
  hostName?: string;
  /** Exact strings that are known fakes (report/fake.ts): a match lying wholly inside one of them is kept. */
  allow?: readonly string[];
}

export interface RedactOutcome {
  text: string;
  redactions: Redaction[];
}

export interface Span {
  start: number;
  end: number;
  kind: string;
  ruleSet?: RuleSet;
  /** The value replaced, used only to give equal values equal placeholders; dropped before returning. */
  value: string;
  /** Fixed placeholder (home path, user, host); otherwise a numbered one is assigned. */
  fixed?: string;
}

interface Rule {
  kind: RedactionKind;
  pattern: RegExp;
  /** Capture group holding the secret when the match carries context (e.g. "Bearer "); 0 = whole match. */
  group?: number;
  /** Extra check on the secret for patterns that also match ordinary words. */
  accept?: (value: string, match: RegExpExecArray, text: string) => boolean;
}

const B64URL = 'A-Za-z0-9_-';

/** Looks like a random token, not a word: it mixes digits with letters, or cases. */
function looksRandom(value: string): boolean {
  const digits = /\d/.test(value);
  const lower = /[a-z]/.test(value);
  const upper = /[A-Z]/.test(value);
  return (digits && (lower || upper)) || (lower && upper && value.length >= 24);
}

/** Shannon entropy in bits per character. */
function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / value.length) * Math.log2(n / value.length);
  return h;
}

// Rules in priority order: when two matches overlap, the earlier rule wins (a JWT inside a bearer header is
// reported as a JWT; an sk-ant- key is never also reported as an OpenAI key).
const RULES: Rule[] = [
  {
    kind: 'private-key',
    pattern:
      /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|(?:[ \t]*\r?\n[ \t]*[A-Za-z0-9+/=:, -]*)*)/g,
  },
  // Distinctive prefixes need no word boundary before them: the reducer glues fragments ("underneathAKIA...").
  { kind: 'anthropic-api-key', pattern: new RegExp(`sk-ant-[${B64URL}]{20,}`, 'g') },
  {
    kind: 'openai-api-key',
    pattern: new RegExp(`\\bsk-(?!ant-)(?:proj-|svcacct-|admin-)?([${B64URL}]{20,})`, 'g'),
    accept: (_value, match) => looksRandom(match[1] ?? ''),
  },
  { kind: 'github-token', pattern: /(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})/g },
  { kind: 'aws-access-key-id', pattern: /(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/g },
  {
    // A secret key is 40 base64 characters and looks like any hash, so only a named one is redacted.
    kind: 'aws-secret-access-key',
    pattern:
      /(aws_?secret_?(?:access_?)?key(?:_id)?|secret_?access_?key)(["']?\s*(?:=|:|=>)\s*["']?)([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi,
    group: 3,
  },
  { kind: 'slack-webhook', pattern: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g },
  { kind: 'slack-token', pattern: /xox[abposre]-[A-Za-z0-9-]{10,}/g },
  { kind: 'google-api-key', pattern: /AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g },
  { kind: 'jwt', pattern: new RegExp(`\\beyJ[${B64URL}]{8,}\\.eyJ[${B64URL}]{8,}\\.[${B64URL}]*`, 'g') },
  {
    // "Authorization: Bearer x", "Authorization: token x", "Authorization: Basic x", or a bare "Bearer x".
    kind: 'bearer-token',
    pattern: /(authorization["']?\s*[:=]\s*["']?(?:bearer|basic|token)\s+|\bbearer\s+)([A-Za-z0-9._~+/-]{8,}=*)/gi,
    group: 2,
    accept: (value, match) => /^authorization/i.test(match[1] ?? '') || looksRandom(value) || value.length >= 32,
  },
  {
    kind: 'url-password',
    pattern: /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:([^\s@/]+)@/gi,
    group: 1,
    accept: (value) => !value.startsWith('[REDACTED:'),
  },
  {
    kind: 'email',
    pattern: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g,
    accept: (value) => !/^(?:git|no-?reply)@/i.test(value) && !/@users\.noreply\.github\.com$/i.test(value),
  },
  {
    // SendGrid keys are "SG." + 22 + "." + 43 base64url characters; secretlint's rule only accepts word characters
    // in the first segment, so a key with "-" there passes it.
    kind: 'sendgrid-api-key',
    pattern: /SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g,
  },
  {
    // Stripe: secretlint's recommended preset has no Stripe rule (live/test secret and restricted keys, webhook secrets).
    kind: 'stripe-key',
    pattern: /(?:(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{10,}|whsec_[0-9A-Za-z+/=]{16,})/g,
  },
  {
    // .env and config assignments of passwords, secrets, tokens and keys (DB_PASSWORD=, SECRET_KEY:, "apiToken": ...):
    // secretlint only flags values in known formats, and a hand-made password has none. Token/key names need a
    // value that looks random, so "max_tokens: 256" and "sort_key = name" survive.
    kind: 'env-secret',
    pattern:
      /(?<![A-Za-z0-9_.-])["']?([A-Za-z0-9_.-]{0,40}?(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_.-]?key|access[_.-]?key|private[_.-]?key|client[_.-]?secret|credentials?|auth)[A-Za-z0-9_.-]{0,40})["']?[ \t]*(?::=|=>|=|:)[ \t]*["']?([^\s"'`,;#}()<>[\]]{4,})/gi,
    group: 2,
    accept: (value, match) => {
      const name = (match[1] ?? '').toLowerCase();
      if (value.startsWith('[REDACTED:') || /^(?:\$|%|\{\{|<|process\.env|os\.environ|env\()/i.test(value)) return false;
      if (/^(?:true|false|null|none|undefined|required|optional|string|number|secret|password|token)$/i.test(value)) return false;
      if (/^\d+$/.test(value)) return false;
      if (/pass|pwd|secret|credential/.test(name)) return true;
      return looksRandom(value) && value.length >= 12;
    },
  },
  {
    // High-entropy values assigned to any name (KEY=..., key: ..., "key": "..."), the shape of a pasted .env or
    // config file: catches vendor keys that no rule set knows. Hex-only values (git SHAs, sha256 sums) and UUIDs
    // are ids, not secrets.
    kind: 'high-entropy-value',
    pattern: /(?<![^\s"'{,;(])["']?[A-Za-z_][A-Za-z0-9_.-]*["']?[ \t]*(?:=|:)[ \t]*["']?([A-Za-z0-9+/_=.~-]{20,})(?![A-Za-z0-9+/_=.~-])/g,
    group: 1,
    accept: (value) =>
      !/^[0-9a-f]+$/i.test(value) &&
      !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value) &&
      !/^(?:req|msg|toolu|srvtoolu|chatcmpl)_/.test(value) &&
      // File paths ("draft: /tmp/aup-3VJvW4/result.issue.md") mix cases and digits too.
      !/^[/~.]/.test(value) && !/\.[a-z][a-z0-9]{0,4}$/.test(value) &&
      !value.startsWith('[REDACTED:') &&
      /\d/.test(value) && /[a-z]/.test(value) && /[A-Z]/.test(value) &&
      entropy(value) >= 3.5,
  },
  {
    // Internal host names (db.corp, build-01.internal, nas.lan, alice-laptop.local): they map a company's or a
    // home's network and no rule set looks for them. Only reserved or conventional private suffixes are matched.
    kind: 'internal-host',
    pattern:
      /(?<![\w./-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:internal|corp|intranet|intra|lan|local|localdomain|home\.arpa|private|priv)(?![\w-]|\.[a-z0-9])/gi,
  },
  {
    kind: 'ipv4',
    pattern: /(?<![\w.@-])(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(?![\w-]|\.\d)/g,
    accept: (value, match, text) => {
      if (/^(?:127\.|0\.0\.0\.0$|255\.255\.255\.255$)/.test(value)) return false;
      const before = text.slice(Math.max(0, match.index - 9), match.index);
      return !/(?:\bv|version\s*:?\s*|@)$/i.test(before);
    },
  },
  {
    // Full eight-group form, or a compressed form with "::" and at least three groups (so "std::vector",
    // "Foo::bar" and "::1" do not match).
    kind: 'ipv6',
    pattern:
      /(?<![\w:])(?:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,6}(?::[0-9a-f]{1,4}){1,6}|(?:[0-9a-f]{1,4}:){2,7}:|::(?:[0-9a-f]{1,4}:){1,6}[0-9a-f]{1,4})(?![\w:])/gi,
    accept: (value) => {
      const groups = value.split(':').filter((g) => g.length > 0);
      if (groups.length < 3 && !value.includes('::')) return false;
      if (groups.length < 2) return false;
      return /\d/.test(value) && value.includes(':');
    },
  },
];

/** Account names too generic to redact as words (they still go when part of a home path). */
const GENERIC_NAMES = new Set([
  'root', 'user', 'users', 'admin', 'node', 'runner', 'ubuntu', 'debian', 'vscode', 'codespace', 'ec2-user', 'home',
  'dev', 'developer', 'test', 'guest', 'app', 'build', 'localhost', 'local', 'default', 'vm', 'pi',
]);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The home directory as it may appear in text: with / or \ separators, and JSON-escaped backslashes. */
function homePattern(homeDir: string): RegExp | undefined {
  const trimmed = homeDir.replace(/[\\/]+$/, '');
  const pieces = trimmed.split(/[\\/]+/).filter((p) => p.length > 0);
  if (pieces.length === 0) return undefined;
  const leading = /^[\\/]/.test(trimmed) ? '[\\\\/]+' : '';
  const body = pieces.map(escapeRegExp).join('[\\\\/]+');
  return new RegExp(`${leading}${body}(?![\\w.-])`, trimmed.length > 0 && /^[A-Za-z]:/.test(trimmed) ? 'gi' : 'g');
}

function contextSpans(text: string, ctx: RedactContext): Span[] {
  const spans: Span[] = [];
  const add = (re: RegExp, kind: RedactionKind, fixed: string) => {
    for (const match of text.matchAll(re)) {
      spans.push({ start: match.index, end: match.index + match[0].length, kind, value: match[0], fixed });
    }
  };
  if (ctx.homeDir && ctx.homeDir.replace(/[\\/]/g, '').length > 0) {
    const re = homePattern(ctx.homeDir);
    if (re) add(re, 'home-path', '~');
  }
  // Other users' home directories: /home/<name>, /Users/<name>, C:\Users\<name>.
  for (const match of text.matchAll(/(?:(?<![\w.])\/home|(?<![\w.])\/Users|\b[A-Za-z]:(?:\\\\|\\|\/)Users)(?:\\\\|\\|\/)([A-Za-z0-9._-]+)/g)) {
    const name = match[1] ?? '';
    const nameStart = match.index + match[0].length - name.length;
    spans.push({ start: nameStart, end: nameStart + name.length, kind: 'user-name', value: name, fixed: '[USER]' });
  }
  const word = (name: string | undefined, kind: RedactionKind, fixed: string) => {
    if (!name || name.length < 2 || GENERIC_NAMES.has(name.toLowerCase())) return;
    add(new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(name)}(?![A-Za-z0-9])`, 'gi'), kind, fixed);
  };
  // Host names first: "alice-laptop" holds the user name "alice" and must go whole.
  if (ctx.hostName) {
    word(ctx.hostName, 'host-name', '[HOST]');
    // "alice-laptop.local" is also seen as "alice-laptop".
    const short = ctx.hostName.split('.')[0];
    if (short && short !== ctx.hostName) word(short, 'host-name', '[HOST]');
  }
  word(ctx.userName, 'user-name', '[USER]');
  return spans;
}

function patternSpans(text: string): Span[] {
  const spans: Span[] = [];
  for (const rule of RULES) {
    for (const match of text.matchAll(rule.pattern)) {
      const group = rule.group ?? 0;
      const value = match[group];
      if (value === undefined || value.length === 0) continue;
      if (rule.accept && !rule.accept(value, match, text)) continue;
      const offset = group === 0 ? 0 : match[0].lastIndexOf(value);
      const start = match.index + offset;
      spans.push({ start, end: start + value.length, kind: rule.kind, value });
    }
  }
  return spans;
}

function lineAndColumn(text: string, offset: number, lineStarts: number[]): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (lineStarts[lo] ?? 0) + 1 };
}

/** Spans found by our own rules (RULES above and the user's home, name and host), overlaps not yet resolved. */
export function ownSpans(text: string, ctx: RedactContext = {}): Span[] {
  // Pattern rules first (a key is a key even inside a home path), then the user's own names.
  const spans = [...patternSpans(text), ...contextSpans(text, ctx)].map((s) => ({ ...s, ruleSet: 'aup-bisect' as const }));
  return withoutAllowed(text, spans, ctx.allow);
}

/** Spans lying wholly inside an occurrence of an allowed string (a known fake) dropped. */
export function withoutAllowed(text: string, spans: Span[], allow: readonly string[] | undefined): Span[] {
  if (!allow?.length) return spans;
  const ranges: Array<[number, number]> = [];
  for (const a of allow) {
    if (a.length === 0) continue;
    for (let i = text.indexOf(a); i !== -1; i = text.indexOf(a, i + 1)) ranges.push([i, i + a.length]);
  }
  return spans.filter((s) => !ranges.some(([from, to]) => from <= s.start && s.end <= to));
}

/**
 * Resolves overlaps and writes placeholders. Spans are taken in the order given, a later one overlapping an
 * accepted one is merged into it (its extent grows, its kind stays), so whatever any rule saw is masked in full.
 * Equal values get the same placeholder, so a reader can still tell that two places held the same address.
 */
export function applySpans(text: string, candidates: readonly Span[]): RedactOutcome {
  const accepted: Span[] = [];
  for (const span of candidates) {
    if (span.end <= span.start) continue;
    const hit = accepted.find((a) => span.start < a.end && a.start < span.end);
    if (!hit) {
      accepted.push({ ...span });
      continue;
    }
    if (span.start < hit.start || span.end > hit.end) {
      hit.start = Math.min(hit.start, span.start);
      hit.end = Math.max(hit.end, span.end);
      hit.value = text.slice(hit.start, hit.end);
      hit.fixed = undefined;
    }
  }
  // Growing a span may make it touch another accepted one: fold those together too.
  accepted.sort((a, b) => a.start - b.start);
  const merged: Span[] = [];
  for (const span of accepted) {
    const last = merged[merged.length - 1];
    if (last && span.start < last.end) {
      last.end = Math.max(last.end, span.end);
      last.value = text.slice(last.start, last.end);
      last.fixed = undefined;
    } else merged.push(span);
  }

  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);

  const numbering = new Map<string, string>();
  const perKind = new Map<string, number>();
  const redactions: Redaction[] = [];
  let out = '';
  let cursor = 0;
  for (const span of merged) {
    let placeholder = span.fixed;
    if (placeholder === undefined) {
      const key = `${span.kind}\u0000${span.value}`;
      placeholder = numbering.get(key);
      if (placeholder === undefined) {
        const n = (perKind.get(span.kind) ?? 0) + 1;
        perKind.set(span.kind, n);
        placeholder = `[REDACTED:${span.kind}-${n}]`;
        numbering.set(key, placeholder);
      }
    }
    out += text.slice(cursor, span.start) + placeholder;
    cursor = span.end;
    const where = lineAndColumn(text, span.start, lineStarts);
    const redaction: Redaction = { kind: span.kind, placeholder, line: where.line, column: where.column, length: span.end - span.start };
    if (span.ruleSet) redaction.ruleSet = span.ruleSet;
    redactions.push(redaction);
  }
  out += text.slice(cursor);
  return { text: out, redactions };
}

/**
 * Replaces secrets and personal data in `text` with placeholders, by our own rules only (synchronous). What leaves
 * the machine goes through the exit gate (gate.ts), which adds secretlint's preset. Idempotent.
 */
export function redact(text: string, ctx: RedactContext = {}): RedactOutcome {
  return applySpans(text, ownSpans(text, ctx));
}

/** One line per redaction, for terminals and logs: "body 12:5 email (17 chars, aup-bisect) -> [REDACTED:email-1]". */
export function formatRedactions(redactions: readonly Redaction[]): string[] {
  return redactions.map(
    (r) => `${r.field ? `${r.field} ` : ''}${r.line}:${r.column} ${r.kind} (${r.length} chars${r.ruleSet ? `, ${r.ruleSet}` : ''}) -> ${r.placeholder}`,
  );
}

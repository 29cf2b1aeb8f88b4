/**
 * secretlint's recommended preset as a span finder: the maintained rule set (AWS, GitHub, Anthropic, OpenAI, GCP,
 * Slack, npm, private keys, basic auth, database connection strings, ...). secretlint's API is asynchronous, so
 * everything built on it is too. It is imported on first use: the extension's activation bundle never loads it, and
 * a CLI command that prints no text pays nothing for it.
 */
import type { Span } from './redact';

type LintSource = typeof import('@secretlint/core').lintSource;
type Creator = typeof import('@secretlint/secretlint-rule-preset-recommend').creator;

let loaded: Promise<{ lintSource: LintSource; creator: Creator }> | undefined;

function load(): Promise<{ lintSource: LintSource; creator: Creator }> {
  loaded ??= Promise.all([import('@secretlint/core'), import('@secretlint/secretlint-rule-preset-recommend')]).then(
    ([core, preset]) => ({ lintSource: core.lintSource, creator: preset.creator }),
  );
  return loaded;
}

/** "GITHUB_TOKEN" -> "github-token", "PostgreSQLConnection" -> "postgresql-connection". */
function kebab(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[_\s]+/g, '-')
    .toLowerCase();
}

/** Recent answers: one draft's title and body pass the gate at several exits in a row. */
const recent = new Map<string, Span[]>();

/** What secretlint's recommended preset finds in `text`, as spans over it. */
export async function secretlintSpans(text: string): Promise<Span[]> {
  if (text.length === 0) return [];
  const known = recent.get(text);
  if (known) return known.map((s) => ({ ...s }));
  const spans = await lint(text);
  if (recent.size >= 64) recent.delete(recent.keys().next().value!);
  recent.set(text, spans);
  return spans.map((s) => ({ ...s }));
}

async function lint(text: string): Promise<Span[]> {
  const { lintSource, creator } = await load();
  const result = await lintSource({
    source: { filePath: 'aup-bisect-exit.txt', content: text, contentType: 'text' },
    options: {
      config: { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: creator }] },
      noPhysicFilePath: true,
    },
  });
  const spans: Span[] = [];
  for (const message of result.messages) {
    const [start, end] = message.range;
    if (end <= start) continue;
    const value = text.slice(start, end);
    // Our own placeholders are never secrets (a rule that flags "[REDACTED:...]" would make redaction loop).
    if (/^\[REDACTED:[a-z0-9-]+\]$/.test(value)) continue;
    spans.push({ start, end, kind: kebab(message.messageId || message.ruleId.replace(/^.*secretlint-rule-/, '')), value, ruleSet: 'secretlint' });
  }
  return spans;
}

/**
 * The detection corpus: refusal output in every layout people capture it in, and look-alikes that must not be
 * flagged, all written from the wordings in ../shared/notes/claude-code.md section 1 (test/support/messages.ts).
 * test/unit/refusal/corpus.test.ts checks every case; `npm run bench:detect` prints the counts.
 */
import { GENERATIONS, NOT_REFUSALS } from './messages';

export interface CorpusCase {
  name: string;
  /** The message class (a generation, or the look-alike's kind). */
  family: string;
  layout: string;
  input: string;
  /** Undefined: not a refusal (nothing may be found). */
  expect?: { requestId?: string; category?: string; model?: string };
}

/** A refusal as printed, with what the output shows of it. */
interface Sample {
  family: string;
  /** The message paragraph (one logical line). */
  message: string;
  /** Lines after it (Details, Request ID, ...), each its own line. */
  trailer: string[];
  requestId?: string;
  category?: string;
  model?: string;
}

const REQ = (n: number): string => `req_011Cc${String(n).padStart(4, '0')}CorpusAbCdEf`;

const ESC_LINE = 'Double press esc to edit your last message, or try a different model with /model.';
const HINT = 'Send feedback with /feedback or learn more: https://support.claude.com/en/articles/15363606';

const SAMPLES: Sample[] = [
  { family: 'A', message: GENERATIONS.A, trailer: [], requestId: 'req_011CYT2mJt3qn7PAX9R8mT23' },
  { family: 'A', message: GENERATIONS.A_2_1_328, trailer: [] },
  { family: 'B', message: GENERATIONS.B, trailer: [] },
  { family: 'C', message: GENERATIONS.C, trailer: [] },
  { family: 'D', message: GENERATIONS.D, trailer: [] },
  { family: 'E', message: GENERATIONS.E, trailer: [] },
  { family: 'F', message: GENERATIONS.B, trailer: ['', `Request ID: ${REQ(1)}`], requestId: REQ(1) },
  { family: 'H', message: GENERATIONS.H, trailer: [], category: 'cyber', model: 'Opus 4.8' },
  { family: 'H', message: GENERATIONS.H_later, trailer: [`Request ID: ${REQ(2)}`], requestId: REQ(2), category: 'cyber', model: 'Opus 4.8' },
  { family: 'I', message: GENERATIONS.I, trailer: [], model: 'Fable 5' },
  { family: 'I', message: GENERATIONS.I_this_model, trailer: [] },
  { family: 'I', message: GENERATIONS.I_fable_5_1, trailer: ['', HINT, '', 'Details: `[frontier_llm]`'], category: 'frontier_llm', model: 'Fable 5.1' },
  {
    family: 'J',
    message:
      "API Error: Fable 5's safeguards flagged this message (https://www.anthropic.com/legal/aup). Our intentionally broad safeguards allow us to deliver more capabilities faster, but can sometimes flag legitimate coding, cybersecurity, and biology tasks. Claude Code can't respond to this message with Fable 5.",
    trailer: [ESC_LINE, 'Details: `[reasoning_extraction]`', `Request ID: ${REQ(3)}`],
    requestId: REQ(3),
    category: 'reasoning_extraction',
    model: 'Fable 5',
  },
  { family: 'J', message: GENERATIONS.J_cant_help, trailer: [`Request ID: ${REQ(4)}`], requestId: REQ(4), model: 'Opus 4.8' },
  { family: 'J', message: GENERATIONS.J_session_2_1_280, trailer: ['', 'Try rephrasing the request in a new session or change your model.', '', 'Details: `[general_harms]`', `Request ID: ${REQ(5)}`], requestId: REQ(5), category: 'general_harms', model: 'Opus 5.5' },
  { family: 'J', message: GENERATIONS.J_they_may_flag, trailer: ['', 'Details: `[bio]`', '', `Request ID: ${REQ(6)}`], requestId: REQ(6), category: 'bio', model: 'Fable 5' },
  {
    family: 'J',
    message:
      "API Error: Opus 4.8's safeguards flagged this message. Our intentionally broad safeguards allow us to deliver more capabilities faster, but can sometimes flag legitimate cybersecurity work. Learn more: https://support.claude.com/en/articles/14604842-real-time-cyber-safeguards-on-claude",
    trailer: ['', 'Details: `[cyber]`', '', `Request ID: ${REQ(7)}`, '', 'Message ID: msg_01CorpusMessage7'],
    requestId: REQ(7),
    category: 'cyber',
    model: 'Opus 4.8',
  },
  {
    family: 'J',
    message: GENERATIONS.J_verification,
    trailer: ['', 'If you were not engaging in a cybersecurity topic, please send feedback via /feedback.', '', 'Details: `[cyber]`', `Request ID: ${REQ(8)}`],
    requestId: REQ(8),
    category: 'cyber',
    model: 'Opus 4.8',
  },
  { family: 'J', message: GENERATIONS.J_short, trailer: [], category: 'reasoning_extraction', model: 'Opus 5' },
];

// ---- layouts ----

const crlf = (text: string): string => text.replace(/\r?\n/g, '\r\n');
const lines = (s: Sample): string[] => [s.message, ...s.trailer];

/** Word wrap at `width` (what fold -s, fmt or a program's own wrapping does), lines trimmed. */
function wordWrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') out.push(line);
  return out;
}

/** Cut every `width` characters, mid-word (tmux capture-pane without -J, a copy from a terminal). */
function cut(text: string, width: number): string[] {
  const out: string[] = [];
  for (let at = 0; at < text.length; at += width) out.push(text.slice(at, at + width));
  return out;
}

type Layout = { name: string; render: (s: Sample) => string };

const PROMPT = 'dev@box:~/shop$ ';

const LAYOUTS: Layout[] = [
  { name: 'pty, claude -p at column 0', render: (s) => crlf(`${PROMPT}claude -p 'check the scanner'\n${lines(s).join('\n')}\n${PROMPT}`) },
  { name: 'LF-only text', render: (s) => `${PROMPT}claude -p 'check the scanner'\n${lines(s).join('\n')}\n${PROMPT}\n` },
  ...[60, 80, 100].map((w) => ({ name: `hard word wrap at ${w}, LF-only`, render: (s: Sample) => [...wordWrap(s.message, w), ...s.trailer, ''].join('\n') })),
  ...[60, 80, 100].map((w) => ({ name: `hard cut at ${w} mid-word, LF-only`, render: (s: Sample) => [...cut(s.message, w), ...s.trailer, ''].join('\n') })),
  {
    name: 'TUI markers ⎿, continuation indented, pty',
    render: (s) => {
      const [first, ...rest] = wordWrap(s.message, 90);
      const body = [`  ⎿  ${first}`, ...rest.map((r) => `     ${r}`), ...s.trailer.map((t) => (t === '' ? '' : `     ${t}`))];
      return crlf(`> check the scanner\n\n${body.join('\n')}\n\n╭────────────────────╮\n│ >                  │\n╰────────────────────╯\n`);
    },
  },
  {
    name: 'TUI marker ⏺, LF-only paste',
    render: (s) => {
      const [first, ...rest] = wordWrap(s.message, 76);
      return [`⏺ ${first}`, ...rest.map((r) => `  ${r}`), ...s.trailer.map((t) => (t === '' ? '' : `  ${t}`)), '', '● Next step', ''].join('\n');
    },
  },
  { name: 'relayed by the Agent SDK', render: (s) => (s.message.startsWith('API Error') ? `Agent SDK error: Claude Code returned an error result: ${lines(s).join('\n')}\n` : '') },
  { name: 'relayed by an ACP client', render: (s) => (s.message.startsWith('API Error') ? crlf(`[acp] ACP error: Internal error: ${lines(s).join('\n')}\n`).replace('[acp] ', '') : '') },
  { name: 'compaction prefix, depth 1', render: (s) => (s.message.startsWith('API Error') ? `Error: Error during compaction: ${lines(s).join('\n')}\n` : '') },
  { name: 'compaction prefix, depth 3', render: (s) => (s.message.startsWith('API Error') ? `Error: Error: Error during compaction: Error: ${lines(s).join('\n')}\n` : '') },
  {
    name: 'unknown paragraphs before the ids',
    render: (s) =>
      s.trailer.length === 0
        ? ''
        : [s.message, '', 'Claude Code has paused this conversation while it checks something new.', 'Nothing you wrote was lost.', '', ...s.trailer.filter((t) => t !== ''), ''].join('\n'),
  },
];

function refusalCases(): CorpusCase[] {
  const cases: CorpusCase[] = [];
  SAMPLES.forEach((s, i) => {
    for (const layout of LAYOUTS) {
      const input = layout.render(s);
      if (input === '') continue;
      const relayed = layout.name.startsWith('relayed') || layout.name.startsWith('compaction');
      const expect: CorpusCase['expect'] = {};
      if (s.requestId) expect.requestId = s.requestId;
      if (s.category) expect.category = s.category;
      if (s.model) expect.model = s.model;
      cases.push({ name: `${s.family}#${i} ${layout.name}`, family: relayed ? `${s.family} (relayed)` : s.family, layout: layout.name, input, expect });
    }
  });
  return cases;
}

/** The "Session paused" dialog (generation K), drawn as Claude Code draws it, and as pasted. */
function pausedCases(): CorpusCase[] {
  const notice = "Opus 5 (1M context)'s safeguards flagged this message. This sometimes happens with safe, normal conversations.";
  const box = [
    '╭──────────────────────────────────────────────────────────────────────────────────────────────────────╮',
    '│ Session paused                                                                                       │',
    '│                                                                                                      │',
    `│ ${notice.padEnd(100)} │`,
    `│ ${HINT.padEnd(100)} │`,
    '│                                                                                                      │',
    `│ ${'❯ 1. Switch to Opus 4.8'.padEnd(100)} │`,
    `│ ${'  2. Edit prompt and retry with Opus 5 (1M context)'.padEnd(100)} │`,
    '╰──────────────────────────────────────────────────────────────────────────────────────────────────────╯',
  ];
  const plain = ['Session paused', '', notice, HINT, '', '❯ 1. Switch to Opus 4.8', '  2. Edit prompt and retry with Opus 5 (1M context)', ''];
  const wrapped = ['Session paused', '', ...wordWrap(`${notice} ${HINT}`, 60), '', '❯ 1. Switch to Opus 5', '  2. Edit prompt and retry with Fable 5', ''];
  const expect = { model: 'Opus 5 (1M context)' };
  return [
    { name: 'K boxed dialog, pty', family: 'K', layout: 'Session paused dialog, pty', input: crlf(`${box.join('\n')}\n`), expect },
    { name: 'K plain, LF-only', family: 'K', layout: 'Session paused dialog, LF-only', input: plain.join('\n'), expect },
    { name: 'K wrapped at 60, LF-only', family: 'K', layout: 'Session paused dialog, wrapped at 60', input: wrapped.join('\n'), expect },
  ];
}

/** `claude -p --output-format json` and stream-json output of a refused run. */
function jsonCases(): CorpusCase[] {
  const text = `${GENERATIONS.J_2_1_328}`;
  const result = (extra: Record<string, unknown>) =>
    JSON.stringify({ type: 'result', subtype: 'success', is_error: true, stop_reason: 'refusal', terminal_reason: 'api_error', safety_stops: 1, result: text, session_id: 's1', total_cost_usd: 0.02, ...extra });
  const init = JSON.stringify({ type: 'system', subtype: 'init', session_id: 's1', model: 'claude-opus-4-8', tools: [] });
  const user = JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: GENERATIONS.J_2_1_328 }] }, session_id: 's1', uuid: 'u1' });
  const noFallback = (id: string) =>
    JSON.stringify({ type: 'system', subtype: 'model_refusal_no_fallback', original_model: 'claude-opus-4-8', request_id: id, api_refusal_category: 'cyber', session_id: 's1', uuid: 'n1' });
  const synthetic = JSON.stringify({
    type: 'assistant',
    message: { id: 'x', role: 'assistant', model: '<synthetic>', content: [{ type: 'text', text }], stop_reason: 'refusal', stop_details: { type: 'refusal', category: 'cyber', explanation: null } },
    session_id: 's1',
    uuid: 'a1',
  });
  const req = 'req_011CcA1bZ2yX3wV4uT5sR6qP';
  return [
    { name: 'json result', family: 'J (json)', layout: '-p --output-format json', input: `${JSON.stringify(JSON.parse(result({})), null, 2)}\n`, expect: { requestId: req, category: 'cyber', model: 'Opus 4.8' } },
    {
      name: 'json result, new wording',
      family: 'unrecognised (json)',
      layout: '-p --output-format json',
      input: `${JSON.stringify({ type: 'result', is_error: true, stop_reason: 'refusal', result: 'API Error: Sonnet 6 will not continue this conversation.' })}\n`,
      expect: {},
    },
    { name: 'stream-json run', family: 'J (stream-json)', layout: 'stream-json', input: [init, user, noFallback(req), synthetic, result({})].join('\n') + '\n', expect: { requestId: req, category: 'cyber', model: 'Opus 4.8' } },
    {
      name: 'stream-json, result without text',
      family: 'J (stream-json)',
      layout: 'stream-json',
      input: [init, noFallback('req_011StreamOnly99'), JSON.stringify({ type: 'result', is_error: true, stop_reason: 'refusal', result: '' })].join('\n') + '\n',
      expect: { requestId: 'req_011StreamOnly99', category: 'cyber', model: 'claude-opus-4-8' },
    },
  ];
}

// ---- look-alikes ----

function lookAlikes(): CorpusCase[] {
  const out: CorpusCase[] = [];
  const add = (family: string, layout: string, input: string): void => {
    out.push({ name: `${family}: ${layout}`, family, layout, input });
  };
  for (const [name, text] of Object.entries(NOT_REFUSALS)) {
    add(name, 'pty', crlf(`${PROMPT}claude -p 'x'\n${text}\n${PROMPT}`));
    add(name, 'TUI ⎿', crlf(`  ⎿  ${text}\n\n╭──╮\n`));
  }
  add('pdfTooLarge', 'pty', crlf(`  ⎿  API Error: 400 {"type":"error","error":{"type":"invalid_request_error","message":"messages.0.content.1.pdf.source.base64.data: PDF too large. Maximum size is 32 MB."}}\n`));
  add('usageLimit', 'TUI', crlf("  ⎿  5-hour limit reached ∙ resets 3pm · /upgrade to increase your usage limit.\n"));
  add('overloaded', 'relayed', 'Agent SDK error: Claude Code returned an error result: API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n');
  add('retry notice', 'TUI', crlf("  ⎿  Opus 5.5's safeguards stopped the response above · continuing once with that noted\n"));
  const quoted = [GENERATIONS.B, GENERATIONS.J_2_1_328, GENERATIONS.I, GENERATIONS.K, GENERATIONS.H];
  for (const text of quoted) {
    const body = text.split('\n');
    add('blockquote', 'issue body, LF-only', `I keep getting this:\n\n${body.map((l) => `> ${l}`).join('\n')}\n\nAny idea?\n`);
    add('blockquote', 'issue body with the model only, LF-only', `The notice said:\n> ${body[0].slice(0, 70)}\n> ${body[0].slice(70)}\n`);
    add('fenced', 'markdown doc, LF-only', `## What you see\n\nThe CLI prints:\n\n\`\`\`\n${text}\n\`\`\`\n\nThen it stops.\n`);
    add('fenced', 'markdown doc with a language and ~~~, LF-only', `Example:\n\n~~~text\n\n${text}\n\n~~~\n`);
    add('fenced', 'indented fence in a list, pty', crlf(`1. Run it:\n   \`\`\`console\n   $ claude -p 'x'\n   ${body[0]}\n   \`\`\`\n`));
    add('grep hit', 'file:line: prefix', `docs/refusals.md:12:${body[0]}\ntest/fixtures/out.txt:${body[0]}\n`);
    add('grep hit', 'file: prefix with a space, pty', crlf(`notes/today.txt: ${body[0]}\n`));
    add('diff', 'added and removed lines', `diff --git a/docs/x.md b/docs/x.md\n@@ -1,3 +1,3 @@\n-${body[0]}\n+${body[0].replace('API Error', 'Error')}\n`);
    add('diff', 'context line', `diff --git a/docs/x.md b/docs/x.md\n--- a/docs/x.md\n+++ b/docs/x.md\n@@ -10,3 +10,4 @@ ## Errors\n ${body[0]}\n+New line\n`);
    add('commit', 'git log --oneline', `3f2a9c1 Explain "${body[0].slice(0, 60)}"\n9b8e7d6 Fix tests\n`);
    add('commit', 'git log, full', `commit 3f2a9c1d0e5b7a8c9d0e1f2a3b4c5d6e7f8a9b0c\nAuthor: Dev <dev@example.com>\nDate:   Mon Nov 30 08:00:00 2026 +0000\n\n    ${body[0]}\n\n    Quote the message in the docs.\n`);
    add('source code', 'TypeScript', `const MESSAGE =\n  "${body[0]}";\nexport const NOTICE = \`${body[0]}\`;\n`);
    add('source code', 'Python', `    raise RuntimeError(\n        "${body[0]}"\n    )\n`);
    add('source code', 'test expectation', `    expect(out).toBe('${body[0]}');\n`);
  }
  add('transcript line', 'user prompt quoting the message (JSON)', `${JSON.stringify({ type: 'user', uuid: 'u1', sessionId: 's', message: { role: 'user', content: `why? ${GENERATIONS.B}` } })}\n`);
  add('model_fallback', 'stream-json overload fallback', `${JSON.stringify({ type: 'system', subtype: 'model_fallback', reason: 'overloaded', original_model: 'claude-opus-5-5', fallback_model: 'claude-opus-4-8', session_id: 's' })}\n${JSON.stringify({ type: 'result', is_error: false, stop_reason: 'end_turn', result: 'done' })}\n`);
  add('model_consent_fallback', 'stream-json usage credits', `${JSON.stringify({ type: 'system', subtype: 'model_consent_fallback', original_model: 'claude-opus-5-5', fallback_model: 'claude-sonnet-4-6', session_id: 's' })}\n`);
  add('rate limit', 'json result', `${JSON.stringify({ type: 'result', is_error: true, stop_reason: null, result: NOT_REFUSALS.rateLimit })}\n`);
  add('prompt too long', 'json result', `${JSON.stringify({ type: 'result', is_error: true, result: NOT_REFUSALS.promptTooLong })}\n`);
  return out;
}

export function refusalCorpus(): { refusals: CorpusCase[]; lookAlikes: CorpusCase[] } {
  return { refusals: [...refusalCases(), ...pausedCases(), ...jsonCases()], lookAlikes: lookAlikes() };
}

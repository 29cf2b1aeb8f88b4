import { describe, expect, it } from 'vitest';
import { draftIssue, draftToMarkdown, parseDraftFile } from '../../../src/core/report/draft';
import { ALICE, loadOriginal, loadRefusal, loadResult } from '../../fixtures/report/load';

const TEMPLATE_HEADINGS = [
  'Preflight Checklist',
  "What's Wrong?",
  'What Should Happen?',
  'Error Messages/Logs',
  'Steps to Reproduce',
  'Claude Model',
  'Is this a regression?',
  'Last Working Version',
  'Claude Code Version',
  'Platform',
  'Operating System',
  'Terminal/Shell',
  'Additional Information',
];

function headings(body: string): string[] {
  return [...body.matchAll(/^### (.+)$/gm)].map((m) => m[1]!);
}

function section(body: string, heading: string): string {
  const start = body.indexOf(`### ${heading}\n`);
  const next = body.indexOf('\n### ', start + 1);
  return body.slice(start, next === -1 ? undefined : next);
}

describe('draftIssue from a bisect result', () => {
  const env = { ...ALICE, os: 'Linux 6.1.0 (x64)', shell: 'bash 5.2', toolVersion: '0.1.0' };
  const draft = draftIssue({ result: loadResult(), env, original: loadOriginal() });

  it('follows the bug template, field by field, in order', () => {
    expect(headings(draft.body)).toEqual(TEMPLATE_HEADINGS);
    expect(draft.repo).toBe('anthropics/claude-code');
    expect(draft.labels).toEqual(['bug']);
  });

  it('has a specific title: model, kind, category, part kind and a trigger excerpt, never the refusal text', () => {
    expect(draft.title).toBe('[BUG] Opus 4.8 safeguards refuse a PDF text operator (cyber): BT (reverse shell included) Tj ET');
    expect(draft.title).not.toMatch(/API Error|flagged this message/);
  });

  it('carries the verbatim message, request and message ids, category and model', () => {
    const logs = section(draft.body, 'Error Messages/Logs');
    expect(logs).toContain(loadRefusal().message);
    expect(logs).toContain('request id `req_011CbgiZGk6bR8jQrLT4Ypem`');
    expect(logs).toContain('message id `msg_01XFDUDYJgAACzvnptvVoYEL`');
    expect(logs).toContain('category `cyber`');
    expect(section(draft.body, 'Claude Model')).toContain('Opus 4.8 (`claude-opus-4-8`)');
    expect(section(draft.body, 'Claude Code Version')).toContain('2.1.328');
    expect(section(draft.body, 'Operating System')).toContain('Linux 6.1.0 (x64)');
  });

  it('gives the trigger, the controlled measurement and paste-ready reproductions', () => {
    const steps = section(draft.body, 'Steps to Reproduce');
    expect(steps).toContain('```\nBT\n(reverse shell included) Tj\nET\n```');
    expect(steps).toContain('refused **5/5** on Opus 4.8 (`claude-opus-4-8`) on 2026-11-20');
    // A PDF's result does not carry its glyph count, so the 1-minimality line names the unit without a number.
    expect(steps).toContain('- 1-minimal (checked): removing any single one of its glyphs made the refusal go away.\n');
    expect(steps).toContain('- Control, one of those removals: the same trigger without `shell` passed **5/5**.');
    expect(section(draft.body, "What's Wrong?")).toContain('refused 5/5 times; removing any single one of its glyphs made the refusal go away.');
    expect(steps).toContain('23 probes sent (+4 answered from cache)');
    // The curl body is valid JSON holding exactly the trigger.
    // (Shell-quoted: the system prompt's apostrophe is written '\''.)
    const curlData = /-d '(.+)'\n/.exec(steps)?.[1]?.replace(/'\\''/g, "'");
    const request = JSON.parse(curlData!) as { model: string; system: string; messages: Array<{ content: string }> };
    expect(request.system).toBe("You are Claude Code, Anthropic's official CLI for Claude.");
    expect(request.model).toBe('claude-opus-4-8');
    expect(request.messages[0]!.content).toBe(loadResult().minimal);
    expect(steps).toContain("claude -p --model 'claude-opus-4-8' 'Read trigger.txt and summarise it.'");
    expect(steps).toContain("base64 < 'spring-sale.minimal.pdf'");
  });

  it('puts next to every snippet the rate it was measured at', () => {
    const steps = section(draft.body, 'Steps to Reproduce');
    const through = '(this exact request, through the `api` oracle)';
    expect(steps).toContain(`The trigger as the user message, refused **3/3** ${through}:`);
    expect(steps).toContain(`as the content of a file it read), refused **3/3** ${through}:`);
    expect(steps).toContain(`Sent as a document, refused **3/3** ${through}:`);
    // Three snippets, three rates.
    expect(steps.match(/^```sh$/gm)).toHaveLength(3);
    expect(steps.match(/refused \*\*3\/3\*\* \(this exact request/g)).toHaveLength(3);
  });

  it('offers no snippet for a result whose reproductions were never run', () => {
    const old = draftIssue({ result: loadResult({ reproductions: undefined }), env });
    const steps = section(old.body, 'Steps to Reproduce');
    expect(steps).not.toContain('```sh');
    expect(steps).toContain('No reproduction was run for this result');
  });

  it('names a reproduction that passed instead of offering it', () => {
    const result = loadResult({
      minimalFile: undefined,
      reproductions: [{ form: 'message', refused: 2, of: 3 }, { form: 'file', refused: 0, of: 3 }],
    });
    const steps = section(draftIssue({ result, env }).body, 'Steps to Reproduce');
    expect(steps).toContain('The trigger as the user message, refused **2/3**');
    expect(steps).not.toContain('cat >');
    expect(steps).toContain('- The trigger in a file Claude Code reads was not refused (0/3), so it is not offered.');
  });

  it('summarises what was removed with counts and at most two context lines, never the whole original', () => {
    const extra = section(draft.body, 'Additional Information');
    expect(extra).toContain('was 401 bytes');
    expect(extra).toContain('keeps 33 bytes and removes 368 bytes');
    expect(extra).toMatch(/Line diff against the original: \d+ lines? kept as is/);
    const originalOnly = loadOriginal()
      .split('\n')
      .filter((line) => line.length > 3 && !loadResult().minimal.includes(line));
    const leaked = originalOnly.filter((line) => draft.body.includes(line));
    expect(leaked.length).toBeLessThanOrEqual(2);
    expect(draft.body).not.toContain('Everything 20% off');
  });

  it('redacts the user out of everything, and lists what it replaced', () => {
    const result = loadResult({
      minimal: 'scp report.pdf alice@alice-thinkpad:/home/alice/out # key ghp_0123456789abcdefghijABCDEFGHIJ012345',
    });
    const out = draftIssue({ result, env });
    const text = `${out.title}\n${out.body}`;
    expect(text).not.toMatch(/alice|ghp_0123/);
    expect(out.body).toContain('scp report.pdf [USER]@[HOST]:~/out # key [REDACTED:github-token-1]');
    expect(out.body).toContain('some values in the trigger were redacted');
    expect(out.redactions.some((r) => r.field === 'title' && r.kind === 'github-token')).toBe(false);
    expect(out.redactions.filter((r) => r.field === 'body').map((r) => r.kind)).toEqual(
      expect.arrayContaining(['user-name', 'host-name', 'home-path', 'github-token']),
    );
  });

  it('keeps a trigger full of backticks and quotes inside its fence and its shell quoting', () => {
    const minimal = "run ```rm -rf /tmp/x``` then echo 'it''s done'";
    const out = draftIssue({ result: loadResult({ minimal, parts: [{ index: 0, kind: 'prompt', size: 10, needed: true, minimal }] }), env });
    expect(out.body).toContain(`\`\`\`\`\n${minimal}\n\`\`\`\``);
    // The curl snippet's payload, unquoted as a shell would, gives the trigger back exactly.
    const payload = /-d '((?:[^']|'\\'')+)'$/m.exec(out.body);
    expect(payload, 'the curl snippet').not.toBeNull();
    expect(JSON.parse(payload![1]!.replace(/'\\''/g, "'")).messages[0].content).toBe(minimal);
  });
});

describe('draftIssue from `bisect FILE --json` (no transcript)', () => {
  const original = 'Toy catalogue\nA plush character with a donkey underneath, mail jo@example.org\nWooden train set\n';
  const minimal = 'characterdonkey underneath';
  const result = loadResult({
    minimal,
    parts: [{ index: 0, kind: 'file', filePath: '/home/alice/ad.txt', fileName: 'ad.txt', size: original.length, needed: true, minimal }],
    original: { path: '/home/alice/ad.txt', fileName: 'ad.txt', size: original.length, sha256: 'ab'.repeat(32) },
    oracle: 'sim',
    refusal: undefined,
    minimalFile: undefined,
  });
  const draft = draftIssue({ result, env: ALICE, original });

  it('states the 1-minimality check with the trigger\'s character count next to the refused count', () => {
    expect(section(draft.body, "What's Wrong?")).toContain(
      'a minimal trigger of 26 bytes: text from a .txt file, refused 5/5 times; removing any single one of its 26 characters made the refusal go away.',
    );
    const steps = section(draft.body, 'Steps to Reproduce');
    expect(steps).toContain('- 1-minimal (checked): removing any single one of its 26 characters made the refusal go away.');
    expect(steps).toContain('- Control, one of those removals: the same trigger without `shell` passed **5/5**.');
  });

  it('counts characters as the reducer cuts them (code points), across the needed parts', () => {
    const prompt = 'ignore 💣';
    const file = '炸弹制作';
    const out = draftIssue({
      result: loadResult({
        minimal: `${prompt}\n\n${file}`,
        parts: [
          { index: 0, kind: 'prompt', size: 40, needed: true, minimal: prompt },
          { index: 1, kind: 'tool_result', toolName: 'Read', fileName: 'notes.md', size: 900, needed: true, minimal: file },
        ],
        original: { size: 940, sha256: 'cd'.repeat(32) },
        minimalFile: undefined,
      }),
      env: ALICE,
    });
    expect(out.body).toContain('- 1-minimal (checked): removing any single one of its 12 characters (across 2 parts) made the refusal go away.');
  });

  it('does not claim 1-minimality when the check did not pass, and keeps the control as measured', () => {
    const out = draftIssue({ result: { ...result, oneMinimal: false, control: { removed: 'E', passed: 1, of: 1 } }, env: ALICE, original });
    expect(out.body).not.toContain('1-minimal (checked)');
    expect(out.body).toContain('- Not proven 1-minimal: some smaller variant may still refuse.');
    expect(out.body).toContain('- Control: the same trigger without `E` passed **1/1**.');
    expect(section(out.body, "What's Wrong?")).toContain('refused 5/5 times, while the same text with one piece removed passed 1/1.');
  });

  it('names the file kind in the title and says there is no transcript record', () => {
    expect(draft.title).toBe('[BUG] Opus 4.8 safeguards refuse text from a .txt file: characterdonkey underneath');
    expect(section(draft.body, 'Error Messages/Logs')).toContain('the refusal was reproduced directly with the `sim` oracle');
    expect(draft.body).toContain("cat > 'ad.txt' <<'AUP_TRIGGER_EOF'");
  });

  it('summarises a trigger cut out of one line without quoting that line', () => {
    expect(draft.body).toContain('0 lines kept as is, 1 line cut down within a line, 3 lines of 3 removed');
    expect(draft.body).not.toContain('mail ');
    expect(draft.body).toContain('$0.1642 (estimated)');
  });
});

describe('draftIssue from a refusal record alone', () => {
  const draft = draftIssue({ refusal: loadRefusal(), env: { ...ALICE } });

  it('drafts without a trigger and says how to get one', () => {
    expect(headings(draft.body)).toEqual(TEMPLATE_HEADINGS);
    expect(draft.title).toBe('[BUG] Opus 4.8 safeguards refuse PDF content (cyber), not yet reduced to a minimal trigger');
    expect(draft.body).toContain('aup-bisect bisect --refusal rf-5d41402abc4b2a76');
    expect(draft.body).toContain('Request ID: req_011CbgiZGk6bR8jQrLT4Ypem');
    expect(draft.body).not.toContain('/home/alice');
    expect(draft.body).not.toContain('alice@example.com');
  });

  it('needs at least one of the two inputs', () => {
    expect(() => draftIssue({ env: {} })).toThrow(/bisect result or a refusal record/);
  });
});

describe('draft files', () => {
  it('round-trip through markdown so an edited draft can be filed', () => {
    const draft = draftIssue({ result: loadResult(), env: ALICE });
    expect(parseDraftFile(draftToMarkdown(draft))).toEqual({ title: draft.title, body: draft.body });
    expect(parseDraftFile('no heading here')).toBeUndefined();
  });
});

/**
 * Every shell snippet in a draft is safe to paste: each one is pasted into a real bash whose PATH holds only stub
 * `curl` and `claude` (which record their arguments and input) and logging wrappers of the few tools a snippet may
 * use (cat, base64, tr). Hostile file names and triggers must not run anything else, and the stubs must receive
 * exactly the names and text the draft meant.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { draftIssue } from '../../../src/core/report/draft';
import { loadResult } from '../../fixtures/report/load';

const HOSTILE_NAMES = [
  'ad $(echo pwned > PWNED).pdf',
  'ad `echo pwned > PWNED`.pdf',
  `it's "quoted" $HOME.pdf`,
  'x; echo pwned > PWNED; y.pdf',
  'new\nline $(echo pwned > PWNED).pdf',
  "-n'; echo pwned > PWNED #.pdf",
];
const HOSTILE_TRIGGER = "run $(echo pwned > PWNED) and `echo pwned > PWNED` then 'quote\"\nAUP_TRIGGER_EOF\necho pwned > PWNED";

function which(tool: string): string {
  return execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
}

/** A folder of stubs and logging wrappers: the only PATH the pasted snippet gets. */
function stubBin(log: string): string {
  const bin = mkdtempSync(join(tmpdir(), 'aup-stub-bin-'));
  const write = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!${which('bash')}\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  // The stubs record their name, each argument (NUL-separated) and their standard input.
  const record = (name: string) =>
    `printf '%s\\0' ${name} "$@" >> ${JSON.stringify(log)}; printf '\\n--stdin--\\n' >> ${JSON.stringify(log)}; ${which('cat')} >> ${JSON.stringify(log)}; printf '\\n--end--\\n' >> ${JSON.stringify(log)}`;
  write('curl', record('curl'));
  write('claude', `printf '%s\\0' claude "$@" >> ${JSON.stringify(log)}; printf '\\n--end--\\n' >> ${JSON.stringify(log)}`);
  for (const tool of ['cat', 'base64', 'tr']) write(tool, `printf '%s\\n' 'ran ${tool}' >> ${JSON.stringify(log)}.tools; exec ${which(tool)} "$@"`);
  return bin;
}

function snippets(markdown: string): string[] {
  return [...markdown.matchAll(/^(`{3,})sh\n([\s\S]*?)\n\1$/gm)].map((m) => m[2]!);
}

function paste(snippet: string, files: Record<string, string> = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'aup-paste-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(cwd, name), content);
  const log = join(mkdtempSync(join(tmpdir(), 'aup-stub-log-')), 'calls');
  const bin = stubBin(log);
  const run = spawnSync(which('bash'), ['--noprofile', '--norc'], {
    cwd,
    input: `${snippet}\n`,
    encoding: 'utf8',
    env: { PATH: bin, HOME: cwd, ANTHROPIC_API_KEY: 'test-key' },
  });
  return {
    run,
    cwd,
    calls: existsSync(log) ? readFileSync(log, 'utf8') : '',
    tools: existsSync(`${log}.tools`) ? readFileSync(`${log}.tools`, 'utf8').trim().split('\n') : [],
    files: readdirSync(cwd),
  };
}

describe.each(HOSTILE_NAMES.map((n) => [JSON.stringify(n), n]))('snippets for a file named %s', (_label, name) => {
  it('run only curl, claude and the tools they pipe through, with the exact name and text', () => {
    const textName = name.replace(/\.pdf$/, '.txt');
    const result = loadResult({
      minimal: HOSTILE_TRIGGER,
      original: { fileName: textName, size: 100, sha256: 'a'.repeat(64) },
      parts: [{ index: 0, kind: 'file', fileName: textName, size: 100, needed: true, minimal: HOSTILE_TRIGGER }],
      minimalFile: `/tmp/somewhere/${name}`,
    });
    const draft = draftIssue({ result, env: {} });
    const found = snippets(draft.body);
    // The curl one, the "as it happened" one, and the document one for the minimal file.
    expect(found).toHaveLength(3);
    const pdfBytes = '%PDF-1.7 minimal';
    for (const snippet of found) {
      const pasted = paste(snippet, { [name]: pdfBytes });
      expect(pasted.run.stderr).not.toMatch(/command not found|No such file/);
      expect(pasted.files).not.toContain('PWNED');
      expect(pasted.tools.every((t) => /^ran (cat|base64|tr)$/.test(t))).toBe(true);
      const calls = pasted.calls.split('\n--end--\n').filter((c) => c.trim());
      expect(calls.length).toBe(1);
      const call = calls[0]!;
      if (call.startsWith('claude\0')) {
        const args = call.split('\0');
        expect(args.slice(0, 4)).toEqual(['claude', '-p', '--model', 'claude-opus-4-8']);
        expect(args[4]).toBe(`Read ${textName} and summarise it.`);
        // The heredoc wrote the trigger, byte for byte, under the exact name.
        expect(readFileSync(join(pasted.cwd, textName), 'utf8')).toBe(`${HOSTILE_TRIGGER}\n`);
      } else {
        expect(call.startsWith('curl\0')).toBe(true);
        const [, stdin = ''] = call.split('\n--stdin--\n');
        const args = call.split('\n--stdin--\n')[0]!.split('\0');
        const data = args[args.indexOf('-d') + 1]!;
        const body = JSON.parse(data === '@-' ? stdin : data) as { messages: Array<{ content: unknown }> };
        const content = body.messages[0]!.content;
        if (typeof content === 'string') expect(content).toBe(HOSTILE_TRIGGER);
        else expect(JSON.stringify(content)).toContain(Buffer.from(pdfBytes).toString('base64'));
      }
    }
  });
});

describe('a prompt trigger', () => {
  it('goes to the API as the one user message of the curl body, and is not offered to claude -p (never probed so)', () => {
    const result = loadResult({
      minimal: HOSTILE_TRIGGER,
      parts: [{ index: 0, kind: 'prompt', size: 100, needed: true, minimal: HOSTILE_TRIGGER }],
      minimalFile: undefined,
    });
    const found = snippets(draftIssue({ result, env: {} }).body);
    expect(found.some((s) => s.startsWith('claude'))).toBe(false);
    const curl = found.find((s) => s.startsWith('curl'))!;
    const pasted = paste(curl);
    expect(pasted.files).not.toContain('PWNED');
    const args = pasted.calls.split('\0');
    const body = JSON.parse(args[args.indexOf('-d') + 1]!) as { messages: Array<{ content: string }> };
    expect(body.messages).toEqual([{ role: 'user', content: HOSTILE_TRIGGER }]);
  });
});

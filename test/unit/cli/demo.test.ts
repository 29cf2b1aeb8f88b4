import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDraftFile } from '../../../src/core/report/draft';
import type { BisectResult } from '../../../src/core/bisect/result';
import { AD_LINES } from '../../../src/demo/session';
import { pdfText } from '../../../src/sim/request-text';
import type { SimStats } from '../../../src/sim/stats';
import { bundleCli, runCli, type CliRun } from '../../support/cli-bundle';

// The demo as a new user runs it: the CLI built from source, no key, no token, everything on loopback.
describe('aup-bisect demo', () => {
  let run: CliRun;
  let out: string;

  beforeAll(async () => {
    const cli = await bundleCli();
    out = join(mkdtempSync(join(tmpdir(), 'aup-demo-test-')), 'demo');
    run = await runCli(cli, ['demo', '--out', out], { ANTHROPIC_API_KEY: '', GITHUB_TOKEN: '', CLAUDE_CONFIG_DIR: '' });
  }, 120_000);

  it('runs detect -> bisect -> draft and says where the draft is', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const step of ['[1/4] Replaying', '[2/4] Detecting', '[3/4] Bisecting', '[4/4] Drafting']) expect(run.stdout).toContain(step);
    expect(run.stdout).toContain(`Draft issue:   ${join(out, 'issue.md')}`);
    expect(run.stdout).toMatch(/request 2: req_\w+ -> refusal \[general_harms\]/);
  });

  it('replays the session into a Claude Code transcript that the detector reads back', () => {
    const projects = join(out, 'claude-config', 'projects');
    const [project] = readdirSync(projects);
    const [file] = readdirSync(join(projects, project!));
    const entries = readFileSync(join(projects, project!, file!), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; subtype?: string });
    expect(entries.map((e) => e.subtype ?? e.type)).toEqual([
      'user', 'assistant', 'user', 'informational', 'user', 'model_refusal_no_fallback', 'assistant', 'cost-state',
    ]);
    expect(run.stdout).toMatch(/found refusal [0-9a-f]+: safeguards on Opus 4\.8 \(claude-opus-4-8\), category general_harms, request id req_\w+/);
  });

  it('bisects the ad down to the words that trip the rule, and verifies them', () => {
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as BisectResult & { status: string };
    expect(result.status).toBe('minimal');
    expect(result.oracle).toBe('sim');
    expect(result.verification).toEqual({ refused: 5, of: 5 });
    expect(result.minimal).toMatch(/CHARACTER.*DONKEY UNDERNEATH/);
    expect(result.minimal.length).toBeLessThan(AD_LINES[3]!.length);
    expect(result.parts.filter((p) => p.needed).map((p) => p.kind)).toEqual(['document']);
  });

  it('writes a minimal PDF that holds the trigger and none of the rest of the ad', () => {
    const text = pdfText(readFileSync(join(out, 'toy-ad.minimal.pdf')));
    expect(text).toMatch(/DONKEY UNDERNEATH/);
    for (const line of [AD_LINES[0]!, AD_LINES[1]!, AD_LINES[5]!]) expect(text).not.toContain(line);
  });

  it('drafts the issue with the request id and the trigger', () => {
    const draft = parseDraftFile(readFileSync(join(out, 'issue.md'), 'utf8'))!;
    expect(draft.title).toMatch(/^\[BUG\] Opus 4\.8 safeguards refuse a PDF text operator \(general_harms\): .*DONKEY UNDERNEATH/);
    const requestId = /request id (req_\w+)/.exec(run.stdout)![1]!;
    expect(draft.body).toContain(`Request ID: ${requestId}`);
    expect(draft.body).toContain('refused **5/5** on Opus 4.8');
  });

  it("gives every snippet of the draft its rate, and the stand-in's log holds the probes behind each rate", () => {
    const draft = parseDraftFile(readFileSync(join(out, 'issue.md'), 'utf8'))!;
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as BisectResult;
    const served = JSON.parse(readFileSync(join(out, 'sim-log.json'), 'utf8')) as SimStats;
    expect(run.stdout).toContain(`the stand-in served ${served.requests} requests`);

    // Each shell snippet follows the sentence that gives its measured rate.
    const paragraphs = draft.body.split(/\n\n/);
    const snippets = paragraphs.flatMap((p, i) => (p.startsWith('```sh') ? [paragraphs[i - 1]!] : []));
    expect(snippets).toHaveLength(3);
    for (const lead of snippets) expect(lead).toMatch(/refused \*\*\d+\/\d+\*\* \(this exact request, through the `sim` oracle\):$/);
    const rates = snippets.map((lead) => /refused \*\*(\d+)\/(\d+)\*\*/.exec(lead)!.slice(1).map(Number));
    const reproductions = result.reproductions!;
    expect(reproductions.map((r) => r.form)).toEqual(['message', 'file', 'pdf-document']);
    expect(rates).toEqual(reproductions.map((r) => [r.refused, r.of]));

    // No cache: every probe the result counts is one request the stand-in served.
    expect(served.requests).toBe(result.probes);
    expect(served.log).toHaveLength(result.probes);
    // The reproductions are probed one form after another, each its own exact request k times (one size); after them
    // come only the rates across models (their probes sent, not answered from memory).
    const evidenceSent = (result.evidence?.models ?? [])
      .flatMap((m) => [m.trigger, ...(m.otherForms ?? []).map((o) => o.rate), m.readable, m.control])
      .reduce((n, rate) => n + (rate ? rate.k - rate.cached : 0), 0);
    expect(evidenceSent).toBeGreaterThan(0);
    let at = served.log.length - evidenceSent - reproductions.reduce((n, r) => n + r.of, 0);
    const sizes = new Set<number>();
    for (const rate of reproductions) {
      const probes = served.log.slice(at, at + rate.of);
      at += rate.of;
      expect(new Set(probes.map((p) => p.inputBytes)).size, rate.form).toBe(1);
      sizes.add(probes[0]!.inputBytes);
      expect(probes.filter((p) => p.verdict === 'refused').length, rate.form).toBe(rate.refused);
      expect(probes.every((p) => p.verdict !== 'refused' || p.ruleId === 'donkey-ad'), rate.form).toBe(true);
    }
    // Three different requests: the message, the file read, the PDF document.
    expect(sizes.size).toBe(3);
  });
});

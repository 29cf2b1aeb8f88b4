// The committed Claude Code fixtures (npm run fixtures:claude-code) hold what their manifest says they hold, so the
// detector's tests can rely on the manifest. Re-run the generator if this fails after a Claude Code upgrade.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = 'test/fixtures/claude-code';
/** The pinned version's fixtures at the top, each other version's in a folder named after it. */
const VERSION_DIRS = [
  ROOT,
  ...readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(ROOT, d.name, 'manifest.json'))).map((d) => join(ROOT, d.name)),
];
interface Fixture {
  name: string;
  mode: 'print' | 'interactive';
  files: { transcripts: string[]; terminal?: string; result?: string };
  refused: boolean;
  expectedKind: string | null;
  category: string | null;
  sessionContinued: boolean;
  readFile?: string;
  requests: { model: string; verdict: string; requestId: string }[];
  terminal?: { cols: number; rows: number; closeOffset?: number };
}
type Entry = Record<string, unknown> & { type?: string; subtype?: string; message?: Record<string, unknown> };

for (const DIR of VERSION_DIRS) {
  const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as { claudeCodeVersion: string; fixtures: Fixture[] };
  const entries = (f: Fixture): Entry[] =>
    f.files.transcripts.flatMap((t) => readFileSync(join(DIR, t), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry));

  describe(`committed Claude Code ${manifest.claudeCodeVersion} fixtures`, () => {
    it('cover -p and interactive runs, refused and not, with a Read', () => {
      expect(manifest.claudeCodeVersion).toBe(DIR === ROOT ? '2.1.328' : basename(DIR));
      const f = manifest.fixtures;
      expect(f.some((x) => x.mode === 'print' && !x.refused)).toBe(true);
      expect(f.some((x) => x.mode === 'interactive' && x.refused && x.files.terminal)).toBe(true);
      expect(f.some((x) => x.readFile && x.refused)).toBe(true);
      expect(f.some((x) => x.expectedKind === 'content-filter')).toBe(true);
    });

    it.runIf(DIR !== ROOT)('hold every scenario the pinned version has, so both are replayed alike', () => {
      const pinned = JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8')) as { fixtures: Fixture[] };
      expect(manifest.fixtures.map((x) => x.name)).toEqual(pinned.fixtures.map((x) => x.name));
    });

    it.each(manifest.fixtures.map((f) => [f.name, f] as const))('%s matches its manifest entry', (_, f) => {
      const all = entries(f);
      expect(all.every((e) => e.version === undefined || e.version === manifest.claudeCodeVersion)).toBe(true);
      const refusal = all.find((e) => e.type === 'assistant' && e.message?.model === '<synthetic>' && e.message?.stop_reason === 'refusal');
      const apiError = all.find((e) => e.type === 'assistant' && e.isApiErrorMessage === true);
      const fallback = all.find((e) => e.type === 'system' && e.subtype === 'model_refusal_fallback');
      if (f.expectedKind === 'safeguards') {
        expect(f.sessionContinued ? fallback : refusal).toBeDefined();
        if (!f.sessionContinued) expect((refusal!.message!.stop_details as { category: string }).category).toBe(f.category);
      } else if (f.expectedKind === 'content-filter') {
        expect(JSON.stringify(apiError?.message?.content)).toContain('Output blocked by content filtering policy');
      } else {
        expect(refusal ?? apiError ?? fallback).toBeUndefined();
      }
      expect(f.requests.some((r) => r.verdict === 'refused')).toBe(f.refused);
      if (f.readFile) expect(JSON.stringify(all)).toContain(`"file_path":"${f.readFile}"`);
      if (f.files.terminal) {
        const raw = readFileSync(join(DIR, f.files.terminal), 'utf8');
        expect(f.terminal?.closeOffset).toBeLessThanOrEqual(raw.length);
        if (f.refused && !f.sessionContinued && f.expectedKind === 'safeguards') expect(raw).toContain(f.requests.at(-1)!.requestId);
      }
      if (f.files.result) {
        const result = JSON.parse(readFileSync(join(DIR, f.files.result), 'utf8')) as { is_error: boolean };
        expect(result.is_error).toBe(f.refused && !f.sessionContinued);
      }
    });
  });
}

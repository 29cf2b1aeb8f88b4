/**
 * The Read path on real data: a refusal Claude Code recorded after reading a file (test/fixtures), bisected against
 * the in-process stand-in, its kept spans located in the file the Read showed.
 */
import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBisect } from '../../../../src/core/bisect/run';
import type { RefusalRecord } from '../../../../src/core/refusal/record';
import { rebuildRequest } from '../../../../src/core/transcript/parts';
import { scanProjects } from '../../../../src/core/transcript/scan';
import { partsFromFile, spansInFile } from '../../../../src/extension/trigger/locate';
import { simOracleFactories as oracles } from '../../../../src/sim/oracle';

describe('kept spans of a refused Read, in the file that was read', () => {
  it('cover exactly the kept characters of the file, the Read\'s line numbers left out', async () => {
    const project = join(await mkdtemp(join(tmpdir(), 'aup-trigger-')), 'projects', '-tmp-work');
    await mkdir(project, { recursive: true });
    await copyFile(join(__dirname, '../../../fixtures/claude-code/print-read-refused.jsonl'), join(project, 'session.jsonl'));
    const records: RefusalRecord[] = [];
    for await (const r of scanProjects(join(project, '..'))) records.push(r);
    const refusal = records[0]!;

    const result = await runBisect({ source: { kind: 'refusal', refusal }, oracle: { kind: 'sim' }, oracles, cache: false });
    const sent = (await rebuildRequest(refusal)).parts;
    const parts = result.parts.map((summary) => ({ summary, text: sent[summary.index]!.text }));
    const read = parts.find((p) => p.summary.toolName === 'Read' && p.summary.needed)!;
    const filePath = read.summary.filePath!;
    // The file as it was on disk: the Read output without its "N\t" line numbers.
    const fileText = read.text.split('\n').flatMap((l) => (/^\d+\t/.test(l) ? [l.replace(/^\d+\t/, '')] : [])).join('\n') + '\n';

    expect(partsFromFile(parts, filePath)).toEqual([read]);
    const spans = spansInFile(read, fileText)!;
    expect(spans.length).toBeGreaterThan(0);
    const marked = spans.map((s) => fileText.slice(s.start, s.end)).join('');
    const kept = read.summary.fragments!.map((f) => f.text).join('').replace(/(^|\n)\d+\t/g, '$1');
    expect(marked).toBe(kept);
    expect(marked).toMatch(/reverse shell[\s\S]*exfiltrate|exfiltrate[\s\S]*reverse shell/);
  });
});

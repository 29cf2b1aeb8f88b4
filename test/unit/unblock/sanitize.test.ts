import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sanitizeReadFile, sanitizedPath, writeSanitized } from '../../../src/core/unblock/sanitize';
import { alignFragments } from '../../../src/core/unblock/spans';

describe('sanitized copies', () => {
  it('are written beside the original, which is left as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aup-sanitize-'));
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'keep this. drop THAT.\n');
    const out = await writeSanitized(file, 'keep this. drop .\n');
    expect(out).toEqual({ path: join(dir, 'notes.sanitized.txt') });
    expect(readFileSync(file, 'utf8')).toBe('keep this. drop THAT.\n');
    expect(readFileSync(out.path, 'utf8')).toBe('keep this. drop .\n');
    expect(sanitizedPath('/a/b/report.final.pdf')).toBe('/a/b/report.final.sanitized.pdf');
  });

  it('replace the original only with a backup, and never over an older backup', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aup-sanitize-'));
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'original\n');
    expect(await writeSanitized(file, 'clean\n', true)).toEqual({ path: file, backup: `${file}.orig` });
    expect(readFileSync(`${file}.orig`, 'utf8')).toBe('original\n');
    expect(readFileSync(file, 'utf8')).toBe('clean\n');
    await expect(writeSanitized(file, 'cleaner\n', true)).rejects.toThrow(/already exists/);
    expect(readFileSync(`${file}.orig`, 'utf8')).toBe('original\n');
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'notes.txt.orig']);
  });

  it('of a file Claude Code read: removals in the line-numbered Read output land on the file\'s own characters', () => {
    const file = 'Incident review\n\na reverse shell from the runner\nto exfiltrate keys.\n';
    const shown = '1\tIncident review\n2\t\n3\ta reverse shell from the runner\n4\tto exfiltrate keys.\n5\t';
    const at = shown.indexOf('reverse shell');
    expect(sanitizeReadFile(file, shown, [[at, at + 'reverse shell'.length]])).toBe('Incident review\n\na  from the runner\nto exfiltrate keys.\n');
    // Older Claude Code: "     1→line".
    const arrows = file.split('\n').map((l, i) => `${String(i + 1).padStart(6)}\u2192${l}`).join('\n');
    const a = arrows.indexOf('exfiltrate');
    expect(sanitizeReadFile(file, arrows, [[a, a + 10]])).toBe('Incident review\n\na reverse shell from the runner\nto  keys.\n');
    // A removal across a line break takes the newline, never a line number.
    const s = shown.indexOf('runner');
    const e = shown.indexOf('to exf') + 3;
    expect(sanitizeReadFile(file, shown, [[s, e]])).toBe('Incident review\n\na reverse shell from the exfiltrate keys.\n');
    // With a mask: one per removal, where it was.
    expect(sanitizeReadFile(file, shown, [[at, at + 13], [s, e]], '[removed]')).toBe('Incident review\n\na [removed] from the [removed]exfiltrate keys.\n');
  });

  it('of a file that changed since the Read: none', () => {
    expect(sanitizeReadFile('a changed line\n', '1\tthe line it was\n2\t', [[2, 5]])).toBeUndefined();
  });
});

describe('alignFragments', () => {
  it('finds a minimal trigger\'s fragments in the original, in order', () => {
    const text = 'aaa reverse shell bbb ccc exfiltrate ddd';
    expect(alignFragments(text, 'reverse shellexfiltrate')).toEqual([[4, 17], [26, 36]]);
    expect(alignFragments(text, 'xyz')).toBeUndefined();
    expect(alignFragments('detonator one detonator two', 'detonatordetonator')).toEqual([[0, 9], [14, 23]]);
  });
});

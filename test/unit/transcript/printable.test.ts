import { describe, expect, it } from 'vitest';
import { printable, printableJson } from '../../../src/core/transcript/printable';

describe('printable: transcript text on its way to a terminal', () => {
  it('drops escape sequences, BEL, C1 controls and bidi overrides, keeping tabs and newlines', () => {
    const path = '/home/dev/\x1b]0;owned\x07proj\x1b[2J/\u009b31mx\u202eevil.jsonl';
    expect(printable(path)).toBe('/home/dev/]0;ownedproj[2J/31mxevil.jsonl');
    expect(printable('a\tb\nc')).toBe('a\tb\nc');
  });

  it('keeps JSON lossless: what JSON.stringify leaves raw is escaped', () => {
    const value = { path: '/x/\u009b2J\u2028y', esc: '\x1b' };
    const text = printableJson(value);
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

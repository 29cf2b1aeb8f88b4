import { describe, expect, it } from 'vitest';
import {
  charCuts,
  codeBlockCuts,
  flavorOf,
  jsonCutsByDepth,
  lineCuts,
  paragraphCuts,
  sentenceCuts,
  wordCuts,
} from '../../../src/core/reduce/units';

/** The units between consecutive cuts. */
const units = (text: string, cuts: number[]) => cuts.slice(1).map((c, i) => text.slice(cuts[i], c));

describe('unit splitters', () => {
  it('cut lines after each newline and paragraphs after blank lines, covering the whole text', () => {
    const text = 'one\ntwo\n\nthree\n';
    expect(units(text, lineCuts(text))).toEqual(['one\n', 'two\n', '\n', 'three\n']);
    expect(units(text, paragraphCuts(text))).toEqual(['one\ntwo\n\n', 'three\n']);
  });

  it('split prose without newlines into sentences, in Latin, Cyrillic and CJK', () => {
    const text = 'First one. Второе предложение! 第三句。Last?';
    expect(units(text, sentenceCuts(text))).toEqual(['First one. ', 'Второе предложение! ', '第三句。', 'Last?']);
  });

  it('split words: Cyrillic by spaces, Chinese by dictionary', () => {
    const ru = 'Тихий сад';
    expect(units(ru, wordCuts(ru))).toEqual(['Тихий', ' ', 'сад']);
    const zh = '我们今天去北京';
    expect(units(zh, wordCuts(zh))).toEqual(['我们', '今天', '去', '北京']);
  });

  it('never cut inside a surrogate pair', () => {
    const text = 'a😀b';
    expect(units(text, charCuts(text))).toEqual(['a', '😀', 'b']);
  });

  it('cut JSON into members at each depth, each member with its comma', () => {
    const text = '{"a": 1, "b": {"c": 2, "d": [3, 4]}}';
    const [top, second] = jsonCutsByDepth(text);
    expect(units(text, top!)).toEqual(['{', '"a": 1, ', '"b": {"c": 2, "d": [3, 4]}', '}']);
    expect(units(text, second!)).toContain('"c": 2, ');
    expect(flavorOf(text)).toBe('json');
    // Named JSON but broken: cut as prose, since its members cannot be told apart.
    expect(flavorOf('{"a":', 'x.json')).toBe('prose');
    expect(flavorOf('{"a":1}\n{"b":2}\n', 'x.jsonl')).toBe('json');
    expect(flavorOf('plain words')).toBe('prose');
  });

  it('cut source code into top-level blocks, closing braces staying with their block', () => {
    const text = 'function a() {\n  return 1;\n}\n\nfunction b() {\n  return 2;\n}\n';
    const [top, inner] = codeBlockCuts(text);
    expect(units(text, top!)).toEqual(['function a() {\n  return 1;\n}\n\n', 'function b() {\n  return 2;\n}\n']);
    expect(units(text, inner!)).toContain('  return 1;\n}\n\n');
    expect(flavorOf(text, 'lib.ts')).toBe('code');
  });
});

import { describe, expect, it } from 'vitest';
import { CHARS_PER_TOKEN, estimateBytesTokens, estimateTextTokens } from '../../src/core/tokens';

describe('the one token estimator', () => {
  it('takes four ASCII characters to a token, rounding up', () => {
    expect(CHARS_PER_TOKEN).toBe(4);
    expect(estimateTextTokens('')).toBe(0);
    expect(estimateTextTokens('hello world!')).toBe(3);
    expect(estimateTextTokens('hello world!!')).toBe(4);
  });

  it('counts every character outside ASCII as a token of its own, a surrogate pair as one character', () => {
    expect(estimateTextTokens('日本語')).toBe(3);
    expect(estimateTextTokens('a — b')).toBe(2); // 4 ASCII characters (1 token) and the dash
    expect(estimateTextTokens('🙂')).toBe(1);
  });

  it('gives content known only by its UTF-8 size the same ratio', () => {
    expect(estimateBytesTokens(4_001)).toBe(1_001);
    expect(estimateBytesTokens(Buffer.byteLength('hello world!'))).toBe(estimateTextTokens('hello world!'));
  });
});

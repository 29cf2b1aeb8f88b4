import { describe, expect, it } from 'vitest';
import type { Oracle, ProbeInput, Verdict } from '../../../src/core/probe/oracle/types';
import { runBisect } from '../../../src/core/bisect/run';
import { draftGated } from '../../../src/core/report/exits';
import { fakeOf } from '../../../src/core/report/fake';

const KEY = 'AKIAQ3EGRXN2ZJ5T7W4B';

/** Refuses while the candidate holds the phrase and anything shaped like an AWS access key id. */
function shapeOracle(shape: RegExp): Oracle & { seen: string[] } {
  const seen: string[] = [];
  return {
    name: 'shape',
    seen,
    async probe(input: ProbeInput): Promise<Verdict> {
      const text = input.parts.map((p) => p.text).join('');
      seen.push(text);
      return { refused: /donkey underneath/.test(text) && shape.test(text), usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, bytesSent: text.length, latencyMs: 0 };
    },
  };
}

async function bisect(oracle: Oracle) {
  return runBisect({
    source: { kind: 'text', fileName: 'n.txt', text: `a\nthe plush donkey underneath ${KEY} ok\nb\n` },
    oracle,
    cache: false,
  });
}

describe('fakeOf', () => {
  it('keeps the format prefix, the length and each character class, and never the value', () => {
    const fake = fakeOf(KEY);
    expect(fake).toMatch(/^AKIA[A-Z0-9]{16}$/);
    expect(fake).not.toBe(KEY);
    expect([...fake].every((c, i) => /\d/.test(c) === /\d/.test(KEY[i]!))).toBe(true);
    expect(fakeOf('sk-ant-api03-abcDEF123')).toMatch(/^sk-ant-api03-[a-z]{3}[A-Z]{3}\d{3}$/);
    expect(fakeOf(KEY)).toBe(fake);
  });
});

describe('a trigger that needs a secret-shaped value', () => {
  it('is shown with a same-shape fake and its own rate when the fake still refuses', async () => {
    const oracle = shapeOracle(/AKIA[A-Z0-9]{16}/);
    const run = await bisect(oracle);
    expect(run.minimal).toContain(KEY);
    expect(run.shareable).toMatchObject({ refused: 3, of: 3, kinds: ['aws-access-key-id'] });
    // The fake was really probed.
    expect(oracle.seen).toContain(run.shareable!.text);
    const draft = await draftGated({ result: run, env: {} });
    expect(draft.body).not.toContain(KEY);
    expect(draft.title).not.toContain(KEY);
    expect(draft.body).toMatch(new RegExp(`donkey underneath( … )?${fakeOf(KEY)}`));
    expect(draft.body).toContain('replaced trigger was refused **3/3** on its own');
  });

  it('says the trigger cannot be shared as is when only the real value refuses, and never shows it', async () => {
    const run = await bisect(shapeOracle(new RegExp(KEY)));
    expect(run.shareable).toMatchObject({ refused: 0, of: 3 });
    const draft = await draftGated({ result: run, env: {} });
    expect(draft.body).toContain('This trigger cannot be shared as is');
    expect(`${draft.title}\n${draft.body}`).not.toMatch(/AKIA[A-Z0-9]{16}/);
    expect(draft.body).toMatch(/donkey underneath( … )?\[REDACTED:aws-access-key-id-1\]/);
  });
});

import { describe, expect, it } from 'vitest';
import type { ProbeInput } from '../../../src/core/probe/oracle/types';
import { reduce } from '../../../src/core/reduce/reducer';
import { findPassSet } from '../../../src/core/unblock/passSet';
import { filler, predicateOracle, seeded } from '../reduce/helpers';

const file = (text: string): ProbeInput => ({ parts: [{ kind: 'file', text, fileName: 'notes.txt' }] });
const count = (t: string, word: string) => t.split(word).length - 1;

/** A 400-line file with `line(i)` put on the given lines. */
function withLines(at: Record<number, string>, seed = 1): string {
  const lines = filler(400, seed).split('\n');
  for (const [i, text] of Object.entries(at)) lines[Number(i)] = text;
  return lines.join('\n');
}

describe('findPassSet', () => {
  it('one trigger: removing the bisect\'s minimal trigger is enough, verified 5/5', async () => {
    const text = withLines({ 120: 'the river said: how to enrich uranium at home, quietly.' });
    const rule = (t: string) => t.includes('enrich uranium');
    const oracle = predicateOracle(rule);
    const out = await findPassSet(file(text), oracle, { minimal: [{ index: 0, minimal: 'enrich uranium', needed: true }] });
    expect(out.status).toBe('passes');
    expect(out.removed).toEqual([{ part: 0, text: 'enrich uranium', line: 121 }]);
    expect(out.verification).toEqual({ passed: 5, of: 5 });
    expect(out.oneMinimal).toBe(true);
    expect(out.triggersFound).toBe(0);
    expect(out.input.parts[0]!.text).toBe(text.replace('enrich uranium', ''));
    expect(rule(out.input.parts[0]!.text)).toBe(false);
    // 1 to confirm the original, 1 with the trigger out, 4 more to verify; putting the trigger back is the original,
    // already known refused.
    expect(oracle.calls).toBe(6);
  });

  it('count threshold: 5 occurrences, refused from 3, so 3 must go (the bisect kept 3, a second round finds more)', async () => {
    const text = withLines({ 30: 'quiet detonator paper', 90: 'a detonator here', 200: 'detonator again', 260: 'one more detonator', 380: 'last detonator.' });
    const rule = (t: string) => count(t, 'detonator') >= 3;
    const oracle = predicateOracle(rule);
    const out = await findPassSet(file(text), oracle, { minimal: [{ index: 0, minimal: 'detonatordetonatordetonator', needed: true }] });
    expect(out.status).toBe('passes');
    expect(out.removals).toHaveLength(3);
    expect(out.removed.every((r) => r.text === 'detonator')).toBe(true);
    expect(count(out.input.parts[0]!.text, 'detonator')).toBe(2);
    expect(out.verification).toEqual({ passed: 5, of: 5 });
    expect(out.oneMinimal).toBe(true);
    // Three seeds leave two: no round of the reducer was needed here.
    expect(out.triggersFound).toBe(0);
  });

  it('count threshold with more occurrences than the seeds cover: the reducer finds the next trigger, shrink puts back what is not needed', async () => {
    const lines = filler(600, 3).split('\n');
    for (const i of [10, 80, 150, 230, 300, 380, 450, 520]) lines[i] = `the detonator on line ${i}`;
    const rule = (t: string) => count(t, 'detonator') >= 3;
    const oracle = predicateOracle(rule);
    const out = await findPassSet(file(lines.join('\n')), oracle, { minimal: [{ index: 0, minimal: 'detonatordetonatordetonator', needed: true }] });
    expect(out.status).toBe('passes');
    // 8 occurrences, refused from 3: 6 must go, and no fewer.
    expect(out.removals).toHaveLength(6);
    expect(count(out.input.parts[0]!.text, 'detonator')).toBe(2);
    expect(out.triggersFound).toBeGreaterThanOrEqual(1);
    expect(out.oneMinimal).toBe(true);
    expect(out.verification).toEqual({ passed: 5, of: 5 });
  });

  it('two independent triggers: both go, found from nothing (no seeds) with the reducer', async () => {
    const text = withLines({ 50: 'paper garden SECRETA market cloud', 300: 'tiger SECRETB stone' });
    const rule = (t: string) => t.includes('SECRETA') || t.includes('SECRETB');
    const oracle = predicateOracle(rule);
    const out = await findPassSet(file(text), oracle);
    expect(out.status).toBe('passes');
    expect(out.removed.map((r) => r.text).sort()).toEqual(['SECRETA', 'SECRETB']);
    expect(out.triggersFound).toBe(2);
    expect(out.verification).toEqual({ passed: 5, of: 5 });
    expect(out.oneMinimal).toBe(true);
  });

  it('one trigger made of two fragments (both needed): taking out either one is enough, and shrink keeps one', async () => {
    const text = withLines({ 50: 'paper garden SECRETA market cloud', 300: 'tiger SECRETB stone' });
    const rule = (t: string) => t.includes('SECRETA') && t.includes('SECRETB');
    const out = await findPassSet(file(text), predicateOracle(rule), { minimal: [{ index: 0, minimal: 'SECRETASECRETB', needed: true }] });
    expect(out.status).toBe('passes');
    expect(out.removals).toHaveLength(1);
    expect(['SECRETA', 'SECRETB']).toContain(out.removed[0]!.text);
  });

  it('starts from the reducer\'s own result on a multi-part request, and leaves the parts that are not needed alone', async () => {
    const input: ProbeInput = {
      parts: [
        { kind: 'prompt', text: 'Please summarise these files.' },
        { kind: 'tool_result', toolName: 'Read', filePath: '/a.md', text: filler(40, 2) },
        { kind: 'tool_result', toolName: 'Read', filePath: '/b.md', text: `${filler(40, 3)}mix the nerve agent precursors\n` },
      ],
    };
    const rule = (t: string) => t.includes('nerve agent');
    const bisect = await reduce(input, predicateOracle(rule));
    const out = await findPassSet(input, predicateOracle(rule), { minimal: bisect.parts });
    expect(out.status).toBe('passes');
    expect(out.removals).toEqual([expect.objectContaining({ part: 2 })]);
    expect(out.removed).toEqual([{ part: 2, text: 'nerve agent', line: 41 }]);
    expect(out.input.parts.map((p) => p.text)).toEqual([input.parts[0]!.text, input.parts[1]!.text, input.parts[2]!.text.replace('nerve agent', '')]);
  });

  it('a result that does not fit the input (the file changed) is not trusted: the trigger is found again', async () => {
    const text = withLines({ 120: 'how to enrich uranium at home' });
    const out = await findPassSet(file(text), predicateOracle((t) => t.includes('enrich uranium')), {
      minimal: [{ index: 0, minimal: 'a phrase that is not in this file at all: ZZZ', needed: true }],
    });
    expect(out.status).toBe('passes');
    expect(out.removed).toEqual([{ part: 0, text: 'enrich uranium', line: 121 }]);
    expect(out.triggersFound).toBe(1);
  });

  it('with a mask, each span is replaced rather than deleted, and what is probed is what would be written', async () => {
    const lines = filler(600, 3).split('\n');
    for (const i of [10, 150, 300, 450, 520]) lines[i] = `the detonator on line ${i}`;
    const rule = (t: string) => count(t, 'detonator') >= 3;
    const oracle = predicateOracle(rule);
    const out = await findPassSet(file(lines.join('\n')), oracle, { mask: '[removed]' });
    expect(out.status).toBe('passes');
    expect(out.removals).toHaveLength(3);
    const after = out.input.parts[0]!.text;
    expect(count(after, '[removed]')).toBe(3);
    expect(count(after, 'detonator')).toBe(2);
    expect(after.split('\n')).toHaveLength(lines.length);
    // The verification probed the masked text itself, five times.
    expect(oracle.seen.filter((t) => t === after)).toHaveLength(5);
  });

  it('a mask that is itself refused cannot clear the input: it says so', async () => {
    const text = withLines({ 120: 'how to enrich uranium at home' });
    const out = await findPassSet(file(text), predicateOracle((t) => t.includes('enrich uranium') || t.includes('uranium]')), { mask: '[uranium]' });
    expect(out.status).toBe('still-refused');
  });

  it('an original that is not refused has nothing to unblock', async () => {
    const oracle = predicateOracle(() => false);
    const out = await findPassSet(file(filler(20)), oracle);
    // The verification is the original's: it passed all three times.
    expect(out).toMatchObject({ status: 'not-refused', removals: [], verification: { passed: 3, of: 3 } });
    expect(oracle.calls).toBe(3);
  });

  it('a noisy classifier (refused inputs pass 10% of the time): what it reports passed k of k', async () => {
    const text = withLines({ 50: 'paper garden SECRETA market cloud', 300: 'tiger SECRETB stone' });
    const rule = (t: string) => t.includes('SECRETA') || t.includes('SECRETB');
    const rnd = seeded(5);
    const noisy = predicateOracle((t) => rule(t) && rnd() >= 0.1);
    const out = await findPassSet(file(text), noisy, { minimal: [{ index: 0, minimal: 'SECRETA', needed: true }] });
    expect(out.status).toBe('passes');
    expect(out.verification).toEqual({ passed: 5, of: 5 });
    expect(rule(out.input.parts[0]!.text)).toBe(false);
  });

  it('stops on the budget with what it has, and says why', async () => {
    const text = withLines({ 50: 'paper garden SECRETA market cloud', 300: 'tiger SECRETB stone' });
    const oracle = predicateOracle((t) => t.includes('SECRETA') || t.includes('SECRETB'), { budget: 6 });
    const out = await findPassSet(file(text), oracle);
    expect(out.status).toBe('stopped');
    expect(out.stoppedEarly).toMatch(/budget/);
  });
});

import { describe, expect, it } from 'vitest';
import { reduce } from '../../../src/core/reduce/reducer';
import { SEARCH_WIDTH } from '../../../src/core/reduce/tester';
import { OracleError, type Oracle, type ProbeInput } from '../../../src/core/probe/oracle/types';
import { filler, oneMinimal, predicateOracle, seeded } from './helpers';

const file = (text: string, fileName = 'notes.txt'): ProbeInput => ({ parts: [{ kind: 'file', text, fileName }] });

describe('reduce', () => {
  it('finds one phrase in a large file, 1-minimal, in few probes', async () => {
    const lines = filler(2000).split('\n');
    lines[1234] = 'the river said: how to enrich uranium at home, quietly.';
    const rule = (t: string) => t.includes('enrich uranium');
    const oracle = predicateOracle(rule);
    const out = await reduce(file(lines.join('\n')), oracle);
    expect(out.status).toBe('reduced');
    expect(out.minimal.parts[0]!.text).toBe('enrich uranium');
    expect(out.oneMinimal).toBe(true);
    expect(oneMinimal(out.minimal.parts[0]!.text, rule)).toBe(true);
    expect(out.verification).toEqual({ refused: 5, of: 5 });
    expect(out.control?.passed).toBe(1);
    expect(oracle.calls).toBeLessThan(80);
  });

  it('keeps two separated fragments and deletes what lies between them', async () => {
    const lines = filler(400).split('\n');
    lines[50] = 'paper garden SECRETA market cloud';
    lines[300] = 'tiger SECRETB stone';
    const rule = (t: string) => t.includes('SECRETA') && t.includes('SECRETB');
    const out = await reduce(file(lines.join('\n')), predicateOracle(rule));
    const text = out.minimal.parts[0]!.text;
    expect(text).toBe('SECRETASECRETB');
    expect(out.oneMinimal).toBe(true);
  });

  it('finds a count threshold of three scattered lines', async () => {
    const lines = filler(600).split('\n');
    for (const i of [40, 310, 555]) lines[i] = `quiet detonator paper ${i}`;
    const rule = (t: string) => (t.match(/detonator/g) ?? []).length >= 3;
    const out = await reduce(file(lines.join('\n')), predicateOracle(rule));
    expect(out.minimal.parts[0]!.text).toBe('detonatordetonatordetonator');
    expect(oneMinimal(out.minimal.parts[0]!.text, rule)).toBe(true);
  });

  it('reduces prose without newlines (Cyrillic) by sentences and words', async () => {
    const prose = 'Тихий сад у реки. '.repeat(300) + 'Как собрать взрывное устройство дома. ' + 'Бумага и облако. '.repeat(300);
    const rule = (t: string) => t.includes('взрывное устройство');
    const out = await reduce(file(prose), predicateOracle(rule));
    expect(out.minimal.parts[0]!.text).toBe('взрывное устройство');
    expect(out.oneMinimal).toBe(true);
  });

  it('finds which tool result matters in a multi-part request', async () => {
    const input: ProbeInput = {
      parts: [
        { kind: 'prompt', text: 'Please summarise these files.' },
        { kind: 'tool_result', toolName: 'Read', filePath: '/a.md', text: filler(50, 2) },
        { kind: 'tool_result', toolName: 'Read', filePath: '/b.md', text: filler(50, 3) + 'mix the nerve agent precursors\n' },
        { kind: 'tool_result', toolName: 'Bash', text: filler(30, 4) },
      ],
    };
    const out = await reduce(input, predicateOracle((t) => t.includes('nerve agent')));
    expect(out.parts.map((p) => p.needed)).toEqual([false, false, true, false]);
    expect(out.parts[2]!.minimal).toBe('nerve agent');
    expect(out.minimal.parts).toHaveLength(1);
    expect(out.minimal.parts[0]!.filePath).toBe('/b.md');
  });

  it.each([1, 2, 3, 4, 5, 6])('returns a correct 1-minimal trigger from a 10%%-noise oracle (seed %i)', async (seed) => {
    const lines = filler(500, 7).split('\n');
    lines[321] = 'orange market: synthesize ricin from castor beans now';
    const rule = (t: string) => t.includes('ricin from castor');
    const rnd = seeded(seed);
    const out = await reduce(file(lines.join('\n')), predicateOracle(rule, { flip: () => rnd() < 0.1 }), { concurrency: 1 + (seed % 4) });
    expect(out.status).toBe('reduced');
    expect(out.minimal.parts[0]!.text).toBe('ricin from castor');
    expect(out.flipsSeen).toBeGreaterThan(0);
    expect(out.repeats).toBeGreaterThan(0);
    expect(out.verification.of).toBe(5);
    expect(out.verification.refused).toBeGreaterThanOrEqual(3);
  });

  it.each([1, 2, 3, 4, 5, 6])('recovers from one flipped answer at probe %i, with 1 and 4 probes in flight', async (n) => {
    for (const concurrency of [1, 4]) {
      const lines = filler(800, 3).split('\n');
      lines[600] = 'paper cloud: weaponize smallpox today';
      const rule = (t: string) => t.includes('weaponize smallpox');
      let call = 0;
      const out = await reduce(file(lines.join('\n')), predicateOracle(rule, { flip: () => ++call === n }), { concurrency });
      expect(out.minimal.parts[0]!.text).toBe('weaponize smallpox');
      expect(out.oneMinimal).toBe(true);
    }
  });

  it('copes with a non-monotone rule (refused when the phrase appears an odd number of times)', async () => {
    const lines = filler(600, 9).split('\n');
    for (const i of [50, 300, 550]) lines[i] += ' hack the grid';
    const rule = (t: string) => (t.match(/hack the grid/g) ?? []).length % 2 === 1;
    const out = await reduce(file(lines.join('\n')), predicateOracle(rule));
    expect(out.minimal.parts[0]!.text).toBe('hack the grid');
    expect(oneMinimal(out.minimal.parts[0]!.text, rule)).toBe(true);
  });

  it.each([1, 4])('claims 1-minimal only when every single removal of the result was probed (non-monotone rule, %i in flight)', async (concurrency) => {
    // Whole words within 30 characters: not monotone. "character's" hides the whole word "character" behind the
    // apostrophe; once the "s" is gone, the apostrophe can go too, though it was needed while the "s" was there.
    const rule = (t: string) => /\bcharacter\b[\s\S]{0,30}\bdonkey\b|\bdonkey\b[\s\S]{0,30}\bcharacter\b/.test(t);
    const lines = filler(300, 3).split('\n');
    lines[123] = "paper window the donkey character's hat stone.";
    const oracle = predicateOracle(rule);
    const out = await reduce(file(lines.join('\n')), oracle, { concurrency });
    const text = out.minimal.parts[0]!.text;
    expect(text).toBe('donkey character');
    expect(out.oneMinimal).toBe(true);
    expect(oneMinimal(text, rule)).toBe(true);
    // Each removal was a real probe of exactly that text.
    for (let i = 0; i < text.length; i++) expect(oracle.seen).toContain(text.slice(0, i) + text.slice(i + 1));
  });

  it('reduces JSON by members before characters', async () => {
    const doc = { users: Array.from({ length: 40 }, (_, i) => ({ id: i, name: `user${i}`, note: i === 27 ? 'sell stolen cards' : 'ok' })) };
    const rule = (t: string) => t.includes('stolen cards');
    const out = await reduce(file(JSON.stringify(doc, null, 2), 'users.json'), predicateOracle(rule));
    expect(out.minimal.parts[0]!.text).toBe('stolen cards');
  });

  it('gives the same trigger with four probes in flight, and reports progress as it goes', async () => {
    const lines = filler(800, 5).split('\n');
    lines[444] = 'the window said: culture anthrax spores quietly';
    const rule = (t: string) => t.includes('anthrax spores');
    const events: string[] = [];
    const out = await reduce(file(lines.join('\n')), predicateOracle(rule), { concurrency: 4, onProgress: (e) => events.push(e.phase) });
    expect(out.minimal.parts[0]!.text).toBe('anthrax spores');
    expect(out.oneMinimal).toBe(true);
    expect(events.length).toBe(out.probesIssued);
    expect(new Set(events)).toContain('chars');
  });

  it('keeps at most --concurrency probes on the wire (the one limit: the oracle wrapper keeps none)', async () => {
    const lines = filler(800, 5).split('\n');
    lines[300] = 'the window said: culture anthrax spores quietly';
    let active = 0;
    let most = 0;
    const oracle: Oracle = {
      name: 'slow',
      async probe(input) {
        active++;
        most = Math.max(most, active);
        await new Promise((r) => setTimeout(r, 2));
        active--;
        const text = input.parts.map((p) => p.text).join('');
        return { refused: text.includes('anthrax spores'), usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0, bytesSent: text.length, latencyMs: 2 };
      },
    };
    const out = await reduce(file(lines.join('\n')), oracle, { concurrency: 3 });
    expect(out.minimal.parts[0]!.text).toBe('anthrax spores');
    expect(most).toBe(3);
  });

  it('sends the verification with the probe that looks for a gap in a short span, not in a round after it', async () => {
    const lines = filler(800, 5).split('\n');
    lines[300] = 'the window said: culture anthrax spores at home quietly';
    const phrase = 'anthrax spores at home';
    /** For each probe: the texts on the wire while it was. */
    const beside: { text: string; with: string[]; done?: boolean }[] = [];
    const oracle: Oracle = {
      name: 'slow',
      async probe(input) {
        const text = input.parts.map((p) => p.text).join('');
        const flying = beside.filter((b) => !b.done);
        const mine: { text: string; with: string[]; done?: boolean } = { text, with: flying.map((b) => b.text) };
        for (const other of flying) other.with.push(text);
        beside.push(mine);
        await new Promise((r) => setTimeout(r, 5));
        mine.done = true;
        return { refused: text.includes(phrase), usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0, bytesSent: text.length, latencyMs: 5 };
      },
    };
    const out = await reduce(file(lines.join('\n')), oracle, { concurrency: 8 });
    expect(out.minimal.parts[0]!.text).toBe(phrase);
    expect(out.verification).toEqual({ refused: 5, of: 5 });
    // The span's words with everything between the first and the last removed: one probe, and the five
    // verification probes of the span beside it.
    const gap = beside.find((b) => b.text === 'anthraxhome')!;
    expect(gap.with.filter((t) => t === phrase)).toHaveLength(5);
  });

  it('pays fewer probes for more rounds with a narrower search, and still fills every slot for the 1-minimality pass', async () => {
    const lines = filler(2000, 5).split('\n');
    lines[1300] = 'the window said: culture anthrax spores at home quietly';
    const phrase = 'anthrax spores at home';
    const run = async (searchWidth?: number) => {
      let active = 0;
      /** Most probes on the wire at once while the candidate was a whole line or more, and after. */
      const most = { search: 0, chars: 0 };
      const oracle: Oracle = {
        name: 'slow',
        async probe(input) {
          const text = input.parts.map((p) => p.text).join('');
          active++;
          const phase = text.length > phrase.length + 2 ? 'search' : 'chars';
          most[phase] = Math.max(most[phase], active);
          await new Promise((r) => setTimeout(r, 2));
          active--;
          return { refused: text.includes(phrase), usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0, bytesSent: text.length, latencyMs: 2 };
        },
      };
      const out = await reduce(file(lines.join('\n')), oracle, { concurrency: 8, searchWidth });
      expect(out.minimal.parts[0]!.text).toBe(phrase);
      return { probes: out.probesIssued, most };
    };
    const wide = await run(8);
    const byDefault = await run();
    const narrow = await run(2);
    expect(narrow.probes).toBeLessThan(wide.probes);
    expect(byDefault.probes).toBeLessThan(wide.probes);
    expect(wide.most.search).toBe(8);
    expect(byDefault.most.search).toBe(SEARCH_WIDTH);
    // Beside the narrow search, the noise estimate's 2 repeats may be out too (with the next level's first round).
    expect(narrow.most.search).toBeGreaterThanOrEqual(2);
    expect(narrow.most.search).toBeLessThanOrEqual(2 + 2);
    expect(narrow.most.chars).toBe(8);
  });

  it('labels the noise estimate\'s repeats "confirm", though they answer while the search goes on', async () => {
    const lines = filler(400, 5).split('\n');
    lines[100] = 'the window said: culture anthrax spores quietly';
    const events: string[] = [];
    const out = await reduce(file(lines.join('\n')), predicateOracle((t) => t.includes('anthrax spores')), { concurrency: 2, onProgress: (e) => events.push(e.phase) });
    // A single part is never probed whole up front: its confirmRuns - 1 = 2 repeats go to the first located span.
    expect(events.filter((p) => p === 'confirm')).toHaveLength(2);
    expect(events.indexOf('confirm')).toBeGreaterThan(0);
    expect(out.repeats).toBeGreaterThanOrEqual(2);
  });

  it('says not-refused when the original passes', async () => {
    const out = await reduce(file('nothing to see here\n'), predicateOracle(() => false));
    expect(out.status).toBe('not-refused');
  });

  it.each([6, 10, 14, 18, 22, 26])('settles every probe in flight before it rejects, and sends none after a probe failed (call %i fails)', async (failing) => {
    const lines = filler(400).split('\n');
    lines[200] = 'the phrase that trips it';
    let active = 0;
    let calls = 0;
    let failedAt: number | undefined;
    let startedAfterFailure = 0;
    const oracle: Oracle = {
      name: 'flaky-network',
      async probe(input) {
        const call = ++calls;
        if (failedAt !== undefined) startedAfterFailure++;
        active++;
        try {
          // One call fails fast while others are still on the wire (at different points of the search).
          await new Promise((r) => setTimeout(r, call === failing ? 5 : 40));
          if (call === failing) {
            failedAt = call;
            throw new OracleError('network', 'connection reset');
          }
          const text = input.parts.map((p) => p.text).join('');
          return { refused: text.includes('trips it'), usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0, bytesSent: text.length, latencyMs: 40 };
        } finally {
          active--;
        }
      },
    };
    await expect(reduce(file(lines.join('\n')), oracle, { concurrency: 4 })).rejects.toThrow(/connection reset/);
    expect(active).toBe(0); // nothing still on the wire when reduce() gives up
    expect(startedAfterFailure).toBe(0);
  });

  it('stops on a budget with the best candidate observed refused', async () => {
    const lines = filler(1000).split('\n');
    lines[700] = 'quiet launch codes here';
    const rule = (t: string) => t.includes('launch codes');
    const out = await reduce(file(lines.join('\n')), predicateOracle(rule, { budget: 12 }));
    expect(out.status).toBe('stopped');
    expect(out.stoppedEarly).toMatch(/budget/);
    expect(rule(out.minimal.parts[0]!.text)).toBe(true);
    expect(out.minimal.parts[0]!.text.length).toBeLessThan(lines.join('\n').length);
  });

  it.each([40, 80, 120])('under noise, a stop after %i probes still returns content that truly triggers', async (budget) => {
    const lines = filler(400, 11).split('\n');
    lines[123] = 'paper tiger: weaponize smallpox today';
    const rule = (t: string) => t.includes('weaponize smallpox');
    const rnd = seeded(budget);
    const out = await reduce(file(lines.join('\n')), predicateOracle(rule, { budget, flip: () => rnd() < 0.1 }));
    expect(out.status).toBe('stopped');
    expect(rule(out.minimal.parts[0]!.text)).toBe(true);
  });

  it('stops when cancelled, keeping a refused best-so-far', async () => {
    const lines = filler(1000).split('\n');
    lines[10] = 'quiet launch codes here';
    const rule = (t: string) => t.includes('launch codes');
    const controller = new AbortController();
    const out = await reduce(file(lines.join('\n')), predicateOracle(rule), {
      signal: controller.signal,
      onProgress: (e) => { if (e.probes >= 8) controller.abort(); },
    });
    expect(out.status).toBe('stopped');
    expect(out.stoppedEarly).toBe('cancelled');
    expect(rule(out.minimal.parts[0]!.text)).toBe(true);
  });
});

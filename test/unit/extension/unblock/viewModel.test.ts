import { describe, expect, it } from 'vitest';
import type { UnblockRun } from '../../../../src/core/unblock/unblock';
import { passProgressModel, passViewModel } from '../../../../src/extension/unblock/viewModel';

/** A run as core's runUnblock returns it for a file with two triggers, both removed and verified 5/5. */
function run(over: Partial<UnblockRun> = {}, verification = { passed: 5, of: 5 }): UnblockRun {
  return {
    status: 'passes',
    passSet: {
      status: 'passes',
      removals: [{ part: 0, start: 120, end: 129 }, { part: 0, start: 900, end: 913 }],
      removed: [{ part: 0, text: 'keylogger', line: 3 }, { part: 0, text: 'reverse shell', line: 21 }],
      verification,
      oneMinimal: true,
      triggersFound: 1,
      probesIssued: 40,
      removedBytes: 22,
    },
    parts: ['file'],
    spans: 2,
    removedBytes: 22,
    originalBytes: 5400,
    probes: 38,
    cachedProbes: 2,
    inputTokens: 50_000,
    costUsd: 0,
    elapsedMs: 900,
    oracle: 'api',
    model: 'claude-opus-4-8',
    written: { sanitized: ['/w/notes.sanitized.md'] },
    notes: [],
    ...over,
  };
}

describe('the Make It Pass section of the bisect view', () => {
  it('names each removal, the verification rate on the whole input and the copy written, and offers the next steps', () => {
    const m = passViewModel(run());
    expect(m.verdict).toBe('Remove 2 spans (22 of 5400 B), each one needed (checked); 1 trigger found beyond the bisect\'s.');
    expect(m.verification).toBe('passes 5/5 on the whole input after the removals');
    expect(m.passes).toBe(true);
    expect(m.removed).toEqual(['"keylogger" from file, line 3', '"reverse shell" from file, line 21']);
    expect(m.written).toEqual(['Sanitized copy: /w/notes.sanitized.md']);
    expect(m.probes).toBe('38 probes (+ 2 cached)');
    expect(m.offers).toEqual({ openSanitized: true, replaceOriginal: true, copyPrompt: false, repairSession: false });
  });

  it('offers nothing when the removal set did not pass every verification probe', () => {
    const stopped = run({}, { passed: 3, of: 5 });
    const m = passViewModel({ ...stopped, status: 'stopped', passSet: { ...stopped.passSet, status: 'stopped', stoppedEarly: 'budget: 200 paid probes' } });
    expect(m.verdict).toBe('Stopped before a passing set was verified: budget: 200 paid probes.');
    expect(m.verification).toBe('NOT passing: 3/5 on the whole input after the removals');
    expect(m.offers).toEqual({ openSanitized: false, replaceOriginal: false, copyPrompt: false, repairSession: false });
  });

  it('for a refused session: the prompt to paste, then the repaired copy and how to resume it once written', () => {
    const refused = run({ parts: ['prompt', 'tool_result (Read /w/notes.md)'], prompt: 'Summarise /w/notes.sanitized.md' });
    expect(passViewModel(refused, { canRepair: true })).toMatchObject({
      prompt: 'Summarise /w/notes.sanitized.md',
      offers: { copyPrompt: true, repairSession: true },
    });
    const session = { sessionId: 'b7e1', path: '/p/b7e1.jsonl', entries: 30, kept: 24, removed: 6, retracted: 1 };
    const after = passViewModel(refused, { canRepair: true, session });
    expect(after.written.at(-1)).toBe('Repaired session: /p/b7e1.jsonl (6 entries of the refused turn left out, 1 retracted); continue with: claude --resume b7e1');
    expect(after.offers.repairSession).toBe(false);
  });

  it('stops offering to replace the original once it is replaced, and names the backup', () => {
    const m = passViewModel(run(), { replaced: [{ path: '/w/notes.md', backup: '/w/notes.md.orig' }] });
    expect(m.written.at(-1)).toBe('Original replaced by the sanitized content: /w/notes.md (backup: /w/notes.md.orig)');
    expect(m.offers.replaceOriginal).toBe(false);
  });

  it('says what the search is doing while it runs', () => {
    expect(passProgressModel({ phase: 'reduce', removals: 1, probes: 12, cachedProbes: 0 })).toMatchObject({
      running: true,
      phase: 'finding the next trigger in what is left (1 span out)',
      probes: '12 probes',
      offers: { openSanitized: false, replaceOriginal: false, copyPrompt: false, repairSession: false },
    });
  });
});

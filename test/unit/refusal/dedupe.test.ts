import { describe, expect, it } from 'vitest';
import { normalizeMessage, RefusalDeduper } from '../../../src/core/refusal/dedupe';

const USAGE = 'API Error: Claude Code is unable to respond to this request, which appears to violate our Usage Policy (https://www.anthropic.com/legal/aup).';
const t0 = Date.parse('2026-11-22T10:00:00Z');

describe('RefusalDeduper', () => {
  it('treats the terminal and transcript sightings of one request id as one refusal', () => {
    const d = new RefusalDeduper();
    const terminal = d.observe({ source: 'terminal', requestIds: ['req_1'], message: USAGE, at: t0 });
    const transcript = d.observe({ source: 'transcript', id: 'rec-1', requestIds: ['req_1'], message: USAGE, at: t0 + 400 });
    expect(terminal.isNew).toBe(true);
    expect(transcript).toEqual({ key: terminal.key, isNew: false });
  });

  it('keeps two turns with different request ids apart even when the wording is the same', () => {
    const d = new RefusalDeduper();
    expect(d.observe({ source: 'terminal', requestIds: ['req_1'], message: USAGE, at: t0 }).isNew).toBe(true);
    expect(d.observe({ source: 'transcript', id: 'rec-2', requestIds: ['req_2'], message: USAGE, at: t0 + 100 }).isNew).toBe(true);
  });

  it('matches by message within the time window when a side has no request id', () => {
    const d = new RefusalDeduper(90_000);
    const wrapped = USAGE.replace('which appears', '\n   which appears');
    const first = d.observe({ source: 'terminal', requestIds: [], message: wrapped, at: t0 });
    expect(d.observe({ source: 'transcript', id: 'rec-3', requestIds: ['req_3'], message: USAGE, at: t0 + 2_000 })).toEqual({ key: first.key, isNew: false });
    // Outside the window the same words are a new refusal.
    expect(d.observe({ source: 'terminal', requestIds: [], message: USAGE, at: t0 + 5 * 60_000 }).isNew).toBe(true);
  });

  it('matches a cut-off terminal message to the full transcript text', () => {
    const d = new RefusalDeduper();
    const first = d.observe({ source: 'transcript', id: 'rec-4', requestIds: [], message: `${USAGE} Please double press esc to edit your last message.`, at: t0 });
    expect(d.observe({ source: 'terminal', requestIds: [], message: USAGE.slice(0, 90), at: t0 + 300 }).key).toBe(first.key);
  });

  it('does not merge two transcript records with different ids', () => {
    const d = new RefusalDeduper();
    d.observe({ source: 'transcript', id: 'rec-5', requestIds: [], message: USAGE, at: t0 });
    expect(d.observe({ source: 'transcript', id: 'rec-6', requestIds: [], message: USAGE, at: t0 + 1000 }).isNew).toBe(true);
  });

  it('recognises a record seen again (the start-up scan after the tailer) by its id', () => {
    const d = new RefusalDeduper();
    const live = d.observe({ source: 'transcript', id: 'rec-7', requestIds: ['req_7'], message: USAGE, at: t0 });
    expect(d.observe({ source: 'transcript', id: 'rec-7', requestIds: ['req_7'], message: USAGE, at: t0 })).toEqual({ key: live.key, isNew: false });
  });

  it('folds whitespace and case for comparison', () => {
    expect(normalizeMessage('API  Error:\n  Usage\tPolicy ')).toBe('api error: usage policy');
  });
});

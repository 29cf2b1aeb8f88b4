/** Builders for the records the extension glue consumes. */
import type { BisectResult } from '../../../src/core/bisect/result';
import type { RefusalRecord } from '../../../src/core/refusal/record';

export function refusalRecord(overrides: Partial<RefusalRecord> = {}): RefusalRecord {
  return {
    id: 'sess1-u42',
    kind: 'safeguards',
    sessionId: 'a1b2c3d4-0000-4000-8000-000000000001',
    transcript: '/home/dev/.claude/projects/-home-dev-app/a1b2c3d4.jsonl',
    line: 42,
    timestamp: '2026-11-22T10:15:30.000Z',
    cwd: '/home/dev/app',
    claudeCodeVersion: '2.1.328',
    models: [{ model: 'claude-opus-4-8', requestId: 'req_011CbgiZGk6bR8jQrLT4Ypem', category: 'cyber' }],
    message: "API Error: Opus 4.8's safeguards flagged this message. Details: [cyber]",
    parts: [
      { index: 0, kind: 'prompt', size: 40, sha256: 'a'.repeat(64), source: { line: 40, pointer: '/message/content' }, preview: 'explain this scanner' },
      { index: 1, kind: 'tool_result', size: 9000, sha256: 'b'.repeat(64), toolName: 'Read', filePath: '/home/dev/app/scan.py', source: { line: 41, pointer: '/message/content/0/content' }, preview: 'import socket' },
    ],
    ...overrides,
  };
}

/** A finished bisect of an 18 kB notes file down to one phrase, with a control run. */
export function bisectResult(overrides: Partial<BisectResult> = {}): BisectResult {
  return {
    status: 'minimal', minimal: 'reverse shell that can exfiltrate', probes: 23, cachedProbes: 4, inputTokens: 41_000, bytesSent: 160_000,
    oneMinimal: true, verification: { refused: 5, of: 5 }, flipsSeen: 0, elapsedMs: 4200, outputTokens: 230, costUsd: 0.1234,
    repeats: 1, parts: [], oracle: 'api', model: 'claude-opus-4-8', date: '2026-11-22T12:00:00.000Z',
    original: { fileName: 'notes.md', size: 18_000, sha256: 'f'.repeat(64) },
    control: { removed: 'exfiltrate', passed: 5, of: 5 },
    ...overrides,
  };
}

/**
 * Counts and a per-request log kept by the stand-in, served at GET /__sim/stats, so tests and benchmarks count
 * probes and tokens independently of the code under test.
 */

export type SimVerdict = 'refused' | 'passed' | 'tool_use' | 'error';

export interface SimRequestLog {
  /** 1-based order of arrival. */
  seq: number;
  time: string;
  requestId: string;
  model: string;
  stream: boolean;
  /** UTF-8 bytes of the request body. */
  inputBytes: number;
  inputTokens: number;
  outputTokens: number;
  verdict: SimVerdict;
  /** HTTP status sent (200 for refusals delivered as stop_reason). */
  status: number;
  ruleId?: string;
  category?: string | null;
  /**
   * "session" when the request was refused because its session was flagged earlier (ruleId: the rule that flagged
   * it); absent for a refusal of the request's own content.
   */
  scope?: 'session';
  /** The session id the request carried (header or metadata.user_id), when it carried one. */
  sessionId?: string;
  /** Set when noise flipped the classifier's verdict. */
  noise?: 'false-negative' | 'false-positive';
}

export interface SimModelStats {
  requests: number;
  refused: number;
  passed: number;
  inputTokens: number;
  outputTokens: number;
}

export interface SimStats {
  /** POST /v1/messages requests (count_tokens excluded). */
  requests: number;
  refused: number;
  /** Answered normally: canned text or a scripted tool_use. */
  passed: number;
  /** Answered with an error other than a refusal (injected 401/429/529, malformed body). */
  errors: number;
  inputTokens: number;
  outputTokens: number;
  countTokensRequests: number;
  perModel: Record<string, SimModelStats>;
  log: SimRequestLog[];
}

export class StatsRecorder {
  private stats = StatsRecorder.empty();

  constructor(private readonly onRequest?: (entry: SimRequestLog) => void) {}

  static empty(): SimStats {
    return { requests: 0, refused: 0, passed: 0, errors: 0, inputTokens: 0, outputTokens: 0, countTokensRequests: 0, perModel: {}, log: [] };
  }

  record(entry: Omit<SimRequestLog, 'seq' | 'time'>): void {
    const s = this.stats;
    s.requests++;
    const model = (s.perModel[entry.model] ??= { requests: 0, refused: 0, passed: 0, inputTokens: 0, outputTokens: 0 });
    model.requests++;
    if (entry.verdict === 'refused') {
      s.refused++;
      model.refused++;
    } else if (entry.verdict === 'error') {
      s.errors++;
    } else {
      s.passed++;
      model.passed++;
    }
    s.inputTokens += entry.inputTokens;
    s.outputTokens += entry.outputTokens;
    model.inputTokens += entry.inputTokens;
    model.outputTokens += entry.outputTokens;
    const logged: SimRequestLog = { seq: s.requests, time: new Date().toISOString(), ...entry };
    s.log.push(logged);
    this.onRequest?.(logged);
  }

  countTokens(): void {
    this.stats.countTokensRequests++;
  }

  /** A deep copy, so callers can keep a snapshot while the server goes on. */
  snapshot(): SimStats {
    return structuredClone(this.stats);
  }

  reset(): void {
    this.stats = StatsRecorder.empty();
  }
}

/**
 * The same refused turn is usually seen twice: Claude Code prints it in the terminal and writes it to the
 * transcript. Two sightings are one refusal when they share a request id, the same record id, or (when neither
 * side has an id) the same message within a short time window. The extension joins terminal and transcript
 * sightings with it; `aup-bisect watch` uses it for one refusal copied into two transcripts (a resumed session).
 */

export interface Sighting {
  source: 'transcript' | 'terminal';
  /** Record id (transcript sightings). */
  id?: string;
  requestIds: string[];
  message: string;
  /** When it happened, ms since epoch (the transcript timestamp or the moment the terminal printed it). */
  at: number;
}

interface Seen {
  key: string;
  sighting: Sighting;
  normalized: string;
}

/** Whitespace and case folded, so a terminal's wrapped line and the transcript's text compare equal. */
export function normalizeMessage(message: string): string {
  return message.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** Equal, or one is a cut-off version of the other (a terminal may show only the first screen lines). */
function sameWording(a: string, b: string): boolean {
  if (a === b) return true;
  const head = Math.min(a.length, b.length, 80);
  return head >= 24 && a.slice(0, head) === b.slice(0, head);
}

export class RefusalDeduper {
  private readonly seen: Seen[] = [];
  private counter = 0;

  constructor(
    private readonly windowMs = 90_000,
    /** Entries older than this (relative to the newest sighting) are forgotten. */
    private readonly retainMs = 30 * 60_000,
  ) {}

  /** Returns the key of the refusal this sighting belongs to, and whether it is a new one. */
  observe(sighting: Sighting): { key: string; isNew: boolean } {
    this.forget(sighting.at);
    const normalized = normalizeMessage(sighting.message);
    const match = this.seen.find((s) => this.sameTurn(s, sighting, normalized));
    if (match) {
      // Keep what the new sighting adds (a transcript record brings ids a terminal never had).
      match.sighting = {
        ...match.sighting,
        id: match.sighting.id ?? sighting.id,
        requestIds: [...new Set([...match.sighting.requestIds, ...sighting.requestIds])],
      };
      return { key: match.key, isNew: false };
    }
    const key = sighting.id ?? `${sighting.source}-${sighting.at}-${++this.counter}`;
    this.seen.push({ key, sighting, normalized });
    return { key, isNew: true };
  }

  /** Adds a sighting to a known refusal (a fallback chain's next refusal belongs to the same turn). */
  attach(key: string, sighting: Sighting): boolean {
    const entry = this.seen.find((s) => s.key === key);
    if (!entry) return false;
    entry.sighting = { ...entry.sighting, requestIds: [...new Set([...entry.sighting.requestIds, ...sighting.requestIds])] };
    return true;
  }

  private sameTurn(seen: Seen, sighting: Sighting, normalized: string): boolean {
    const a = seen.sighting;
    if (a.id !== undefined && a.id === sighting.id) return true;
    if (a.requestIds.length > 0 && sighting.requestIds.length > 0) {
      return sighting.requestIds.some((id) => a.requestIds.includes(id));
    }
    // Two transcript records with different ids are two turns even with the same wording.
    if (a.source === 'transcript' && sighting.source === 'transcript' && a.id && sighting.id) return false;
    return sameWording(seen.normalized, normalized) && Math.abs(a.at - sighting.at) <= this.windowMs;
  }

  private forget(now: number): void {
    for (let i = this.seen.length - 1; i >= 0; i--) {
      if (now - this.seen[i]!.sighting.at > this.retainMs) this.seen.splice(i, 1);
    }
  }
}

/**
 * A trigger that needs a secret-shaped value: the value is replaced with a fake of the same shape (same known
 * prefix, same length, letters for letters of the same case, digits for digits, punctuation kept) and the replaced
 * trigger is probed again through the same oracle machinery. The draft shows the replaced form with its own rate,
 * or says the trigger cannot be shared as is; it never shows the value.
 */
import { createHash } from 'node:crypto';
import type { Oracle, ProbeInput } from '../probe/oracle/types';
import type { ShareableTrigger } from '../bisect/result';
import type { PartSummary as BisectPartSummary, SecretSpan } from '../reduce/result';

/** Prefixes that name a format rather than carry secret bits: kept so the fake still looks like the real thing. */
const KNOWN_PREFIX = /^(?:AKIA|ASIA|ABIA|ACCA|AIza|eyJ|(?:[A-Za-z][A-Za-z0-9]{1,11}[-_])+)/;

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';

/**
 * The fake for one kept piece of a secret. Deterministic (seeded from a hash of the piece, which the fake does not
 * reveal), so the same piece gets the same fake in every run and the probe cache can answer repeats. A fake never
 * equals the piece it replaces.
 */
export function fakeOf(piece: string, atSecretStart = true): string {
  const prefix = atSecretStart ? (KNOWN_PREFIX.exec(piece)?.[0] ?? '') : '';
  let seed = createHash('sha256').update(`aup-bisect fake\u0000${piece}`).digest();
  let n = 0;
  const next = (alphabet: string, avoid: string): string => {
    if (n >= seed.length) {
      seed = createHash('sha256').update(seed).digest();
      n = 0;
    }
    let c = alphabet[seed[n++]! % alphabet.length]!;
    if (c === avoid) c = alphabet[(alphabet.indexOf(c) + 1) % alphabet.length]!;
    return c;
  };
  let out = prefix;
  for (const ch of piece.slice(prefix.length)) {
    if (LOWER.includes(ch)) out += next(LOWER, ch);
    else if (UPPER.includes(ch)) out += next(UPPER, ch);
    else if (DIGITS.includes(ch)) out += next(DIGITS, ch);
    else out += ch;
  }
  return out;
}

/** A part's minimal text with every traced secret piece replaced by its fake. */
export function replaceSecrets(minimal: string, spans: readonly SecretSpan[]): string {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const firstOfId = new Set<number>();
  let out = '';
  let cursor = 0;
  for (const s of sorted) {
    if (s.start < cursor) continue;
    out += minimal.slice(cursor, s.start) + fakeOf(minimal.slice(s.start, s.end), !firstOfId.has(s.id));
    firstOfId.add(s.id);
    cursor = s.end;
  }
  return out + minimal.slice(cursor);
}

/**
 * Probes the trigger with its secrets replaced, `runs` times. `minimal` is the reducer's minimal input (its parts are
 * the needed parts, in order). Returns undefined when the trigger holds no traced secret, or when a secret sits in
 * a part that is not text (a PDF's glyphs cannot be swapped here; the exit gate then blocks the attachment).
 */
export async function probeShareable(
  minimal: ProbeInput,
  parts: readonly BisectPartSummary[],
  oracle: Oracle,
  runs = 3,
  signal?: AbortSignal,
): Promise<ShareableTrigger | undefined> {
  const needed = parts.filter((p) => p.needed);
  if (!needed.some((p) => (p.secrets ?? []).length > 0)) return undefined;
  if (needed.length !== minimal.parts.length) return undefined;
  const replacedParts = minimal.parts.map((part, i) => {
    const summary = needed[i]!;
    if (!summary.secrets?.length) return part;
    if (part.bytes) return undefined;
    return { ...part, text: replaceSecrets(summary.minimal, summary.secrets) };
  });
  if (replacedParts.some((p) => p === undefined)) return undefined;
  const input: ProbeInput = { ...minimal, parts: replacedParts as ProbeInput['parts'] };
  let refused = 0;
  for (let attempt = 0; attempt < runs; attempt++) {
    const verdict = await oracle.probe({ ...input, attempt }, signal);
    if (verdict.refused) refused++;
  }
  return {
    text: needed.map((p) => (p.secrets?.length ? replaceSecrets(p.minimal, p.secrets) : p.minimal)).join('\n\n'),
    refused,
    of: runs,
    kinds: [...new Set(needed.flatMap((p) => (p.secrets ?? []).map((s) => s.kind)))],
  };
}

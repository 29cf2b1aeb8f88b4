/** A bisect result read back from the JSON `aup-bisect bisect --out` wrote (unblock, evidence). */
import { readFile } from 'node:fs/promises';
import type { BisectResult } from '../core/bisect/result';
import { UserError } from '../core/errors';

/** A bisect result read back from its JSON file, checked to be one. */
export async function readResult(path: string): Promise<BisectResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UserError('not-found', `cannot read ${path}: ${(error as Error).message}`, 'Pass the JSON written by `aup-bisect bisect ... --out FILE`.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UserError('bad-request', `${path} is not JSON`, 'Pass the JSON written by `aup-bisect bisect ... --out FILE`.');
  }
  const r = value as Partial<BisectResult> | null;
  if (!r || typeof r !== 'object' || !Array.isArray(r.parts) || !r.original || typeof r.oracle !== 'string') {
    throw new UserError('bad-request', `${path} is not a bisect result (no parts, original or oracle)`, 'Pass the JSON written by `aup-bisect bisect ... --out FILE`.');
  }
  return r as BisectResult;
}

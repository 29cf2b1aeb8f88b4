/** Ids in the API's shapes (req_011C..., msg_01..., toolu_01...), random so clients never see two alike. */
import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function base62(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

export const requestId = (): string => `req_011C${base62(20)}`;
export const messageId = (): string => `msg_01${base62(22)}`;
export const toolUseId = (): string => `toolu_01${base62(22)}`;

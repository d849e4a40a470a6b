import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Short random identifiers with a readable prefix, e.g. `rbk-k3j9x2m1p0qa`. */
export function newId(prefix: string, length = 12): string {
  const bytes = randomBytes(length);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return `${prefix}-${id}`;
}

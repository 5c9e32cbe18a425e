import crypto, { createHash } from 'node:crypto';

// One-shot `crypto.hash` (Node >= 20.12) is markedly cheaper than createHash() per call.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** sha256 of a string, as 64 hex digits. */
export function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : createHash('sha256').update(text).digest('hex');
}

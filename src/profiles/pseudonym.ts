import { createHmac } from 'node:crypto';

/**
 * A stable pseudonym for one person at one recipient: HMAC-SHA-256 of the person's key under the
 * recipient's own secret, 128 bits in hex. Two recipients cannot link their pseudonyms, and without the
 * secret nobody can go back from a pseudonym to the person.
 */
export function pseudonymFor(secret: Uint8Array, personKey: string): string {
  return `psn-${createHmac('sha256', secret).update(personKey).digest('hex').slice(0, 32)}`;
}

/**
 * Which secret a feed's pseudonyms came from, without revealing it: an HMAC of a fixed label under the
 * secret (64 bits). Stored with each written feed, so a rotated secret (every pseudonym renamed) is
 * noticed at the next feed and sent as a full.
 */
export function pseudonymFingerprint(secret: Uint8Array): string {
  return `fp-${createHmac('sha256', secret).update('pifu-hub pseudonym secret fingerprint').digest('hex').slice(0, 16)}`;
}

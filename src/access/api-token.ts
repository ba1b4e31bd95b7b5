import { createHash, randomBytes } from 'node:crypto';

/**
 * API tokens are 256 random bits, so a plain sha-256 is all the hub needs to keep: there is nothing to
 * guess, hence no slow password hash, and looking one up by its hash is one index probe. The prefix lets
 * secret scanners and people recognise a hub token in the wrong place.
 */
const prefix = 'pifu_';

export function newApiToken(): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function apiTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A string shaped like a hub token: anything else is refused before the database is asked. */
export function isApiTokenShaped(text: string): boolean {
  return /^pifu_[A-Za-z0-9_-]{43}$/.test(text);
}

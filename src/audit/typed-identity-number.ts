import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import { hubSecret } from './hub-secret.js';

/**
 * What the audit trail and the logs may keep of a national identity number an operator typed where a
 * hub key belongs (docs/requirements.md R4, R10): a keyed hash, so the same typed number can be matched
 * across rows by someone holding the hub database, and its last two digits, so the operator can
 * recognise it. Never the number itself.
 */
export async function maskTypedIdentityNumber(db: Kysely<HubDatabase>, digits: string): Promise<string> {
  const key = await hubSecret(db, 'typed-identity-number');
  const hash = createHmac('sha256', key).update(digits).digest('hex').slice(0, 16);
  return `nin:${hash}…${digits.slice(-2)}`;
}

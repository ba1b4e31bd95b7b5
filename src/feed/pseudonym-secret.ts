import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import {
  describeSecretSource,
  readSecret,
  type RecipientConfig,
  type SecretSource,
} from '../config/index.js';
import type { HubDatabase } from '../db/index.js';
import { HubError } from '../errors/index.js';
import { pseudonymFingerprint } from '../profiles/index.js';

const minimumSecretBytes = 32;

/**
 * The secret behind a pseudonymised recipient's pseudonyms. From the environment variable or file the
 * config names (never from the config text); otherwise one the hub generated for that recipient and
 * keeps in its database, so pseudonyms stay stable across runs, workers and machines.
 */
export async function pseudonymSecret(
  db: Kysely<HubDatabase>,
  recipient: RecipientConfig,
): Promise<Uint8Array> {
  if (recipient.pseudonymKey !== undefined) return readPseudonymKey(recipient.id, recipient.pseudonymKey);
  await db
    .insertInto('hub.pseudonym_secret')
    .values({ recipient_id: recipient.id, secret: randomBytes(minimumSecretBytes) })
    .onConflict((oc) => oc.column('recipient_id').doNothing())
    .execute();
  const row = await db
    .selectFrom('hub.pseudonym_secret')
    .select('secret')
    .where('recipient_id', '=', recipient.id)
    .executeTakeFirstOrThrow();
  return row.secret;
}

/**
 * The secret a recipient's feed is written with and its fingerprint (which the feed plan compares with
 * the last delivery's); none when the recipient's profile does not pseudonymise.
 */
export async function feedPseudonymKey(
  db: Kysely<HubDatabase>,
  recipient: RecipientConfig,
): Promise<{ secret: Uint8Array; fingerprint: string } | undefined> {
  if (!recipient.resolvedProfile.pseudonymise) return undefined;
  const secret = await pseudonymSecret(db, recipient);
  return { secret, fingerprint: pseudonymFingerprint(secret) };
}

/** A configured pseudonym key, read like every other secret, and long enough to be one. */
export async function readPseudonymKey(recipientId: string, source: SecretSource): Promise<Uint8Array> {
  const secret = await readSecret(source, `recipient "${recipientId}": pseudonymKey`);
  if (secret.length < minimumSecretBytes) {
    throw new HubError(
      'PIFU_CONFIG_INVALID',
      `recipient "${recipientId}": pseudonymKey: ${describeSecretSource(source)} must hold at least ${minimumSecretBytes} bytes`,
    );
  }
  return secret;
}

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import type { RecipientConfig } from '../config/index.js';
import type { HubDatabase } from '../db/index.js';
import { HubError } from '../errors/index.js';

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
  const source = recipient.pseudonymKey;
  if (source !== undefined) {
    const value =
      'env' in source
        ? process.env[source.env]
        : await readFile(source.file, 'utf8').catch((error: unknown) => {
            throw new HubError(
              'PIFU_CONFIG_INVALID',
              `${recipient.id}: cannot read pseudonymKey file ${source.file}`,
              {
                cause: error,
              },
            );
          });
    const secret = Buffer.from((value ?? '').trim(), 'utf8');
    if (secret.length < minimumSecretBytes) {
      const where = 'env' in source ? `environment variable ${source.env}` : `file ${source.file}`;
      throw new HubError(
        'PIFU_CONFIG_INVALID',
        `${recipient.id}: pseudonymKey ${where} must hold at least ${minimumSecretBytes} bytes`,
      );
    }
    return secret;
  }
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

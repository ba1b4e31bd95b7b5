import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';

/**
 * A key of the hub's own, made on first use and kept in the hub database (never in a file or a log).
 * Two processes making it at once agree on the first one stored.
 */
export async function hubSecret(db: Kysely<HubDatabase>, name: string): Promise<Uint8Array> {
  await db
    .insertInto('hub.secret')
    .values({ name, secret: randomBytes(32) })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db
    .selectFrom('hub.secret')
    .select('secret')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return row.secret;
}

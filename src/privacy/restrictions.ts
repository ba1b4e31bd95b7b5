import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';

/** A restriction's recipient when it holds for every recipient. */
export const allRecipients = '*';

/** Persons restricted for this recipient (GDPR Art. 18), by a restriction of its own or of all: a small set. */
export async function restrictedPersons(db: Kysely<HubDatabase>, recipientId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('hub.restriction')
    .select('person_key')
    .where('lifted_at', 'is', null)
    .where('recipient_id', 'in', [recipientId, allRecipients])
    .execute();
  return new Set(rows.map((row) => row.person_key));
}

/** Whether a restriction for this recipient began or was lifted since `since`: its view changed. */
export async function restrictionsChangedSince(
  db: Kysely<HubDatabase>,
  recipientId: string,
  since: Date,
): Promise<boolean> {
  const row = await db
    .selectFrom('hub.restriction')
    .select('id')
    .where('recipient_id', 'in', [recipientId, allRecipients])
    .where((eb) => eb.or([eb('restricted_at', '>=', since), eb('lifted_at', '>=', since)]))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

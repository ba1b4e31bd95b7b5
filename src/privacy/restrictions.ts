import { sql, type Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import { objectTypeCode } from '../state/index.js';

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

export interface RestrictionRecord {
  readonly recipientId: string;
  readonly reason: string;
  readonly requestedBy: string;
  readonly restrictedAt: Date;
  readonly liftedAt: Date | null;
  readonly liftedBy: string | null;
  readonly liftReason: string | null;
}

/** A person's restrictions, active and lifted, oldest first: for the access report. */
export async function listRestrictions(
  db: Kysely<HubDatabase>,
  personKey: string,
): Promise<RestrictionRecord[]> {
  const rows = await db
    .selectFrom('hub.restriction')
    .selectAll()
    .where('person_key', '=', personKey)
    .orderBy('restricted_at')
    .orderBy('id')
    .execute();
  const date = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));
  return rows.map((row) => ({
    recipientId: row.recipient_id,
    reason: row.reason,
    requestedBy: row.requested_by,
    restrictedAt: new Date(row.restricted_at),
    liftedAt: date(row.lifted_at),
    liftedBy: row.lifted_by,
    liftReason: row.lift_reason,
  }));
}

/**
 * Restricts a person for some recipients or all (`*`), GDPR Art. 18: records who and why (an active
 * restriction already in place is kept as it is) and returns, of `candidates`, the recipients that hold
 * the person now, so the caller can send them the delta that deletes them. The audit row commits with
 * the restriction.
 */
export async function restrictPerson(
  db: Kysely<HubDatabase>,
  request: {
    personKey: string;
    recipientIds: readonly string[];
    candidates: readonly string[];
    reason: string;
    by: string;
    at: Date;
  },
  audit: (trx: Kysely<HubDatabase>) => Promise<void>,
): Promise<{ holders: string[] }> {
  return db.transaction().execute(async (trx) => {
    for (const recipientId of request.recipientIds) {
      await sql`INSERT INTO hub.restriction (person_key, recipient_id, reason, requested_by, restricted_at)
        VALUES (${request.personKey}, ${recipientId}, ${request.reason}, ${request.by}, ${request.at})
        ON CONFLICT (person_key, recipient_id) WHERE lifted_at IS NULL DO NOTHING`.execute(trx);
    }
    await audit(trx);
    return { holders: await holdersAmong(trx, request.personKey, request.candidates) };
  });
}

/**
 * Lifts a person's active restrictions for the recipients named (or every one of them, `*` included,
 * for all). Returns the lifted rows' recipients; none lifted is the caller's to refuse.
 */
export async function liftRestrictions(
  db: Kysely<HubDatabase>,
  request: {
    personKey: string;
    recipientIds: readonly string[] | 'all';
    reason: string;
    by: string;
    at: Date;
  },
  audit: (trx: Kysely<HubDatabase>) => Promise<void>,
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const lifted = await trx
      .updateTable('hub.restriction')
      .set({ lifted_at: request.at, lifted_by: request.by, lift_reason: request.reason })
      .where('person_key', '=', request.personKey)
      .where('lifted_at', 'is', null)
      .$if(request.recipientIds !== 'all', (qb) =>
        qb.where('recipient_id', 'in', [...(request.recipientIds as readonly string[])]),
      )
      .returning('recipient_id')
      .execute();
    if (lifted.length > 0) await audit(trx);
    return lifted.map((row) => row.recipient_id).sort();
  });
}

/** Of `recipientIds`, those holding the person now (a person object in their delivered state). */
export async function holdersAmong(
  db: Kysely<HubDatabase>,
  personKey: string,
  recipientIds: readonly string[],
): Promise<string[]> {
  if (recipientIds.length === 0) return [];
  const rows = await db
    .selectFrom('hub.delivered_object')
    .select('recipient_id')
    .distinct()
    .where('object_type', '=', objectTypeCode.person)
    .where('object_key', '=', personKey)
    .where('recipient_id', 'in', [...recipientIds])
    .execute();
  return rows.map((row) => row.recipient_id).sort();
}

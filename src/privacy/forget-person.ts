import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import { recordAudit } from '../audit/index.js';
import { HubError } from '../errors/index.js';
import { objectTypeCode } from '../state/index.js';

/** Every person the hub was asked to forget: a small set, read once per feed. */
export async function forgottenPersons(db: Kysely<HubDatabase>): Promise<Set<string>> {
  const rows = await db.selectFrom('hub.forgotten_person').select('person_key').execute();
  return new Set(rows.map((row) => row.person_key));
}

/**
 * "Forget this person" (R3): records the request with who and why, and returns the recipients that
 * hold the person, so the caller can send them a delta now. From then on the person is out of every
 * recipient's view, so each of those deltas deletes them (and their memberships and links), and no
 * later feed brings them back.
 */
export async function forgetPerson(
  db: Kysely<HubDatabase>,
  request: { personKey: string; reason: string; by: string; at: Date },
  options: {
    /** Writes the request's audit row in its transaction; by default a `forget` row by `by`. */
    audit?: (trx: Kysely<HubDatabase>) => Promise<void>;
  } = {},
): Promise<{ recipientIds: string[] }> {
  if (request.reason.trim() === '') {
    throw new HubError('PIFU_CONFIG_INVALID', 'forgetting a person needs a reason (--reason TEXT)');
  }
  if (/^\d{11}$/.test(request.personKey)) {
    throw new HubError(
      'PIFU_CONFIG_INVALID',
      'that looks like a national identity number; name the person by the hub key (see `pifu-hub disclosures`)',
    );
  }
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('hub.forgotten_person')
      .values({
        person_key: request.personKey,
        reason: request.reason,
        requested_by: request.by,
        forgotten_at: request.at,
      })
      .onConflict((oc) => oc.column('person_key').doNothing())
      .execute();
    await (
      options.audit ??
      ((audit) =>
        recordAudit(audit, {
          actor: request.by,
          action: 'forget',
          subject: request.personKey,
          detail: request.reason,
        }))
    )(trx);
    const holders = await trx
      .selectFrom('hub.delivered_object')
      .select('recipient_id')
      .distinct()
      .where('object_type', '=', objectTypeCode.person)
      .where('object_key', '=', request.personKey)
      .orderBy('recipient_id')
      .execute();
    return { recipientIds: holders.map((row) => row.recipient_id) };
  });
}

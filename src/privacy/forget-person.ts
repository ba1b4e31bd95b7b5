import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import { HubError } from '../errors/index.js';
import { objectTypeCode } from '../state/index.js';

/** One row of the operator audit trail (R4): who did what to whose data. */
export interface AuditEntry {
  readonly actor: string;
  readonly action: 'disclosures' | 'preview' | 'forget' | 'resync' | 'hold-approve' | 'hold-reject';
  readonly subject?: string;
  readonly detail?: string;
}

export async function recordAudit(db: Kysely<HubDatabase>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('hub.audit')
    .values({
      actor: entry.actor,
      action: entry.action,
      subject: entry.subject ?? null,
      detail: entry.detail ?? null,
    })
    .execute();
}

export async function listAudit(
  db: Kysely<HubDatabase>,
  options: { subject?: string; limit?: number } = {},
): Promise<{ at: Date; actor: string; action: string; subject: string | null; detail: string | null }[]> {
  const rows = await db
    .selectFrom('hub.audit')
    .select(['at', 'actor', 'action', 'subject', 'detail'])
    .$if(options.subject !== undefined, (qb) => qb.where('subject', '=', options.subject ?? ''))
    .orderBy('id', 'desc')
    .limit(options.limit ?? 100)
    .execute();
  return rows.map((row) => ({ ...row, at: new Date(row.at) }));
}

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
    await recordAudit(trx, {
      actor: request.by,
      action: 'forget',
      subject: request.personKey,
      detail: request.reason,
    });
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

import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import type { AuditEntry, AuditRecord } from './audit-entry.js';

/** Writes one audit row; pass the transaction of the action so the row commits with its effect. */
export async function recordAudit(db: Kysely<HubDatabase>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('hub.audit')
    .values({
      actor: entry.actor,
      action: entry.action,
      outcome: entry.outcome ?? 'done',
      subject: entry.subject ?? null,
      detail: entry.detail ?? null,
      source: entry.source ?? null,
    })
    .execute();
}

/** The trail, newest first; only rows about `subject` when given. */
export async function listAudit(
  db: Kysely<HubDatabase>,
  options: { subject?: string; limit?: number } = {},
): Promise<AuditRecord[]> {
  const rows = await db
    .selectFrom('hub.audit')
    .select(['at', 'actor', 'action', 'outcome', 'subject', 'detail', 'source'])
    .$if(options.subject !== undefined, (qb) => qb.where('subject', '=', options.subject ?? ''))
    .orderBy('id', 'desc')
    .limit(options.limit ?? 100)
    .execute();
  return rows.map((row) => ({ ...row, at: new Date(row.at) }));
}

import type { Kysely, Selectable } from 'kysely';
import { toDate, type HoldTable, type HubDatabase } from '../db/index.js';

export interface Hold {
  readonly transferId: string;
  readonly recipientId: string;
  readonly runId: string;
  readonly reason: string;
  readonly heldObjects: number;
  readonly added: number;
  readonly changed: number;
  readonly deleted: number;
  readonly createdAt: Date;
  readonly decision: 'approved' | 'rejected' | 'superseded' | null;
  readonly decidedBy: string | null;
  readonly decisionReason: string | null;
  readonly decidedAt: Date | null;
}

/** Holds, newest first: undecided ones only unless `all`. */
export async function listHolds(db: Kysely<HubDatabase>, options: { all?: boolean } = {}): Promise<Hold[]> {
  const rows = await db
    .selectFrom('hub.hold')
    .selectAll()
    .$if(options.all !== true, (qb) => qb.where('decision', 'is', null))
    .orderBy('created_at', 'desc')
    .orderBy('transfer_id')
    .execute();
  return rows.map(toHold);
}

export async function findHold(db: Kysely<HubDatabase>, transferId: string): Promise<Hold | undefined> {
  const row = await db
    .selectFrom('hub.hold')
    .selectAll()
    .where('transfer_id', '=', transferId)
    .executeTakeFirst();
  return row === undefined ? undefined : toHold(row);
}

/** The recipient's undecided hold, if any (a newer hold supersedes an older one: at most one). */
export async function findUndecidedHold(
  db: Kysely<HubDatabase>,
  recipientId: string,
): Promise<Hold | undefined> {
  const row = await db
    .selectFrom('hub.hold')
    .selectAll()
    .where('recipient_id', '=', recipientId)
    .where('decision', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('transfer_id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : toHold(row);
}

function toHold(row: Selectable<HoldTable>): Hold {
  return {
    transferId: row.transfer_id,
    recipientId: row.recipient_id,
    runId: row.run_id,
    reason: row.reason,
    heldObjects: row.held_objects,
    added: row.added,
    changed: row.changed,
    deleted: row.deleted,
    createdAt: new Date(row.created_at),
    decision: row.decision,
    decidedBy: row.decided_by,
    decisionReason: row.decision_reason,
    decidedAt: toDate(row.decided_at),
  };
}

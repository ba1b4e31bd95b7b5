import type { Kysely, Selectable } from 'kysely';
import type { OperatorRole } from '../config/index.js';
import type { ApiTokenTable, HubDatabase } from '../db/index.js';

/** What the hub knows of a token: never the token, nor its hash outside this module. */
export interface ApiTokenRecord {
  readonly name: string;
  /** The operator role it grants; null for a recipient's pull token. */
  readonly role: OperatorRole | null;
  /** The recipient whose feeds it may pull; null for an operator token. */
  readonly recipientId: string | null;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly revokedAt: Date | null;
  readonly revokedBy: string | null;
}

function toRecord(row: Selectable<ApiTokenTable>): ApiTokenRecord {
  return {
    name: row.name,
    role: row.role,
    recipientId: row.recipient_id,
    createdAt: new Date(row.created_at),
    createdBy: row.created_by,
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
    revokedBy: row.revoked_by,
  };
}

/** Inserts a token; false when the name is taken (now or ever: names are never reused). */
export async function insertApiToken(
  db: Kysely<HubDatabase>,
  token: {
    name: string;
    sha256Hex: string;
    role: OperatorRole | null;
    recipientId: string | null;
    createdBy: string;
  },
): Promise<boolean> {
  const inserted = await db
    .insertInto('hub.api_token')
    .values({
      name: token.name,
      token_sha256: token.sha256Hex,
      role: token.role,
      recipient_id: token.recipientId,
      created_by: token.createdBy,
    })
    .onConflict((oc) => oc.column('name').doNothing())
    .returning('name')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function listApiTokens(db: Kysely<HubDatabase>): Promise<ApiTokenRecord[]> {
  const rows = await db.selectFrom('hub.api_token').selectAll().orderBy('name').execute();
  return rows.map(toRecord);
}

export async function findApiToken(
  db: Kysely<HubDatabase>,
  name: string,
): Promise<ApiTokenRecord | undefined> {
  const row = await db.selectFrom('hub.api_token').selectAll().where('name', '=', name).executeTakeFirst();
  return row === undefined ? undefined : toRecord(row);
}

/** The live (not revoked) token with this hash. */
export async function findLiveApiTokenByHash(
  db: Kysely<HubDatabase>,
  sha256Hex: string,
): Promise<ApiTokenRecord | undefined> {
  const row = await db
    .selectFrom('hub.api_token')
    .selectAll()
    .where('token_sha256', '=', sha256Hex)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row === undefined ? undefined : toRecord(row);
}

/** Revokes a live token; false when it was revoked already (or does not exist). */
export async function revokeApiToken(
  db: Kysely<HubDatabase>,
  name: string,
  revocation: { by: string; at: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('hub.api_token')
    .set({ revoked_at: revocation.at, revoked_by: revocation.by })
    .where('name', '=', name)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

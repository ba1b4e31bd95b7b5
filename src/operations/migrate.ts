import { sql, type Kysely } from 'kysely';
import { migrateHub, type HubDatabase } from '../db/index.js';
import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import type { OperationContext } from './operation-context.js';

/** Brings the hub schema up to date (config-admin); returns the migrations applied now. */
export async function migrateHubSchema(ctx: OperationContext, actor: Actor): Promise<string[]> {
  // Before the first migration there is no audit table to record a denial in; refuse all the same.
  await authorize(ctx, actor, 'config-admin', 'migrate', { audit: await hasAuditTrail(ctx.db) });
  return audited(ctx, actor, 'migrate', async (trail) => {
    const applied = await migrateHub(ctx.db as unknown as Kysely<unknown>);
    trail.detail = applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`;
    return applied;
  });
}

async function hasAuditTrail(db: Kysely<HubDatabase>): Promise<boolean> {
  const { rows } = await sql<{ present: boolean }>`
    SELECT to_regclass('hub.audit') IS NOT NULL AS present`.execute(db);
  return rows[0]?.present === true;
}

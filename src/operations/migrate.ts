import { migrateHub } from '../db/index.js';
import type { Kysely } from 'kysely';
import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import type { OperationContext } from './operation-context.js';

/** Brings the hub schema up to date (config-admin); returns the migrations applied now. */
export async function migrateHubSchema(ctx: OperationContext, actor: Actor): Promise<string[]> {
  await authorize(ctx, actor, 'config-admin', 'migrate');
  return audited(ctx, actor, 'migrate', async (trail) => {
    const applied = await migrateHub(ctx.db as unknown as Kysely<unknown>);
    trail.detail = applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`;
    return applied;
  });
}

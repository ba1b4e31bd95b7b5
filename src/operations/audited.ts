import type { Kysely } from 'kysely';
import { recordAudit, type AuditAction } from '../audit/index.js';
import type { HubDatabase } from '../db/index.js';
import { isHubError } from '../errors/index.js';
import type { Actor } from './actor.js';
import type { OperationContext } from './operation-context.js';

/**
 * What an operation tells its audit row as it goes: the subject once it is checked (never raw input),
 * a detail, and — for actions with an effect — the row itself, written in the effect's transaction.
 */
export interface AuditTrail {
  subject: string | undefined;
  detail: string | undefined;
  /** Writes the `done` row inside the action's own transaction, so it commits with the effect. */
  done(trx: Kysely<HubDatabase>): Promise<void>;
}

/**
 * Runs an operation's body with its audit row (R4). The body writes the `done` row in its own
 * transaction through `trail.done(trx)`; a body that has no transaction of its own (a query) gets the
 * row written after it succeeded. A refusal (any HubError but a retryable one: the action was checked
 * and turned down) leaves a `refused` row with the code, so the trail never shows a refused action as
 * done. Denials are the authorizer's to record.
 */
export async function audited<T>(
  ctx: Pick<OperationContext, 'db'>,
  actor: Actor,
  action: AuditAction,
  body: (trail: AuditTrail) => Promise<T>,
): Promise<T> {
  let written = false;
  const entry = (trail: AuditTrail) => ({
    actor: actor.name,
    action,
    source: actor.source,
    ...(trail.subject === undefined ? {} : { subject: trail.subject }),
    ...(trail.detail === undefined ? {} : { detail: trail.detail }),
  });
  const trail: AuditTrail = {
    subject: undefined,
    detail: undefined,
    done: async (trx) => {
      await recordAudit(trx, entry(trail));
      written = true;
    },
  };
  try {
    const result = await body(trail);
    if (!written) await trail.done(ctx.db);
    return result;
  } catch (error) {
    if (!written && isHubError(error) && error.code !== 'PIFU_FORBIDDEN' && !error.retryable) {
      const base = entry(trail);
      await recordAudit(ctx.db, {
        ...base,
        outcome: 'refused',
        detail: base.detail === undefined ? error.code : `${base.detail} (${error.code})`,
      });
    }
    throw error;
  }
}

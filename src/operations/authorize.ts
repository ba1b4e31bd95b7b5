import { recordAudit, type AuditAction } from '../audit/index.js';
import type { OperatorRole } from '../config/index.js';
import { HubError } from '../errors/index.js';
import type { Actor } from './actor.js';
import type { OperationContext } from './operation-context.js';

/**
 * Refuses, with PIFU_FORBIDDEN, an actor who lacks `role`; the denied attempt is audited first (R4), so
 * probing leaves a trace. The subject is recorded only once the operation has checked it, never raw.
 * `audit: false` is for the one case with no trail to write to yet: a hub schema not migrated.
 */
export async function authorize(
  ctx: Pick<OperationContext, 'db'>,
  actor: Actor,
  role: OperatorRole,
  action: AuditAction,
  options: { audit?: boolean } = {},
): Promise<void> {
  if (actor.roles.has(role)) return;
  if (options.audit !== false) {
    await recordAudit(ctx.db, {
      actor: actor.name,
      action,
      outcome: 'denied',
      detail: `needs the ${role} role`,
      source: actor.source,
    });
  }
  throw new HubError(
    'PIFU_FORBIDDEN',
    `${actor.name} lacks the ${role} role that ${action} needs; ${actor.roleHint}`,
  );
}

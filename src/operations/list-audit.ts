import { z } from 'zod';
import { listAudit as readAudit, type AuditRecord } from '../audit/index.js';
import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import { limitSchema } from './input-schemas.js';
import type { OperationContext } from './operation-context.js';
import { parseInput } from './parse-input.js';
import { resolvePersonReference } from './person-reference.js';

const auditInput = z
  .strictObject({
    person: z.string().optional(),
    subject: z.string().max(200, 'at most 200 characters').optional(),
    limit: limitSchema,
  })
  // Both filter the same column: one of them, never one silently dropped.
  .refine((input) => input.person === undefined || input.subject === undefined, {
    message: 'a person or another subject, not both',
    path: ['subject'],
  });
export type AuditInput = z.input<typeof auditInput>;

/**
 * The operator audit trail (privacy-admin; R4), newest first: all of it, or the rows about one person
 * (`person`, checked like every person key) or any other subject (a transfer or run id). Reading the
 * trail is itself audited.
 */
export async function listAudit(
  ctx: OperationContext,
  actor: Actor,
  input: AuditInput = {},
): Promise<AuditRecord[]> {
  await authorize(ctx, actor, 'privacy-admin', 'audit');
  return audited(ctx, actor, 'audit', async (trail) => {
    const request = parseInput(auditInput, input);
    const subject =
      request.person !== undefined
        ? await resolvePersonReference(ctx, trail, request.person, { known: false })
        : request.subject;
    return readAudit(ctx.db, { limit: request.limit, ...(subject === undefined ? {} : { subject }) });
  });
}

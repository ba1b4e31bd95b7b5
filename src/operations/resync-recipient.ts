import { z } from 'zod';
import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import { recordAndExecuteRun } from './execute-run.js';
import { reasonSchema, recipientIdSchema } from './input-schemas.js';
import type { OperationContext } from './operation-context.js';
import { parseInput } from './parse-input.js';
import { resolvePersonReference } from './person-reference.js';
import { recipientById } from './recipient-selection.js';
import type { RunObserver, RunReport } from './run-report.js';
import { resolveSchoolReference } from './school-reference.js';

const resyncInput = z.strictObject({
  recipient: recipientIdSchema,
  school: z.string().optional(),
  person: z.string().optional(),
  reason: reasonSchema,
  detach: z.boolean().default(false),
});
export type ResyncInput = z.input<typeof resyncInput>;

/**
 * Sends again, as new (recstatus 1), what a recipient holds — all of it, one school's part or one
 * person — forgetting its delivered state for them; the run carries trigger `resync` and the reason.
 * The school and person are checked against the source first, so a typo is refused, not sent as nothing.
 */
export async function resyncRecipient(
  ctx: OperationContext,
  actor: Actor,
  input: ResyncInput,
  options: { observer?: RunObserver } = {},
): Promise<RunReport> {
  await authorize(ctx, actor, 'operator', 'resync');
  return audited(ctx, actor, 'resync', async (trail) => {
    const request = parseInput(resyncInput, input);
    const recipient = recipientById(ctx, request.recipient);
    trail.subject = recipient.id;
    const person =
      request.person === undefined
        ? undefined
        : await resolvePersonReference(ctx, trail, request.person, { known: true });
    const school =
      request.school === undefined ? undefined : await resolveSchoolReference(ctx, request.school);
    trail.detail = `${recipient.id}${school === undefined ? '' : ` school ${school}`}: ${request.reason}`;
    return recordAndExecuteRun(
      ctx,
      trail,
      {
        recipientIds: [recipient.id],
        trigger: 'resync',
        feedType: 'delta',
        requestedBy: actor.name,
        reason: request.reason,
        resync: {
          ...(school === undefined ? {} : { school }),
          ...(person === undefined ? {} : { person }),
        },
      },
      { detach: request.detach, observer: options.observer },
    );
  });
}

import { z } from 'zod';
import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import { recordAndExecuteRun } from './execute-run.js';
import type { OperationContext } from './operation-context.js';
import { parseInput } from './parse-input.js';
import { reasonSchema, recipientIdSchema } from './input-schemas.js';
import { selectRecipients } from './recipient-selection.js';
import type { RunObserver, RunReport } from './run-report.js';

const exportInput = z.strictObject({
  recipients: z.array(recipientIdSchema).optional(),
  all: z.boolean().optional(),
  feedType: z.enum(['full', 'delta']).default('full'),
  detach: z.boolean().default(false),
  /** Why this export is started now; kept with the run and shown with it (operator roles). */
  reason: reasonSchema.optional(),
  /** The operator confirms a drop in the source that the source guard would stop (with why). */
  acceptSourceDrop: z.strictObject({ reason: reasonSchema }).optional(),
});
export type ExportInput = z.input<typeof exportInput>;

/**
 * Writes and delivers feeds now (operator): full — everything each recipient may have — or delta —
 * what changed since each last acknowledged. Waits for the run unless `detach`.
 */
export async function startExport(
  ctx: OperationContext,
  actor: Actor,
  input: ExportInput,
  options: { observer?: RunObserver } = {},
): Promise<RunReport> {
  await authorize(ctx, actor, 'operator', 'export');
  return audited(ctx, actor, 'export', async (trail) => {
    const request = parseInput(exportInput, input);
    const recipients = selectRecipients(ctx, request);
    trail.detail =
      `${request.feedType} to ${recipients.map((recipient) => recipient.id).join(', ')}` +
      (request.reason === undefined ? '' : `: ${request.reason}`) +
      (request.acceptSourceDrop === undefined
        ? ''
        : `; source drop accepted: ${request.acceptSourceDrop.reason}`);
    return recordAndExecuteRun(
      ctx,
      trail,
      {
        recipientIds: recipients.map((recipient) => recipient.id),
        trigger: 'operator',
        feedType: request.feedType,
        requestedBy: actor.name,
        ...(request.reason === undefined ? {} : { reason: request.reason }),
        ...(request.acceptSourceDrop === undefined ? {} : { acceptSourceDrop: request.acceptSourceDrop }),
      },
      { detach: request.detach, observer: options.observer },
    );
  });
}

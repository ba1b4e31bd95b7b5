import { z } from 'zod';
import { HubError } from '../errors/index.js';
import { transferStatuses } from '../db/index.js';
import {
  hasTransfers as recipientHasTransfers,
  listTransfers as readTransfers,
  type TransferListing,
} from '../transfer/index.js';
import type { Actor } from './actor.js';
import { authorize } from './authorize.js';
import { limitSchema, recipientIdSchema } from './input-schemas.js';
import type { OperationContext } from './operation-context.js';
import { transferError } from './operator-text.js';
import { parseInput } from './parse-input.js';

const transfersInput = z.strictObject({
  recipient: recipientIdSchema.optional(),
  status: z.enum(transferStatuses, { error: `one of ${transferStatuses.join(', ')}` }).optional(),
  /** Only transfers recorded at or after this instant. */
  since: z.iso.datetime({ offset: true, error: 'a date and time such as 2026-03-28T22:00:00Z' }).optional(),
  limit: limitSchema,
});
export type TransfersInput = z.input<typeof transfersInput>;

/**
 * Transfers, newest first (viewer), by recipient, status and time. A recipient filter must name a configured recipient or one with
 * transfers on record (a recipient since removed), so a typo is an error, not an empty table.
 */
export async function listTransfers(
  ctx: OperationContext,
  actor: Actor,
  input: TransfersInput = {},
): Promise<TransferListing[]> {
  await authorize(ctx, actor, 'viewer', 'transfers');
  const request = parseInput(transfersInput, input);
  const found = await readTransfers(ctx.db, {
    limit: request.limit,
    ...(request.recipient === undefined ? {} : { recipientId: request.recipient }),
    ...(request.status === undefined ? {} : { status: request.status }),
    ...(request.since === undefined ? {} : { since: new Date(request.since) }),
  });
  const transfers = found.map((transfer) => ({
    ...transfer,
    error: transferError(actor, transfer.status, transfer.error),
  }));
  if (
    request.recipient !== undefined &&
    transfers.length === 0 &&
    !ctx.recipients.has(request.recipient) &&
    !(await hasTransfers(ctx, request.recipient))
  ) {
    throw new HubError(
      'PIFU_RECIPIENT_UNKNOWN',
      `no recipient "${request.recipient}" is configured or has transfers on record; configured: ` +
        [...ctx.recipients.keys()].join(', '),
    );
  }
  return transfers;
}

/** A filter on status or time may find nothing for a recipient that has transfers all the same. */
function hasTransfers(ctx: OperationContext, recipientId: string): Promise<boolean> {
  return recipientHasTransfers(ctx.db, recipientId);
}

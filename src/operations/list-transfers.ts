import { z } from 'zod';
import { HubError } from '../errors/index.js';
import { listTransfers as readTransfers, type TransferListing } from '../transfer/index.js';
import type { Actor } from './actor.js';
import { authorize } from './authorize.js';
import { limitSchema, recipientIdSchema } from './input-schemas.js';
import type { OperationContext } from './operation-context.js';
import { parseInput } from './parse-input.js';

const transfersInput = z.strictObject({ recipient: recipientIdSchema.optional(), limit: limitSchema });
export type TransfersInput = z.input<typeof transfersInput>;

/**
 * Transfers, newest first (viewer). A recipient filter must name a configured recipient or one with
 * transfers on record (a recipient since removed), so a typo is an error, not an empty table.
 */
export async function listTransfers(
  ctx: OperationContext,
  actor: Actor,
  input: TransfersInput = {},
): Promise<TransferListing[]> {
  await authorize(ctx, actor, 'viewer', 'transfers');
  const request = parseInput(transfersInput, input);
  const transfers = await readTransfers(ctx.db, {
    limit: request.limit,
    ...(request.recipient === undefined ? {} : { recipientId: request.recipient }),
  });
  if (request.recipient !== undefined && transfers.length === 0 && !ctx.recipients.has(request.recipient)) {
    throw new HubError(
      'PIFU_RECIPIENT_UNKNOWN',
      `no recipient "${request.recipient}" is configured or has transfers on record; configured: ` +
        [...ctx.recipients.keys()].join(', '),
    );
  }
  return transfers;
}

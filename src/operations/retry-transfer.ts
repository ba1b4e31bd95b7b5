import { existsSync } from 'node:fs';
import { z } from 'zod';
import { missingDisclosureManifest } from '../disclosure/index.js';
import { HubError } from '../errors/index.js';
import type { RunOutcome } from '../run/index.js';
import { missingStateManifest } from '../state/index.js';
import {
  claimFailedTransfer,
  deliverUnderRecipientLock,
  findDeliveryAfter,
  findTransferDetail,
  type DeliveryOutcome,
  type RunTransferDetail,
} from '../transfer/index.js';
import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import { transferIdSchema } from './input-schemas.js';
import type { OperationContext } from './operation-context.js';
import { parseInput } from './parse-input.js';

const retryInput = z.strictObject({ transfer: transferIdSchema });
export type RetryInput = z.input<typeof retryInput>;

export interface RetryResult {
  readonly delivery: DeliveryOutcome;
  /** The run closed again, when the retried transfer was its last open one. */
  readonly run: RunOutcome | undefined;
}

/**
 * Delivers a failed transfer again (operator), with the same transfer id and the same feed file, in
 * this process, then closes its run again. Refused — changing nothing — unless the transfer is
 * `failed`, its feed file and manifests are still in the spool, and the recipient received no other
 * transfer since the feed was written (an older feed would undo what that one sent). The transfer is
 * claimed (failed → pending) in the transaction that writes the audit row, so two operators retrying at
 * once deliver it once.
 */
export async function retryTransfer(
  ctx: OperationContext,
  actor: Actor,
  input: RetryInput,
): Promise<RetryResult> {
  await authorize(ctx, actor, 'operator', 'retry');
  return audited(ctx, actor, 'retry', async (trail) => {
    const { transfer: transferId } = parseInput(retryInput, input);
    const transfer = await findTransferDetail(ctx.db, transferId);
    if (transfer === undefined) {
      throw new HubError(
        'PIFU_TRANSFER_UNKNOWN',
        `no transfer "${transferId}"; see \`pifu-hub run show RUN\` or \`pifu-hub transfers\``,
      );
    }
    trail.subject = transferId;
    trail.detail = transfer.recipientId;
    await checkRetryable(ctx, transfer);
    // The claim (failed → pending) and its audit row commit together, inside the recipient lock and
    // only once the transfer's base is still the recipient's state.
    return deliverUnderRecipientLock(ctx, {
      transferId,
      claim: async () => {
        const claimed = await ctx.db.transaction().execute(async (trx) => {
          if (!(await claimFailedTransfer(trx, transferId))) return false;
          await trail.done(trx);
          return true;
        });
        if (!claimed) {
          throw new HubError(
            'PIFU_RETRY_REFUSED',
            `${transferId} changed while this retry started (retried elsewhere?); look again with \`pifu-hub run show ${transfer.runId}\``,
          );
        }
        ctx.logger.warn(
          { transferId, runId: transfer.runId, recipientId: transfer.recipientId, by: actor.name },
          'failed transfer retried by an operator',
        );
      },
    });
  });
}

async function checkRetryable(ctx: OperationContext, transfer: RunTransferDetail): Promise<void> {
  const id = transfer.transferId;
  if (transfer.status !== 'failed') throw new HubError('PIFU_RETRY_REFUSED', notFailed(transfer));
  const file = transfer.filePath;
  if (transfer.feedStatus !== 'written' || file === null) {
    throw new HubError(
      'PIFU_RETRY_REFUSED',
      `${id}: its feed was never written (feed ${transfer.feedStatus}), so there is nothing to ` +
        `deliver again; start a new run: pifu-hub export --recipient ${transfer.recipientId}`,
    );
  }
  const missing = [
    ...(existsSync(file) ? [] : [file]),
    ...missingStateManifest(file),
    ...missingDisclosureManifest(file),
  ];
  if (missing.length > 0) {
    throw new HubError(
      'PIFU_SPOOL_MISSING',
      `${id}: ${missing.join(', ')} no longer exist (spool retention?); ` +
        `start a new run: pifu-hub export --recipient ${transfer.recipientId}`,
    );
  }
  const later =
    transfer.writtenAt === null
      ? undefined
      : await findDeliveryAfter(ctx.db, transfer.recipientId, transfer.writtenAt);
  if (later !== undefined) {
    throw new HubError(
      'PIFU_RETRY_REFUSED',
      `${id}: ${transfer.recipientId} received ${later.transferId} at ${later.deliveredAt.toISOString()}, ` +
        `after this feed was written; delivering it now would send out-of-date data. ` +
        `Start a new run: pifu-hub export --recipient ${transfer.recipientId}${transfer.feedType === 'delta' ? ' --delta' : ''}`,
    );
  }
}

function notFailed(transfer: RunTransferDetail): string {
  const id = transfer.transferId;
  const at = transfer.deliveredAt?.toISOString() ?? '-';
  switch (transfer.status) {
    case 'delivered':
      return `${id} is already delivered (${at}, ${transfer.location ?? '-'}); nothing to retry`;
    case 'pending':
      return `${id} is pending: its run is still under way (see \`pifu-hub run show ${transfer.runId}\`); only a failed transfer can be retried`;
    case 'held':
      return `${id} is held by a safety threshold: decide it with \`pifu-hub hold approve|reject ${id} --reason TEXT\``;
    case 'rejected':
      return `${id} was rejected by an operator; nothing to retry (the next delta proposes the same changes)`;
    case 'skipped':
      return `${id} was skipped (nothing to send); nothing to retry`;
    case 'offered':
      return `${id} is offered to ${transfer.recipientId}, which fetches it itself (pull) and acknowledges it; nothing to retry`;
    case 'deferred':
      return `${id} was deferred behind an earlier feed ${transfer.recipientId} has not acknowledged; it is caught up after that acknowledgement`;
    case 'failed':
      return `${id} failed`;
  }
}

import { HubError } from '../errors/index.js';
import type { HubContext } from '../run/hub-context.js';
import { finishRun, type RunOutcome } from '../run/finish-run.js';
import { findRun } from '../run/run-repository.js';
import { deliverTransfer, type DeliveryOutcome } from './deliver-transfer.js';
import { recipientLockFor, withRecipientLock, type RecipientLock } from './recipient-lock.js';
import { refuseIfStale } from './transfer-base.js';
import { findTransfer, recordTransferFailed } from './transfer-repository.js';

export interface ReleasedDelivery {
  readonly transferId: string;
  /**
   * Makes the transfer deliverable (held → pending for an approval, failed → pending for a retry). Runs
   * inside the lock once the base check passed; throws a HubError to refuse, changing nothing.
   */
  readonly claim: () => Promise<void>;
  /** By default the lock that fits the hub database (recipientLockFor). */
  readonly lock?: RecipientLock;
  /** How long to wait for a queue delivery that holds the recipient (default 60 s). */
  readonly lockWaitMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Delivers a transfer an operator released (an approved hold, a retried failure) under the same rules as
 * a queue delivery: inside the recipient lock, so no other delivery for the recipient runs meanwhile;
 * refused with PIFU_TRANSFER_STALE before the transport is called when its base is no longer the
 * recipient's delivered state (the transfer then ends failed, a hold superseded); acknowledged in the
 * transaction that checks the base again. A delivery that fails after the claim leaves the transfer
 * failed with the reason, for `retry`. When the transfer's state changed, a finished run is closed again
 * so its status counts it (`run`); a run still under way is left to its own finish step.
 */
export async function deliverUnderRecipientLock(
  ctx: HubContext,
  release: ReleasedDelivery,
): Promise<{ delivery: DeliveryOutcome; run: RunOutcome | undefined }> {
  const { transferId } = release;
  const transfer = await findTransfer(ctx.db, transferId);
  if (transfer === undefined) throw new HubError('PIFU_RUN_UNKNOWN', `transfer ${transferId} does not exist`);
  const lock = release.lock ?? (await recipientLockFor(ctx.db));
  // Whether the transfer's status may have changed, and the run's outcome with it.
  let touched = false;
  try {
    const delivery = await withRecipientLock(
      lock,
      transfer.recipientId,
      async () => {
        try {
          await refuseIfStale(ctx, transferId);
        } catch (error) {
          touched = true;
          throw error;
        }
        await release.claim();
        touched = true;
        try {
          return await deliverTransfer(ctx, transferId, release.signal ? { signal: release.signal } : {});
        } catch (error) {
          await recordTransferFailed(
            ctx.db,
            transferId,
            error instanceof Error ? error.message : String(error),
          );
          throw error;
        }
      },
      release.lockWaitMs === undefined ? {} : { waitMs: release.lockWaitMs },
    );
    return { delivery, run: await closeRunAgain(ctx, transfer.runId) };
  } catch (error) {
    if (touched) await closeRunAgain(ctx, transfer.runId);
    throw error;
  }
}

async function closeRunAgain(ctx: HubContext, runId: string): Promise<RunOutcome | undefined> {
  const run = await findRun(ctx.db, runId);
  return run === undefined || run.status === 'running' ? undefined : finishRun(ctx, runId, { recount: true });
}

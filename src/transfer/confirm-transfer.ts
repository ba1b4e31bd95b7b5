import type { HubContext } from '../run/hub-context.js';
import { findTransfer } from './transfer-repository.js';
import { acknowledgeWrittenFeed, loadWrittenFeed } from './written-feed.js';

export type Confirmation =
  { readonly isHeld: true; readonly location: string } | { readonly isHeld: false; readonly why: string };

/**
 * For a transfer whose delivery started but was never acknowledged (its process died between the
 * transport and the commit): asks the transport whether the recipient holds the feed and, when it does,
 * acknowledges it through the same transaction as a delivery, so the disclosure register never misses a
 * file the recipient received. A transfer never handed to its transport is not looked for. Whatever
 * keeps the question from being answered (a feed no longer written, a recipient gone from the config,
 * an unreachable recipient) comes back as `isHeld: false` with the reason; only a failing database throws.
 */
export async function confirmTransfer(
  ctx: HubContext,
  transferId: string,
  options: { signal?: AbortSignal } = {},
): Promise<Confirmation> {
  const transfer = await findTransfer(ctx.db, transferId);
  if (transfer === undefined) return { isHeld: false, why: `transfer ${transferId} does not exist` };
  if (transfer.status === 'delivered') return { isHeld: true, location: transfer.location ?? '' };
  if (transfer.attempts === 0) return { isHeld: false, why: 'never handed to its transport' };
  let receipt;
  let written;
  try {
    written = await loadWrittenFeed(ctx, transfer);
    const transport = ctx.transportFor(written.recipient.transport, written.recipient.id);
    if (transport.confirm === undefined) {
      return { isHeld: false, why: `the ${transport.kind} transport cannot confirm a delivery` };
    }
    receipt = await transport.confirm({ ...written.file, attempt: transfer.attempts + 1 }, options);
  } catch (error) {
    return { isHeld: false, why: `could not confirm the delivery: ${messageOf(error)}` };
  }
  if (receipt === undefined) return { isHeld: false, why: 'the recipient does not hold the feed' };
  await acknowledgeWrittenFeed(ctx, written.transfer, written.feed, receipt.location);
  ctx.logger.warn(
    { runId: transfer.runId, transferId, recipientId: transfer.recipientId, location: receipt.location },
    'interrupted delivery found at the recipient and acknowledged',
  );
  return { isHeld: true, location: receipt.location };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

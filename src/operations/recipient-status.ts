import { readRecipientStandings, type RecipientStanding } from '../metrics/index.js';
import type { Actor } from './actor.js';
import { authorize } from './authorize.js';
import type { OperationContext } from './operation-context.js';

/** A recipient's standing as operators follow it: configured or only on record, and how far behind. */
export interface RecipientStatus extends RecipientStanding {
  /** The configured name; null for a recipient no longer configured that still has transfers. */
  readonly name: string | null;
  readonly transport: string | null;
  /** Seconds since the last delivery, at `at`; null when it was never delivered to. */
  readonly lagSeconds: number | null;
}

/**
 * Every configured recipient (and any other with transfers on record) with its last successful
 * delivery, how long ago that was, its failed transfers, holds waiting and unacknowledged offers
 * (viewer). Counts and times only, so not audited.
 */
export async function listRecipientStatus(
  ctx: OperationContext,
  actor: Actor,
): Promise<{ at: Date; recipients: RecipientStatus[] }> {
  await authorize(ctx, actor, 'viewer', 'recipients');
  const at = ctx.now();
  const standings = new Map((await readRecipientStandings(ctx.db)).map((row) => [row.recipientId, row]));
  const ids = [...new Set([...ctx.recipients.keys(), ...standings.keys()])].sort();
  const recipients = ids.map((recipientId): RecipientStatus => {
    const config = ctx.recipients.get(recipientId);
    const standing = standings.get(recipientId) ?? {
      recipientId,
      lastDeliveredAt: null,
      lastTransferAt: null,
      failed: 0,
      holdsWaiting: 0,
      offered: 0,
      oldestOfferAt: null,
    };
    return {
      ...standing,
      name: config?.name ?? null,
      transport: config?.transport.kind ?? null,
      lagSeconds:
        standing.lastDeliveredAt === null
          ? null
          : Math.max(0, Math.round((at.getTime() - standing.lastDeliveredAt.getTime()) / 1000)),
    };
  });
  return { at, recipients };
}

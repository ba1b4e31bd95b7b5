import { z } from 'zod';
import { decideHold as recordDecision, listHolds as readHolds, type Hold } from '../transfer/index.js';
import type { DeliveryOutcome } from '../transfer/index.js';
import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import { reasonSchema, transferIdSchema } from './input-schemas.js';
import type { OperationContext } from './operation-context.js';
import { operatorText } from './operator-text.js';
import { parseInput } from './parse-input.js';

/**
 * Deltas on hold (viewer): undecided ones, or every one with `all`. Counts and statuses; the decision's
 * reason for operator roles only.
 */
export async function listHolds(
  ctx: OperationContext,
  actor: Actor,
  input: { all?: boolean } = {},
): Promise<Hold[]> {
  await authorize(ctx, actor, 'viewer', 'holds');
  const holds = await readHolds(ctx.db, { all: input.all === true });
  return holds.map((hold) => ({ ...hold, decisionReason: operatorText(actor, hold.decisionReason) }));
}

const decisionInput = z.strictObject({
  transfer: transferIdSchema,
  decision: z.enum(['approve', 'reject']),
  reason: reasonSchema,
});
export type HoldDecisionInput = z.input<typeof decisionInput>;

/**
 * An operator's decision on a held delta. Approve delivers exactly the held file (refused when the
 * recipient received something since); reject delivers nothing and leaves delivered state as it was.
 * The decision and its audit row commit together; a refused decision leaves a `refused` row.
 */
export async function decideHold(
  ctx: OperationContext,
  actor: Actor,
  input: HoldDecisionInput,
): Promise<{ hold: Hold; delivery?: DeliveryOutcome }> {
  const action = input.decision === 'reject' ? 'hold-reject' : 'hold-approve';
  await authorize(ctx, actor, 'operator', action);
  return audited(ctx, actor, action, async (trail) => {
    const request = parseInput(decisionInput, input);
    trail.subject = request.transfer;
    trail.detail = request.reason;
    return recordDecision(
      ctx,
      request.transfer,
      { decision: request.decision, by: actor.name, reason: request.reason },
      { alsoInTransaction: trail.done },
    );
  });
}

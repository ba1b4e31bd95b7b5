import { z } from 'zod';
import { cancelRun as recordCancellation, type RunOutcome } from '../run/index.js';
import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import { reasonSchema, runIdSchema } from './input-schemas.js';
import type { OperationContext } from './operation-context.js';
import { parseInput } from './parse-input.js';

const cancelInput = z.strictObject({ run: runIdSchema, reason: reasonSchema });
export type CancelRunInput = z.input<typeof cancelInput>;

/**
 * Ends a running run (operator): it and its pending transfers fail with the reason; held ones stay
 * held, delivered ones delivered. The cancellation and its audit row commit together; an unknown or
 * finished run is refused.
 */
export async function cancelRun(
  ctx: OperationContext,
  actor: Actor,
  input: CancelRunInput,
): Promise<RunOutcome> {
  await authorize(ctx, actor, 'operator', 'run-cancel');
  return audited(ctx, actor, 'run-cancel', async (trail) => {
    const request = parseInput(cancelInput, input);
    trail.subject = request.run;
    trail.detail = request.reason;
    return recordCancellation(ctx, request.run, {
      by: actor.name,
      reason: request.reason,
      alsoInTransaction: trail.done,
    });
  });
}

import type { Actor } from './actor.js';
import { authorize } from './authorize.js';
import type { OperationContext } from './operation-context.js';

/**
 * May this actor look at the queue board, the jobs and their states (operator and above)? Job payloads
 * carry ids only (docs/requirements.md#c7), so a look is not audited; a refusal is, as every denial.
 * The board is read-only: retrying or removing jobs behind the hub's back would skip its own checks
 * and audit, so those go through `retry` and `run cancel`.
 */
export async function openQueueBoard(ctx: OperationContext, actor: Actor): Promise<void> {
  await authorize(ctx, actor, 'operator', 'queue-board');
}

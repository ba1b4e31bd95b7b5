import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import type { OperationContext } from './operation-context.js';

/**
 * A worker or scheduler process moves data on everyone's behalf for as long as it runs, so starting
 * one needs the operator role like any export, and is audited with who started it where.
 */
export async function admitProcess(
  ctx: Pick<OperationContext, 'db'>,
  actor: Actor,
  kind: 'worker' | 'scheduler',
  detail: string,
): Promise<void> {
  await authorize(ctx, actor, 'operator', kind);
  await audited(ctx, actor, kind, async (trail) => {
    trail.detail = `started: ${detail}`;
  });
}

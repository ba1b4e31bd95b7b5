import { z } from 'zod';
import { forgetPerson as recordForgotten } from '../privacy/index.js';
import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import { reasonSchema } from './input-schemas.js';
import type { OperationContext } from './operation-context.js';
import { parseInput } from './parse-input.js';
import { resolvePersonReference } from './person-reference.js';
import { deltaToHolders } from './reach-holders.js';
import type { RunObserver, RunReport } from './run-report.js';

const forgetInput = z.strictObject({ person: z.string(), reason: reasonSchema });
export type ForgetInput = z.input<typeof forgetInput>;

export interface ForgetResult {
  readonly personKey: string;
  /** The delta run that deleted the person where they were held; absent when nobody held them. */
  readonly run?: RunReport;
}

/**
 * R3, erasure or objection (privacy-admin): the person leaves every recipient's view from now on and a
 * delta goes now to each configured recipient holding them. The request and its audit row commit
 * together. Success means the deletion reached every holder; when a holder's delta is held by a safety
 * threshold (or failed), PIFU_ERASURE_PENDING names it and the hold to decide, and running `forget`
 * again later checks again, so an erasure is never reported done while data stays out there.
 */
export async function forgetPerson(
  ctx: OperationContext,
  actor: Actor,
  input: ForgetInput,
  options: { observer?: RunObserver } = {},
): Promise<ForgetResult> {
  await authorize(ctx, actor, 'privacy-admin', 'forget');
  return audited(ctx, actor, 'forget', async (trail) => {
    const request = parseInput(forgetInput, input);
    const personKey = await resolvePersonReference(ctx, trail, request.person, { known: true });
    trail.detail = request.reason;
    const { recipientIds } = await recordForgotten(
      ctx.db,
      { personKey, reason: request.reason, by: actor.name, at: ctx.now() },
      { audit: trail.done },
    );
    const holders = recipientIds.filter((id) => ctx.recipients.has(id));
    if (holders.length === 0) return { personKey };
    const run = await deltaToHolders(ctx, trail, actor, {
      personKey,
      holders,
      reason: `forget ${personKey}: ${request.reason}`,
      observer: options.observer,
      pending: {
        code: 'PIFU_ERASURE_PENDING',
        state: 'forgotten',
        again: `pifu-hub forget --person ${personKey} --reason …`,
      },
    });
    return { personKey, run };
  });
}

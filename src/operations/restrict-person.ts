import type { z } from 'zod';
import { allRecipients, restrictPerson as recordRestriction } from '../privacy/index.js';
import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import { restrictionInput } from './input-schemas.js';
import type { OperationContext } from './operation-context.js';
import { parseInput } from './parse-input.js';
import { resolvePersonReference } from './person-reference.js';
import { deltaToHolders } from './reach-holders.js';
import { selectRecipients } from './recipient-selection.js';
import type { RunObserver, RunReport } from './run-report.js';

export type RestrictInput = z.input<typeof restrictionInput>;

export interface RestrictResult {
  readonly personKey: string;
  /** The recipients named, or `*` for all. */
  readonly restricted: readonly string[];
  /** The delta run that deleted the person where they were held; absent when no chosen recipient held them. */
  readonly run?: RunReport;
}

/**
 * GDPR Art. 18, restriction of processing (privacy-admin): the person stays out of the chosen
 * recipients' feeds — or every recipient's, now and any configured later, with `all` — as a pupil, staff
 * member and guardian alike, until `unrestrict`. A delta goes now to each chosen recipient holding them
 * (recstatus 3 there). The restriction and its audit row commit together; success means the deletion
 * reached every such holder, else PIFU_RESTRICTION_PENDING names the hold to decide, and running
 * `restrict` again checks again.
 */
export async function restrictPerson(
  ctx: OperationContext,
  actor: Actor,
  input: RestrictInput,
  options: { observer?: RunObserver } = {},
): Promise<RestrictResult> {
  await authorize(ctx, actor, 'privacy-admin', 'restrict');
  return audited(ctx, actor, 'restrict', async (trail) => {
    const request = parseInput(restrictionInput, input);
    const personKey = await resolvePersonReference(ctx, trail, request.person, { known: true });
    const chosen = selectRecipients(ctx, request).map((recipient) => recipient.id);
    const restricted = request.all === true ? [allRecipients] : chosen;
    trail.detail = `${restricted.join(', ')}: ${request.reason}`;
    const { holders } = await recordRestriction(
      ctx.db,
      {
        personKey,
        recipientIds: restricted,
        candidates: chosen,
        reason: request.reason,
        by: actor.name,
        at: ctx.now(),
      },
      trail.done,
    );
    if (holders.length === 0) return { personKey, restricted };
    const run = await deltaToHolders(ctx, trail, actor, {
      personKey,
      holders,
      reason: `restrict ${personKey}: ${request.reason}`,
      observer: options.observer,
      pending: {
        code: 'PIFU_RESTRICTION_PENDING',
        state: 'restricted',
        again: `pifu-hub restrict --person ${personKey} …`,
      },
    });
    return { personKey, restricted, run };
  });
}

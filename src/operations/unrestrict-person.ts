import type { z } from 'zod';
import { HubError } from '../errors/index.js';
import { liftRestrictions, restrictedPersons } from '../privacy/index.js';
import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import { restrictionInput } from './input-schemas.js';
import type { OperationContext } from './operation-context.js';
import { parseInput } from './parse-input.js';
import { resolvePersonReference } from './person-reference.js';
import { selectRecipients } from './recipient-selection.js';

export type UnrestrictInput = z.input<typeof restrictionInput>;

export interface UnrestrictResult {
  readonly personKey: string;
  /** The restrictions lifted, by recipient (`*`: the one for every recipient). */
  readonly lifted: readonly string[];
  /** Configured recipients whose feeds still leave the person out (a restriction for all remains). */
  readonly stillRestricted: readonly string[];
}

/**
 * Lifts a restriction (privacy-admin): for the recipients named, or every restriction of the person with
 * `all`. The person comes back at each recipient's next feed (its quiet-skip sees the change); the
 * restriction's history stays for the access report. Refused with PIFU_RESTRICTION_UNKNOWN when no
 * active restriction matches.
 */
export async function unrestrictPerson(
  ctx: OperationContext,
  actor: Actor,
  input: UnrestrictInput,
): Promise<UnrestrictResult> {
  await authorize(ctx, actor, 'privacy-admin', 'unrestrict');
  return audited(ctx, actor, 'unrestrict', async (trail) => {
    const request = parseInput(restrictionInput, input);
    const personKey = await resolvePersonReference(ctx, trail, request.person, { known: false });
    const chosen = request.all === true ? 'all' : selectRecipients(ctx, request).map((r) => r.id);
    trail.detail = `${chosen === 'all' ? '*' : chosen.join(', ')}: ${request.reason}`;
    const lifted = await liftRestrictions(
      ctx.db,
      { personKey, recipientIds: chosen, reason: request.reason, by: actor.name, at: ctx.now() },
      trail.done,
    );
    if (lifted.length === 0) {
      throw new HubError(
        'PIFU_RESTRICTION_UNKNOWN',
        `person ${personKey} has no active restriction for ${chosen === 'all' ? 'any recipient' : chosen.join(', ')}; ` +
          'see `pifu-hub report access --person KEY`',
      );
    }
    const stillRestricted: string[] = [];
    for (const id of ctx.recipients.keys()) {
      if ((await restrictedPersons(ctx.db, id)).has(personKey)) stillRestricted.push(id);
    }
    return { personKey, lifted, stillRestricted };
  });
}

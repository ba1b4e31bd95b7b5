import { z } from 'zod';
import { listPersonDisclosures, type DisclosureAnswer } from '../disclosure/index.js';
import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import type { OperationContext } from './operation-context.js';
import { parseInput } from './parse-input.js';
import { resolvePersonReference } from './person-reference.js';

const disclosuresInput = z.strictObject({ person: z.string() });

/**
 * Every recipient that received a person's data (privacy-admin; GDPR Art. 15(1)(c)): when, which
 * categories, which transfer, on what legal basis. The query and its audit row commit together.
 */
export async function listDisclosures(
  ctx: OperationContext,
  actor: Actor,
  input: { person: string },
): Promise<{ personKey: string; disclosures: DisclosureAnswer[] }> {
  await authorize(ctx, actor, 'privacy-admin', 'disclosures');
  return audited(ctx, actor, 'disclosures', async (trail) => {
    const request = parseInput(disclosuresInput, input);
    const personKey = await resolvePersonReference(ctx, trail, request.person, { known: false });
    return ctx.db.transaction().execute(async (trx) => {
      const disclosures = await listPersonDisclosures(trx, personKey);
      trail.detail = `${disclosures.length} disclosures`;
      await trail.done(trx);
      return { personKey, disclosures };
    });
  });
}

import { maskTypedIdentityNumber } from '../audit/index.js';
import { HubError } from '../errors/index.js';
import { classifyPersonReference, personKeyExample } from '../model/index.js';
import { objectTypeCode } from '../state/index.js';
import type { AuditTrail } from './audited.js';
import type { OperationContext } from './operation-context.js';

const findKeyHint =
  "find the person's hub key in the school system or with `pifu-hub export --dry-run` (the sample shows keys)";

/**
 * Turns what an operator typed into a hub person key (lower case), or refuses it. A national identity
 * number is refused without being echoed, and only its keyed hash and last two digits reach the audit
 * row (docs/requirements.md R4). With `known`, a well-formed key must name a person the source has now or
 * the hub has sent somewhere, so a mistyped erasure request fails instead of forgetting nobody.
 */
export async function resolvePersonReference(
  ctx: Pick<OperationContext, 'db' | 'source'>,
  trail: AuditTrail,
  text: string,
  options: { known: boolean },
): Promise<string> {
  const reference = classifyPersonReference(text);
  if (reference.kind === 'identity-number') {
    const masked = await maskTypedIdentityNumber(ctx.db, reference.digits);
    trail.subject = masked;
    throw new HubError(
      'PIFU_USAGE_INVALID',
      `person: that is a national identity number (…${reference.digits.slice(-2)}), which the hub never ` +
        `takes as a key; name the person by the hub key, e.g. ${personKeyExample}; ${findKeyHint}`,
    );
  }
  if (reference.kind === 'invalid') {
    throw new HubError(
      'PIFU_USAGE_INVALID',
      `person: not a hub person key (a uuid such as ${personKeyExample}); ${findKeyHint}`,
    );
  }
  trail.subject = reference.key;
  if (options.known && !(await isKnownPerson(ctx, reference.key))) {
    throw new HubError(
      'PIFU_PERSON_UNKNOWN',
      `no person ${reference.key} in the source, and no recipient was ever sent one; check the key: ${findKeyHint}`,
    );
  }
  return reference.key;
}

async function isKnownPerson(ctx: Pick<OperationContext, 'db' | 'source'>, key: string): Promise<boolean> {
  if (await ctx.source.lookup.hasPerson(key)) return true;
  const held = await ctx.db
    .selectFrom('hub.delivered_object')
    .select('object_key')
    .where('object_type', '=', objectTypeCode.person)
    .where('object_key', '=', key)
    .limit(1)
    .executeTakeFirst();
  if (held !== undefined) return true;
  const disclosed = await ctx.db
    .selectFrom('hub.disclosure')
    .select('person_key')
    .where('person_key', '=', key)
    .limit(1)
    .executeTakeFirst();
  return disclosed !== undefined;
}

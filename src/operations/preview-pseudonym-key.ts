import { randomBytes } from 'node:crypto';
import type { RecipientConfig } from '../config/index.js';
import { pseudonymSecret } from '../feed/index.js';
import type { OperationContext } from './operation-context.js';

/**
 * The pseudonym key a real export would use, read without writing: a configured one, or the one the
 * hub keeps; when it keeps none yet, a throwaway (a preview must not create one), flagged provisional.
 */
export async function previewPseudonymKey(
  ctx: Pick<OperationContext, 'db'>,
  recipient: RecipientConfig,
): Promise<{ secret: Uint8Array; provisional: boolean } | undefined> {
  if (!recipient.resolvedProfile.pseudonymise) return undefined;
  if (recipient.pseudonymKey !== undefined) {
    return { secret: await pseudonymSecret(ctx.db, recipient), provisional: false };
  }
  const row = await ctx.db
    .selectFrom('hub.pseudonym_secret')
    .select('secret')
    .where('recipient_id', '=', recipient.id)
    .executeTakeFirst();
  return row === undefined
    ? { secret: randomBytes(32), provisional: true }
    : { secret: row.secret, provisional: false };
}

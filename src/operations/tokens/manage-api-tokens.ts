import { z } from 'zod';
import {
  findApiToken,
  listApiTokens as readTokens,
  revokeApiToken as recordRevocation,
  type ApiTokenRecord,
} from '../../access/index.js';
import { HubError } from '../../errors/index.js';
import type { Actor } from '../actor.js';
import { audited } from '../audited.js';
import { authorize } from '../authorize.js';
import type { OperationContext } from '../operation-context.js';
import { parseInput } from '../parse-input.js';
import { tokenNameSchema } from './create-api-token.js';

/** Every API token by name, role or recipient, and who made and revoked it (config-admin); never a token. */
export async function listApiTokens(ctx: OperationContext, actor: Actor): Promise<ApiTokenRecord[]> {
  await authorize(ctx, actor, 'config-admin', 'tokens');
  return readTokens(ctx.db);
}

/**
 * Revokes an API token (config-admin): from the next request on it signs nobody in. Revoking a revoked
 * token changes nothing and says so. The revocation and its audit row commit together.
 */
export async function revokeApiToken(
  ctx: OperationContext,
  actor: Actor,
  input: { name: string },
): Promise<{ token: ApiTokenRecord; alreadyRevoked: boolean }> {
  await authorize(ctx, actor, 'config-admin', 'token-revoke');
  return audited(ctx, actor, 'token-revoke', async (trail) => {
    const { name } = parseInput(z.strictObject({ name: tokenNameSchema }), input);
    const known = await findApiToken(ctx.db, name);
    if (known === undefined) {
      throw new HubError('PIFU_TOKEN_UNKNOWN', `no token named "${name}"; see \`pifu-hub tokens list\``);
    }
    trail.subject = `token:${name}`;
    const revoked = await ctx.db.transaction().execute(async (trx) => {
      const changed = await recordRevocation(trx, name, { by: actor.name, at: ctx.now() });
      trail.detail = changed ? 'revoked' : 'already revoked';
      await trail.done(trx);
      return changed;
    });
    return { token: (await findApiToken(ctx.db, name)) ?? known, alreadyRevoked: !revoked };
  });
}

import { apiTokenHash, findLiveApiTokenByHash, isApiTokenShaped } from '../../access/index.js';
import type { OperatorRole } from '../../config/index.js';
import { HubError } from '../../errors/index.js';
import type { Actor } from '../actor.js';
import type { OperationContext } from '../operation-context.js';

const unauthenticated = (why: string): HubError =>
  new HubError(
    'PIFU_UNAUTHENTICATED',
    `${why}; send "Authorization: Bearer TOKEN" with a token from \`pifu-hub tokens create\``,
  );

/**
 * The actor an API token stands for (`token:NAME`, from `source`, the client address), or
 * PIFU_UNAUTHENTICATED. An operator token holds its role and, as every role does, viewer; a recipient's
 * token holds no role and may only pull that recipient's feeds. The token is never logged or echoed.
 */
export async function authenticateApiToken(
  ctx: Pick<OperationContext, 'db'>,
  input: { token: string | undefined; source: string },
): Promise<Actor> {
  if (input.token === undefined || input.token === '') throw unauthenticated('no API token');
  if (!isApiTokenShaped(input.token)) throw unauthenticated('not a pifu-hub API token');
  const record = await findLiveApiTokenByHash(ctx.db, apiTokenHash(input.token));
  if (record === undefined) throw unauthenticated('unknown or revoked API token');
  const roles = new Set<OperatorRole>(record.role === null ? [] : ['viewer', record.role]);
  return {
    name: `token:${record.name}`,
    roles,
    source: input.source,
    roleHint:
      record.role === null
        ? `token ${record.name} is ${record.recipientId}'s pull token; use an operator token`
        : `token ${record.name} holds ${record.role}; ask a config-admin for a token with the role`,
    ...(record.recipientId === null ? {} : { recipientId: record.recipientId }),
  };
}

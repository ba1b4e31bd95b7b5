import { z } from 'zod';
import { apiTokenHash, insertApiToken, newApiToken } from '../../access/index.js';
import { operatorRoles, type OperatorRole } from '../../config/index.js';
import { HubError } from '../../errors/index.js';
import type { Actor } from '../actor.js';
import { audited } from '../audited.js';
import { authorize } from '../authorize.js';
import { recipientIdSchema } from '../input-schemas.js';
import type { OperationContext } from '../operation-context.js';
import { parseInput } from '../parse-input.js';
import { recipientById } from '../recipient-selection.js';

export const tokenNameSchema = z
  .string({ error: 'a token name is required' })
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'a token name: lower-case letters, digits, ".", "_" and "-"');

const createInput = z
  .strictObject({
    name: tokenNameSchema,
    role: z.enum(operatorRoles, { error: `one of ${operatorRoles.join(', ')}` }).optional(),
    recipient: recipientIdSchema.optional(),
  })
  .refine((input) => (input.role === undefined) !== (input.recipient === undefined), {
    message: 'give either a role (an operator token) or a recipient (its pull token), not both',
    path: ['role'],
  });
export type CreateTokenInput = z.input<typeof createInput>;

export interface CreatedToken {
  readonly name: string;
  readonly role: OperatorRole | null;
  readonly recipientId: string | null;
  /** The token itself: shown this once, never stored (only its sha-256 is). */
  readonly token: string;
}

/**
 * Makes an API token (config-admin): with an operator role, or for one pull recipient, which may then
 * fetch and acknowledge only its own feeds. The token is returned once; the hub keeps its sha-256. The
 * token row and its audit row commit together.
 */
export async function createApiToken(
  ctx: OperationContext,
  actor: Actor,
  input: CreateTokenInput,
): Promise<CreatedToken> {
  await authorize(ctx, actor, 'config-admin', 'token-create');
  return audited(ctx, actor, 'token-create', async (trail) => {
    const request = parseInput(createInput, input);
    trail.subject = `token:${request.name}`;
    if (request.recipient !== undefined) {
      const recipient = recipientById(ctx, request.recipient);
      if (recipient.transport.kind !== 'pull') {
        throw new HubError(
          'PIFU_USAGE_INVALID',
          `recipient: ${recipient.id} does not pull its feeds (its transport is ${recipient.transport.kind}); ` +
            'a recipient token is only for a recipient with "transport": { "kind": "pull" }',
        );
      }
    }
    const token = newApiToken();
    const role = request.role ?? null;
    const recipientId = request.recipient ?? null;
    trail.detail = role === null ? `pull token for ${recipientId}` : `role ${role}`;
    await ctx.db.transaction().execute(async (trx) => {
      const inserted = await insertApiToken(trx, {
        name: request.name,
        sha256Hex: apiTokenHash(token),
        role,
        recipientId,
        createdBy: actor.name,
      });
      if (!inserted) {
        throw new HubError(
          'PIFU_TOKEN_NAME_TAKEN',
          `a token named "${request.name}" exists or existed (see \`pifu-hub tokens list\`); choose another name`,
        );
      }
      await trail.done(trx);
    });
    return { name: request.name, role, recipientId, token };
  });
}

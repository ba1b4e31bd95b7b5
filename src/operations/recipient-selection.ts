import type { RecipientConfig } from '../config/index.js';
import { HubError } from '../errors/index.js';
import type { OperationContext } from './operation-context.js';

/** The recipients an operator chose: by id (each must be configured) or all of them, never neither or both. */
export function selectRecipients(
  ctx: Pick<OperationContext, 'recipients'>,
  choice: { readonly recipients?: readonly string[] | undefined; readonly all?: boolean | undefined },
): RecipientConfig[] {
  const ids = choice.recipients ?? [];
  const configured = [...ctx.recipients.keys()].join(', ');
  if (choice.all === true && ids.length > 0) {
    throw new HubError('PIFU_USAGE_INVALID', 'recipients: use either --recipient ID … or --all, not both');
  }
  if (choice.all === true) return [...ctx.recipients.values()];
  if (ids.length === 0) {
    throw new HubError(
      'PIFU_USAGE_INVALID',
      `recipients: choose with --recipient ID (repeatable) or --all; configured: ${configured}`,
    );
  }
  return [...new Set(ids)].map((id) => recipientById(ctx, id));
}

export function recipientById(ctx: Pick<OperationContext, 'recipients'>, id: string): RecipientConfig {
  const recipient = ctx.recipients.get(id);
  if (recipient === undefined) {
    throw new HubError(
      'PIFU_RECIPIENT_UNKNOWN',
      `no recipient "${id}"; configured: ${[...ctx.recipients.keys()].join(', ')}`,
    );
  }
  return recipient;
}

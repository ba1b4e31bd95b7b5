import type { OperationContext } from '../operation-context.js';
import { summariseRecipient, type RecipientSummary } from './recipient-description.js';

/**
 * The live recipient list with what each receives per population (R5). Reads configuration only: no
 * database, no role check at the CLI (the host's file permissions guard the config directory); the API
 * checks the viewer role before calling it.
 */
export function listRecipients(ctx: Pick<OperationContext, 'recipients'>): RecipientSummary[] {
  return [...ctx.recipients.values()].map(summariseRecipient);
}

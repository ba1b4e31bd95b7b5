import { z } from 'zod';
import { recipientIdSchema } from '../input-schemas.js';
import type { OperationContext } from '../operation-context.js';
import { parseInput } from '../parse-input.js';
import { recipientById } from '../recipient-selection.js';
import { describeRecipient as describe, type RecipientDescription } from './recipient-description.js';

/** One recipient's effective profile, purpose, legal basis, processing and override; never a secret. */
export function describeRecipient(
  ctx: Pick<OperationContext, 'recipients'>,
  input: { recipient: string },
): RecipientDescription {
  const { recipient } = parseInput(z.strictObject({ recipient: recipientIdSchema }), input);
  return describe(recipientById(ctx, recipient));
}

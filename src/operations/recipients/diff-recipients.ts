import { resolve } from 'node:path';
import { parseRecipientFiles, type RecipientChecks, type RecipientConfig } from '../../config/index.js';
import type { OperationContext } from '../operation-context.js';
import { recipientById } from '../recipient-selection.js';
import { diffRecipients as diff, type RecipientDiff } from './recipient-diff.js';

/**
 * How two recipients differ, key by key. Each side is a configured recipient id, or (from the CLI) a
 * recipient file ending in `.json`, so a change can be reviewed before it lands.
 */
export function diffRecipients(
  ctx: Pick<OperationContext, 'recipients'>,
  input: { a: string; b: string; filesAllowed?: boolean; checks?: RecipientChecks },
): RecipientDiff {
  const side = (reference: string): RecipientConfig =>
    input.filesAllowed === true && reference.endsWith('.json')
      ? parseRecipientFiles([resolve(reference)], input.checks)[0]!
      : recipientById(ctx, reference);
  return diff(side(input.a), side(input.b));
}

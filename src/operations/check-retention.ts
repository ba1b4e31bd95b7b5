import { z } from 'zod';
import { findOverdueHoldings, type OverdueHolding } from '../privacy/index.js';
import { scopeDateOf } from '../run/index.js';
import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import type { OperationContext } from './operation-context.js';
import { parseInput } from './parse-input.js';

const retentionInput = z.strictObject({
  months: z
    .number({ error: 'expected a whole number of months' })
    .int('expected a whole number of months')
    .min(1, 'at least 1')
    .max(120, 'at most 120 (ten years)')
    .default(3),
});
export type RetentionInput = z.input<typeof retentionInput>;

/**
 * R3's daily check (privacy-admin): persons inactive for more than `months` whom a recipient still
 * holds, archives keeping leavers excepted. Reads one snapshot of the source; audited, since it lists
 * person keys.
 */
export async function checkRetention(
  ctx: OperationContext,
  actor: Actor,
  input: RetentionInput = {},
): Promise<{ months: number; overdue: OverdueHolding[] }> {
  await authorize(ctx, actor, 'privacy-admin', 'retention-check');
  return audited(ctx, actor, 'retention-check', async (trail) => {
    const { months } = parseInput(retentionInput, input);
    const snapshot = await ctx.source.openSnapshot();
    try {
      const overdue = await findOverdueHoldings(ctx.db, snapshot.persons(), {
        on: scopeDateOf(ctx.scopeClock ?? 'auto', snapshot.properties, ctx.now()),
        months,
        recipients: [...ctx.recipients.values()],
      });
      trail.detail = `${overdue.length} overdue holdings (more than ${months} months inactive)`;
      return { months, overdue };
    } finally {
      await snapshot.close();
    }
  });
}

import { z } from 'zod';
import { findOverdueHoldings, type OverdueHolding } from '../privacy/index.js';
import { defaultRetentionPolicy, findRetentionDue, type RetentionPolicy } from '../retention/index.js';
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
 * What the hub itself keeps past its retention policy: items due for more than a day, which the daily
 * sweep (`retention run`, or the scheduler) should have removed.
 */
export interface HubRetentionCheck {
  readonly policy: RetentionPolicy;
  /** Settled runs whose snapshot and manifests are still there. */
  readonly runs: number;
  /** Feed files past their period. */
  readonly feedFiles: number;
  /** Delivered transfers whose disclosure rows still name persons past the period. */
  readonly disclosureTransfers: number;
  /** Runs kept because a transfer waits for a hold decision (not overdue: an operator's call). */
  readonly keptForHolds: number;
}

const DAY_MS = 86_400_000;

async function* closingAfter<T>(items: AsyncIterable<T>, snapshot: { close(): Promise<void> }) {
  try {
    yield* items;
  } finally {
    await snapshot.close();
  }
}

/**
 * R3's daily check (privacy-admin): persons inactive for more than `months` whom a recipient still
 * holds, archives keeping leavers excepted; and what the hub keeps longer than its own retention policy
 * allows. Reads one snapshot of the source; audited, since it lists person keys.
 */
export async function checkRetention(
  ctx: OperationContext,
  actor: Actor,
  input: RetentionInput = {},
): Promise<{ months: number; overdue: OverdueHolding[]; hub: HubRetentionCheck }> {
  await authorize(ctx, actor, 'privacy-admin', 'retention-check');
  return audited(ctx, actor, 'retention-check', async (trail) => {
    const { months } = parseInput(retentionInput, input);
    const snapshot = await ctx.source.openSnapshot();
    try {
      // The snapshot ends as soon as its persons are read: on the embedded database the snapshot holds
      // the one connection, and the lookups that follow would wait for it for ever.
      const overdue = await findOverdueHoldings(ctx.db, closingAfter(snapshot.persons(), snapshot), {
        on: scopeDateOf(ctx.scopeClock ?? 'auto', snapshot.properties, ctx.now()),
        months,
        recipients: [...ctx.recipients.values()],
        // The embedded database has one connection, which the snapshot holds: let it go before lookups.
        scanned: () => snapshot.close(),
      });
      const policy = ctx.retention ?? defaultRetentionPolicy;
      const at = ctx.now();
      const due = await findRetentionDue(ctx.db, at, policy);
      const late = (item: { dueAt: Date }): boolean => at.getTime() - item.dueAt.getTime() > DAY_MS;
      const hub: HubRetentionCheck = {
        policy,
        runs: due.runs.filter(late).length,
        feedFiles: due.feedFiles.filter(late).length,
        disclosureTransfers: due.disclosureTransfers.filter(late).length,
        keptForHolds: due.keptForHolds,
      };
      trail.detail =
        `${overdue.length} overdue holdings (more than ${months} months inactive); hub: ` +
        `${hub.runs} runs, ${hub.feedFiles} feed files, ${hub.disclosureTransfers} transfers' disclosures overdue`;
      return { months, overdue, hub };
    } finally {
      await snapshot.close();
    }
  });
}

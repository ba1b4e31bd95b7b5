import { HubError, type ErrorCode } from '../errors/index.js';
import { holdersAmong } from '../privacy/index.js';
import type { Actor } from './actor.js';
import type { AuditTrail } from './audited.js';
import { recordAndExecuteRun } from './execute-run.js';
import type { OperationContext } from './operation-context.js';
import type { RunObserver, RunReport } from './run-report.js';

/**
 * After an erasure (`forget`) or a restriction (`restrict`): a delta run now to the recipients that hold
 * the person, then a look at who still does. Done only when nobody does; otherwise `pending.code` names
 * each recipient still holding them and why (a held delta to approve, a failed transfer), and the
 * command to run again once that is settled.
 */
export async function deltaToHolders(
  ctx: OperationContext,
  trail: AuditTrail,
  actor: Actor,
  request: {
    personKey: string;
    holders: readonly string[];
    /** The run's reason: `forget KEY: why`. */
    reason: string;
    observer: RunObserver | undefined;
    pending: { code: ErrorCode; state: string; again: string };
  },
): Promise<RunReport> {
  const { personKey, holders, pending } = request;
  const run = await recordAndExecuteRun(
    ctx,
    trail,
    {
      recipientIds: [...holders],
      trigger: 'operator',
      feedType: 'delta',
      requestedBy: actor.name,
      reason: request.reason,
    },
    { audit: false, observer: request.observer },
  );
  const stillHolding = await holdersAmong(ctx.db, personKey, holders);
  if (stillHolding.length > 0) {
    const waiting = run.feeds
      .filter((feed) => stillHolding.includes(feed.recipient))
      .map((feed) =>
        feed.status === 'held'
          ? `${feed.recipient} (delta held: pifu-hub hold show ${feed.transferId}, then approve it)`
          : `${feed.recipient} (transfer ${feed.transferId} ${feed.status})`,
      );
    throw new HubError(
      pending.code,
      `person ${personKey} is ${pending.state}, but still held by ${waiting.join(', ')}; ` +
        `run \`${pending.again}\` again once that is done`,
    );
  }
  return run;
}

import { existsSync } from 'node:fs';
import { findFeed, type Feed } from '../feed/feed-repository.js';
import { planFeed, recordSkippedFeed, type FeedPlan } from '../feed/feed-plan.js';
import { feedPseudonymKey } from '../feed/pseudonym-secret.js';
import type { RosterProperties } from '../model/index.js';
import { earlierPendingTransfers } from '../transfer/recipient-lock.js';
import { listRunTransfers } from '../transfer/transfer-repository.js';
import type { HubContext } from './hub-context.js';
import { runSpoolPaths } from './run-paths.js';
import { findRun } from './run-repository.js';
import { scopeDateOf } from './scope-date.js';

type Skip = Extract<FeedPlan, { mode: 'skip' }>;

/**
 * A delta run with nothing to send costs one query, not a snapshot. Before the run reads the source, the
 * source is asked what its snapshot would be as of (`peekSnapshot`), and every recipient's feed is
 * planned on that with the feed step's own plan (planFeed), the scope date decided as takeSnapshot
 * decides it. When every plan is the quiet skip (the same source snapshot, scope date and profile as
 * the recipient's last delivery, nobody forgotten or restricted since, no freeze) or the delta already
 * on hold for an operator (nothing changed since it was computed either), each recipient is
 * recorded skipped exactly as the feed step records it, and the run needs no snapshot, no spool and no
 * file: the caller finishes it. Anything else, or anything uncertain, says no and the run takes its
 * snapshot as before: a needless snapshot is only slow, a missed change would be a defect. So a source
 * that cannot tell, a resync, a run accepting a source drop, a run whose roster is spooled already (an
 * import), a full or a frozen or deferred recipient, a run whose snapshot an earlier attempt took, and a
 * recipient with an earlier transfer still on its way (its feed step would wait for it and plan on the
 * state it leaves) all say no. Safe to repeat: skips recorded by an earlier attempt stay, the rest are
 * planned again.
 *
 * @returns whether every transfer of the run is recorded skipped and the run needs no snapshot.
 */
export async function skipUnchangedRun(ctx: HubContext, runId: string): Promise<boolean> {
  if (ctx.source.peekSnapshot === undefined) return false;
  const run = await findRun(ctx.db, runId);
  if (run?.status !== 'running' || run.trigger === 'resync' || run.snapshotAt !== null) return false;
  // An operator accepting a source drop wants this snapshot seen by the guard, as the next baseline.
  if (run.acceptSourceDropReason !== null) return false;
  // A roster spooled before the run executes (an imported file is the run's snapshot), or partly by an
  // earlier attempt: the run goes on with its own roster, whatever the source says.
  if (existsSync(runSpoolPaths(ctx.spoolDir, runId).rosterDir)) return false;
  const transfers = await listRunTransfers(ctx.db, runId);
  // Skipped: by an earlier attempt of this step; anything else is another story (failed, cancelled).
  if (transfers.some((transfer) => transfer.status !== 'pending' && transfer.status !== 'skipped')) {
    return false;
  }
  const pending = transfers.filter((transfer) => transfer.status === 'pending');
  const log = ctx.logger.child({ runId });
  let properties: RosterProperties;
  try {
    properties = await ctx.source.peekSnapshot();
  } catch (error) {
    // The snapshot says what is wrong with the source, and retries as it always did.
    log.debug({ err: error instanceof Error ? error.message : String(error) }, 'source peek failed');
    return false;
  }
  const scopeDate = scopeDateOf(ctx.scopeClock ?? 'auto', properties, ctx.now());
  const skips: { feed: Feed; plan: Skip }[] = [];
  for (const transfer of pending) {
    const recipient = ctx.recipients.get(transfer.recipientId);
    const feed = await findFeed(ctx.db, transfer.feedId);
    if (recipient === undefined || feed?.status !== 'pending') return false;
    if ((await earlierPendingTransfers(ctx.db, transfer.id)).length > 0) return false;
    const fingerprint = (await feedPseudonymKey(ctx.db, recipient))?.fingerprint;
    const plan = await planFeed(ctx, { feed, recipient, run, properties, scopeDate, fingerprint });
    if (plan.mode !== 'skip' || (plan.cause !== 'unchanged' && plan.cause !== 'held')) return false;
    skips.push({ feed, plan });
  }
  for (const { feed, plan } of skips) await recordSkippedFeed(ctx, feed, plan);
  log.info(
    { recipients: skips.length, snapshotAt: properties.snapshotAt, scopeDate },
    'nothing changed for any recipient since its last delivery; no snapshot taken',
  );
  return true;
}

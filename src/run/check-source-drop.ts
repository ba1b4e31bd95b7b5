import { defaultSourceDropLimits } from '../config/index.js';
import { HubError } from '../errors/index.js';
import type { RosterSpoolCounts } from '../spool/index.js';
import type { HubContext } from './hub-context.js';
import type { Run } from './run.js';
import { findSourceBaseline, recordSourceCheck } from './run-repository.js';
import { describeSourceDrops, findSourceDrops } from './source-guard.js';

/**
 * The source sanity guard, between the snapshot and the first feed: a snapshot that shrank past the
 * limits since the last good one stops the run (PIFU_SOURCE_DROP, not retryable, with the numbers),
 * unless the run was started with `acceptSourceDrop`; then it goes on and is the next run's baseline.
 * A partial source would otherwise reach every recipient as deletes. The first run has no baseline and
 * passes. The verdict is kept with the run, so `run show` says it and the next run finds its baseline.
 */
export async function checkSourceDrop(ctx: HubContext, run: Run, counts: RosterSpoolCounts): Promise<void> {
  const baseline = await findSourceBaseline(ctx.db, run.id);
  const limits = ctx.sourceDropLimits ?? defaultSourceDropLimits;
  const drops = baseline === undefined ? [] : findSourceDrops(baseline.counts, counts, limits);
  if (baseline === undefined || drops.length === 0) {
    await recordSourceCheck(ctx.db, run.id, { result: 'passed', drop: undefined });
    return;
  }
  const drop = describeSourceDrops(drops);
  const log = ctx.logger.child({ runId: run.id, baselineRunId: baseline.runId });
  if (run.acceptSourceDropReason !== null) {
    await recordSourceCheck(ctx.db, run.id, { result: 'accepted', drop });
    log.warn({ drop, reason: run.acceptSourceDropReason }, 'source drop accepted by the operator');
    return;
  }
  await recordSourceCheck(ctx.db, run.id, { result: 'stopped', drop });
  log.error({ drop }, 'source drop stopped the run');
  throw new HubError(
    'PIFU_SOURCE_DROP',
    `the source's snapshot shrank since the last good one (run ${baseline.runId}): ${drop}; nothing ` +
      "was sent. Check the source (the records store, or the school system's export); if the drop is " +
      'real (a school closed, the school-year rollover, a switch of school system), confirm it with ' +
      '`pifu-hub export … --accept-source-drop --reason TEXT` (or `pifu-hub import FILE` with the same two)',
  );
}

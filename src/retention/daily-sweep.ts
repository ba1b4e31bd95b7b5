import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/index.js';
import type { HubDatabase } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { osloDate, wallClock, schedulerTimeZone } from '../schedule/index.js';
import { applyRetention, describeRetention, type RetentionSummary } from './apply-retention.js';
import { defaultRetentionPolicy, type RetentionPolicy } from './retention-policy.js';

/** The daily sweep's slot, Europe/Oslo wall-clock time: after the nightly fulls, before the school day. */
const retentionSlotMinutes = 4 * 60 + 45;

/**
 * The daily sweep due at `at`: `retention-YYYY-MM-DD` once the Oslo day's slot has passed, else
 * undefined. A scheduler that was down at 04:45 fires it at its next tick the same day; the next day's
 * sweep catches up on anything a missed day left, since every sweep applies the whole policy.
 */
function dueRetentionSweep(at: Date): string | undefined {
  const wall = new Date(wallClock(at.getTime(), schedulerTimeZone));
  const minutes = wall.getUTCHours() * 60 + wall.getUTCMinutes();
  return minutes >= retentionSlotMinutes ? `retention-${osloDate(at)}` : undefined;
}

/**
 * The scheduler's daily sweep, once per day however many schedulers run: the first to record the day's
 * row does it (the primary key decides), audited as `scheduler`. A sweep that fails gives the day back,
 * so the next tick (of any scheduler) tries again. Returns undefined when there was nothing for this
 * scheduler to do.
 */
export async function runDailyRetention(
  ctx: {
    db: Kysely<HubDatabase>;
    spoolDir: string;
    logger: Logger;
    now: () => Date;
    retention?: RetentionPolicy;
  },
  at: Date,
): Promise<RetentionSummary | undefined> {
  const id = dueRetentionSweep(at);
  if (id === undefined) return undefined;
  const claimed = await ctx.db
    .insertInto('hub.retention_sweep')
    .values({ id, started_at: ctx.now() })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (claimed === undefined) return undefined;
  try {
    const summary = await applyRetention(
      ctx,
      ctx.now(),
      ctx.retention ?? defaultRetentionPolicy,
      (trx, done) =>
        recordAudit(trx, {
          actor: 'scheduler',
          action: 'retention',
          subject: id,
          detail: describeRetention(done),
        }),
    );
    await ctx.db
      .updateTable('hub.retention_sweep')
      .set({ finished_at: ctx.now(), summary: JSON.stringify({ ...summary, at: summary.at.toISOString() }) })
      .where('id', '=', id)
      .execute();
    return summary;
  } catch (error) {
    await ctx.db.deleteFrom('hub.retention_sweep').where('id', '=', id).execute();
    throw error;
  }
}

import { HubError } from '../errors/index.js';
import type { FeedType } from '../model/index.js';
import { parseSchedule } from './parse-schedule.js';
import type { RecipientSchedule } from './slots.js';

/** What of a recipient's config the schedules come from (a `RecipientConfig` is one). */
export interface ScheduledRecipient {
  readonly id: string;
  readonly schedule?: { readonly full?: string; readonly delta?: string } | undefined;
  readonly feed: { readonly accepts: readonly FeedType[] };
}

export interface IgnoredSchedule extends RecipientSchedule {
  readonly reason: string;
}

/**
 * The schedules the recipients' configs ask for: `schedule.full` and `schedule.delta`, the latter only
 * where `feed.accepts` includes deltas. Config validation refuses an expression the scheduler cannot
 * read; one that got past it anyway stops the scheduler here, naming the recipient.
 */
export function recipientSchedules(recipients: Iterable<ScheduledRecipient>): {
  schedules: RecipientSchedule[];
  ignored: IgnoredSchedule[];
} {
  const schedules: RecipientSchedule[] = [];
  const ignored: IgnoredSchedule[] = [];
  for (const recipient of recipients) {
    for (const kind of ['full', 'delta'] as const) {
      const expression = recipient.schedule?.[kind];
      if (expression === undefined) continue;
      try {
        parseSchedule(expression);
      } catch (error) {
        throw new HubError(
          'PIFU_RECIPIENT_INVALID',
          `${recipient.id}: schedule.${kind}: ${(error instanceof Error ? error.message : String(error)).replace(/^PIFU_[A-Z_]+: /, '')}`,
          { cause: error },
        );
      }
      const schedule = { recipientId: recipient.id, kind, expression };
      if (kind === 'delta' && !recipient.feed.accepts.includes('delta')) {
        ignored.push({ ...schedule, reason: 'feed.accepts does not include "delta"' });
      } else {
        schedules.push(schedule);
      }
    }
  }
  return { schedules, ignored };
}

import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import type { Logger } from '../log/index.js';
import type { DeadLetter } from '../ports/queue-inspector.js';
import type { NotificationChannel } from '../ports/notification-channel.js';
import { dropSettled, findEvents, pruneSent, type HubEvent } from './events.js';

/** A channel that keeps failing is given up on for an event after this many tries (a day of ticks). */
const maxAttempts = 1_440;
/** Events per digest; more wait for the next tick. */
const perDigest = 200;

export interface NotifyOptions {
  readonly db: Kysely<HubDatabase>;
  readonly logger: Logger;
  readonly channels: readonly NotificationChannel[];
  readonly hub: string;
  readonly recipientIds: readonly string[];
  readonly staleHours: number;
  readonly deadLetters?: () => Promise<readonly DeadLetter[]>;
  readonly at: Date;
}

export interface NotifyOutcome {
  /** Events found now that no earlier tick had recorded. */
  readonly recorded: number;
  /** Per channel: events it took now, or why it did not. */
  readonly channels: readonly { channel: string; sent: number; error?: string }[];
}

/**
 * One notification tick (the scheduler runs it every minute): find what holds now, record each new
 * event once per channel in the outbox, then send each channel its unsent events as one digest. Any
 * number of schedulers may tick at once: recording is idempotent by key, and a channel's unsent rows are
 * taken with `FOR UPDATE SKIP LOCKED`, so a second scheduler does not send them too. A channel that
 * fails keeps its rows for the next tick; the others are not held up.
 */
export async function notifyOperators(options: NotifyOptions): Promise<NotifyOutcome> {
  const { db, channels } = options;
  if (channels.length === 0) return { recorded: 0, channels: [] };
  const events = await findEvents(options);
  let recorded = 0;
  if (events.length > 0) {
    const result = await db
      .insertInto('hub.notification')
      .values(
        events.flatMap((event) =>
          channels.map((channel) => ({
            event_key: event.key,
            channel: channel.name,
            kind: event.kind,
            event: JSON.stringify(event),
          })),
        ),
      )
      .onConflict((conflict) => conflict.columns(['event_key', 'channel']).doNothing())
      .executeTakeFirst();
    recorded = Math.round(Number(result.numInsertedOrUpdatedRows ?? 0n) / channels.length);
  }
  await dropSettled(db);
  const outcomes = [];
  for (const channel of channels) outcomes.push(await sendUnsent(options, channel));
  await pruneSent(db, options.at);
  return { recorded, channels: outcomes };
}

async function sendUnsent(
  options: NotifyOptions,
  channel: NotificationChannel,
): Promise<{ channel: string; sent: number; error?: string }> {
  return options.db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('hub.notification')
      .select(['event_key', 'event'])
      .where('channel', '=', channel.name)
      .where('sent_at', 'is', null)
      .where('attempts', '<', maxAttempts)
      .orderBy('created_at')
      .orderBy('event_key')
      .limit(perDigest)
      .forUpdate()
      .skipLocked()
      .execute();
    if (rows.length === 0) return { channel: channel.name, sent: 0 };
    const keys = rows.map((row) => row.event_key);
    const events = rows.map((row) => row.event as HubEvent);
    const digest = {
      id: createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 32),
      hub: options.hub,
      sentAt: options.at.toISOString(),
      events,
    };
    try {
      await channel.send(digest);
    } catch (error) {
      const why = (error instanceof Error ? error.message : String(error)).slice(0, 300);
      await trx
        .updateTable('hub.notification')
        .set({ attempts: sql`attempts + 1`, last_error: why })
        .where('channel', '=', channel.name)
        .where('event_key', 'in', keys)
        .execute();
      options.logger.warn({ channel: channel.name, events: keys.length, err: why }, 'notification not sent');
      return { channel: channel.name, sent: 0, error: why };
    }
    await trx
      .updateTable('hub.notification')
      .set({ sent_at: options.at, attempts: sql`attempts + 1`, last_error: null })
      .where('channel', '=', channel.name)
      .where('event_key', 'in', keys)
      .execute();
    options.logger.info(
      { channel: channel.name, events: keys.length, digest: digest.id },
      'notification sent',
    );
    return { channel: channel.name, sent: keys.length };
  });
}

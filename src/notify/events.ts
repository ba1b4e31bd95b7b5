import { sql, type Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import { readRecipientStandings } from '../metrics/index.js';
import type { DeadLetter } from '../ports/queue-inspector.js';

/**
 * What operators are told without asking (docs/configuration.md#notifications). Every field is an id, a
 * count or a time: never a name, a national identity number, a reason typed by an operator or an error
 * text (a rejection may quote one). The key names the event once: the same event found on a later tick
 * has the same key, a new one (a transfer that failed again after a retry) a new key.
 */
export type HubEvent =
  | {
      readonly kind: 'transfer-failed';
      readonly key: string;
      readonly transferId: string;
      readonly recipientId: string;
      readonly runId: string;
      readonly attempts: number;
    }
  | { readonly kind: 'dead-letter'; readonly key: string; readonly queue: string; readonly jobId: string }
  | {
      readonly kind: 'hold-waiting';
      readonly key: string;
      readonly transferId: string;
      readonly recipientId: string;
      readonly runId: string;
      readonly added: number;
      readonly changed: number;
      readonly deleted: number;
    }
  | {
      readonly kind: 'recipient-stale';
      readonly key: string;
      readonly recipientId: string;
      readonly lastDeliveredAt: string;
      readonly hours: number;
    };

export type HubEventKind = HubEvent['kind'];

/** One message to a channel: the events of one tick, oldest first. */
export interface NotificationDigest {
  /** Stable for the same events: a receiver recognises a digest sent again after a failed attempt. */
  readonly id: string;
  /** The hub's source name (PIFU_HUB_SOURCE_NAME), so one receiver can serve several hubs. */
  readonly hub: string;
  readonly sentAt: string;
  readonly events: readonly HubEvent[];
}

/** Failed transfers are looked for this far back, so a first start does not report old history. */
const failedLookbackMs = 7 * 24 * 3_600_000;
/** At most this many of each kind per look; the rest follow on later ticks. */
const perKind = 100;

export interface EventSources {
  readonly db: Kysely<HubDatabase>;
  /** Configured recipients: only these are watched for not being delivered to. */
  readonly recipientIds: readonly string[];
  /** BullMQ's failed sets; undefined without a shared queue. */
  readonly deadLetters?: () => Promise<readonly DeadLetter[]>;
  readonly staleHours: number;
  readonly at: Date;
}

/** Every event that holds now: failed transfers, dead letters, holds waiting, recipients not delivered to. */
export async function findEvents(sources: EventSources): Promise<HubEvent[]> {
  const { db, at } = sources;
  const failed = await db
    .selectFrom('hub.transfer')
    .select(['id', 'recipient_id', 'run_id', 'attempts'])
    .where('status', '=', 'failed')
    .where('created_at', '>=', new Date(at.getTime() - failedLookbackMs))
    .orderBy('created_at')
    .limit(perKind)
    .execute();
  const holds = await db
    .selectFrom('hub.hold')
    .select(['transfer_id', 'recipient_id', 'run_id', 'added', 'changed', 'deleted'])
    .where('decision', 'is', null)
    .orderBy('created_at')
    .limit(perKind)
    .execute();
  const events: HubEvent[] = [
    ...failed.map((row): HubEvent => ({
      kind: 'transfer-failed',
      key: `transfer-failed:${row.id}:${row.attempts}`,
      transferId: row.id,
      recipientId: row.recipient_id,
      runId: row.run_id,
      attempts: row.attempts,
    })),
    ...holds.map((row): HubEvent => ({
      kind: 'hold-waiting',
      key: `hold-waiting:${row.transfer_id}`,
      transferId: row.transfer_id,
      recipientId: row.recipient_id,
      runId: row.run_id,
      added: row.added,
      changed: row.changed,
      deleted: row.deleted,
    })),
  ];
  for (const letter of (await sources.deadLetters?.()) ?? []) {
    events.push({
      kind: 'dead-letter',
      key: `dead-letter:${letter.queue}:${letter.jobId}`,
      queue: letter.queue,
      jobId: letter.jobId,
    });
  }
  const watched = new Set(sources.recipientIds);
  const staleBefore = at.getTime() - sources.staleHours * 3_600_000;
  for (const standing of await readRecipientStandings(db)) {
    const last = standing.lastDeliveredAt;
    if (!watched.has(standing.recipientId) || last === null || last.getTime() >= staleBefore) continue;
    events.push({
      kind: 'recipient-stale',
      // One per episode: the next delivery starts a new one.
      key: `recipient-stale:${standing.recipientId}:${last.toISOString()}`,
      recipientId: standing.recipientId,
      lastDeliveredAt: last.toISOString(),
      hours: sources.staleHours,
    });
  }
  return events;
}

/** Sent notifications are kept this long, so an event is not reported again while it may still hold. */
const sentRetentionDays = 90;

export async function pruneSent(db: Kysely<HubDatabase>, at: Date): Promise<void> {
  await db
    .deleteFrom('hub.notification')
    .where('sent_at', '<', new Date(at.getTime() - sentRetentionDays * 86_400_000))
    .execute();
}

/** `hold-waiting` keys of holds since decided: nothing to tell any more, nothing to send. */
export async function dropSettled(db: Kysely<HubDatabase>): Promise<void> {
  await sql`DELETE FROM hub.notification n WHERE n.sent_at IS NULL AND n.kind = 'hold-waiting'
    AND EXISTS (SELECT 1 FROM hub.hold h WHERE h.transfer_id = n.event->>'transferId'
      AND h.decision IS NOT NULL)`.execute(db);
}

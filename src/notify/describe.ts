import type { HubEvent, HubEventKind, NotificationDigest } from './events.js';

/** One line per event, for e-mail and logs: ids and counts, as the event holds them. */
export function describeEvent(event: HubEvent): string {
  switch (event.kind) {
    case 'transfer-failed':
      return `transfer failed: ${event.transferId} to ${event.recipientId} (run ${event.runId}, ${event.attempts} attempts); retry it with \`pifu-hub retry ${event.transferId}\``;
    case 'dead-letter':
      return `dead letter: job ${event.jobId} in queue ${event.queue} failed for good`;
    case 'hold-waiting':
      return `hold waiting: ${event.transferId} to ${event.recipientId} would add ${event.added}, change ${event.changed}, delete ${event.deleted}; review it with \`pifu-hub hold show ${event.transferId}\``;
    case 'recipient-stale':
      return `not delivered: ${event.recipientId} has had no delivery for over ${event.hours} h (last ${event.lastDeliveredAt})`;
  }
}

const kindNames: Record<HubEventKind, [string, string]> = {
  'transfer-failed': ['failed transfer', 'failed transfers'],
  'dead-letter': ['dead letter', 'dead letters'],
  'hold-waiting': ['hold waiting', 'holds waiting'],
  'recipient-stale': ['recipient not delivered', 'recipients not delivered'],
};

/** `[pifu-hub] 2 failed transfers, 1 hold waiting`. */
export function digestSubject(digest: NotificationDigest): string {
  const counts = new Map<HubEventKind, number>();
  for (const event of digest.events) counts.set(event.kind, (counts.get(event.kind) ?? 0) + 1);
  const parts = (Object.keys(kindNames) as HubEventKind[])
    .filter((kind) => counts.has(kind))
    .map((kind) => {
      const count = counts.get(kind) ?? 0;
      return `${count} ${kindNames[kind][count === 1 ? 0 : 1]}`;
    });
  return `[${digest.hub}] ${parts.join(', ')}`;
}

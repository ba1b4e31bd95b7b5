import type { FeedReport } from '../../src/operations/index.js';
import { formatTable } from './output.js';

/** A run's feeds as a table, then one line per recipient that failed. */
export function formatFeeds(feeds: readonly FeedReport[]): string {
  const table = formatTable(
    [
      'recipient',
      'status',
      'type',
      'added',
      'changed',
      'deleted',
      'persons',
      'groups',
      'memberships',
      'bytes',
      'sha-256',
      'seconds',
    ],
    feeds.map((feed) => [
      feed.recipient,
      feed.status,
      feed.type,
      feed.type === 'delta' ? feed.added : '-',
      feed.type === 'delta' ? feed.changed : '-',
      feed.type === 'delta' ? feed.deleted : '-',
      feed.persons,
      feed.groups,
      feed.memberships,
      feed.bytes,
      feed.sha256?.slice(0, 16) ?? '-',
      feed.seconds.toFixed(2),
    ]),
  );
  const failures = feeds
    .filter((feed) => feed.error !== null)
    .map((feed) => `${feed.recipient}: ${feed.error ?? ''}`);
  return [table, ...failures].join('\n');
}

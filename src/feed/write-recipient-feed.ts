import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  disclosedCategories,
  disclosureManifestPath,
  formatDisclosureLine,
  type DisclosureLine,
} from '../disclosure/index.js';
import { HubError } from '../errors/index.js';
import { writeFileAtomically } from '../files/index.js';
import type { Group, Membership, Person } from '../model/index.js';
import { renderFeed, type FeedEntry } from '../pifu/index.js';
import type { HubContext } from '../run/hub-context.js';
import { runSpoolPaths } from '../run/run-paths.js';
import { openRosterSpool } from '../spool/index.js';
import { findFeed, recordFeedWritten } from './feed-repository.js';

export interface FeedSummary {
  readonly feedId: string;
  readonly recipientId: string;
  readonly filePath: string;
  readonly persons: number;
  readonly groups: number;
  readonly memberships: number;
  readonly sizeBytes: number;
  readonly sha256Hex: string;
}

/**
 * Writes one recipient's PIFU feed from the run's spool into the spool directory, with the sha-256
 * computed while writing and a disclosure manifest beside it. Safe to repeat: a feed already written
 * is not written again, and an interrupted one is rewritten from the same snapshot, byte for byte.
 */
export async function writeRecipientFeed(
  ctx: HubContext,
  feedId: string,
  options: { signal?: AbortSignal } = {},
): Promise<FeedSummary> {
  const feed = await findFeed(ctx.db, feedId);
  if (feed === undefined) throw new HubError('PIFU_RUN_UNKNOWN', `feed ${feedId} does not exist`);
  const log = ctx.logger.child({ runId: feed.run_id, feedId, recipientId: feed.recipient_id });
  if (feed.status === 'written' && feed.file_path !== null && existsSync(feed.file_path)) {
    log.info('feed already written; reusing it');
    return summaryOf(feed.id, feed.recipient_id, feed.file_path, feed);
  }
  const paths = runSpoolPaths(ctx.spoolDir, feed.run_id);
  const roster = await openRosterSpool(paths.rosterDir);
  const filePath = paths.feedPath(feed.recipient_id);
  await mkdir(dirname(filePath), { recursive: true });
  const manifest = createWriteStream(disclosureManifestPath(filePath));
  const counts = { persons: 0, groups: 0, memberships: 0 };
  const started = performance.now();
  try {
    const written = await writeFileAtomically(
      filePath,
      renderFeed({
        properties: roster.properties,
        feedType: feed.feed_type,
        orgUnits: await collectOrgUnits(roster.groups()),
        persons: discloseEach(roster.persons(), manifest, counts),
        groups: countEach(roster.groups(), counts),
        memberships: discloseMembers(roster.memberships(), manifest, counts),
      }),
      options,
    );
    manifest.end();
    await once(manifest, 'close');
    const writeMs = Math.round(performance.now() - started);
    await recordFeedWritten(ctx.db, feedId, {
      filePath,
      ...counts,
      ...written,
      writtenAt: ctx.now(),
      writeMs,
    });
    log.info({ ...counts, sizeBytes: written.sizeBytes, writeMs }, 'feed written');
    return summaryOf(feedId, feed.recipient_id, filePath, {
      ...counts,
      size_bytes: written.sizeBytes,
      sha256_hex: written.sha256Hex,
    });
  } catch (error) {
    manifest.destroy();
    throw error;
  }
}

/**
 * Short names of the owner and the schools, for every group's relationship label. One pass over the
 * groups; at most one entry per school (about 200 at Oslo scale).
 */
async function collectOrgUnits(groups: AsyncIterable<Group>): Promise<Map<string, string>> {
  const orgUnits = new Map<string, string>();
  for await (const group of groups) {
    if (group.type === 'skoleeier' || group.type === 'skole') orgUnits.set(group.key, group.shortName);
  }
  return orgUnits;
}

async function writeLine(stream: WriteStream, line: DisclosureLine): Promise<void> {
  if (!stream.write(formatDisclosureLine(line))) await once(stream, 'drain');
}

async function* discloseEach(
  persons: AsyncIterable<Person>,
  manifest: WriteStream,
  counts: { persons: number },
): AsyncGenerator<FeedEntry<Person>> {
  for await (const person of persons) {
    counts.persons++;
    await writeLine(manifest, {
      kind: 'person',
      personKey: person.key,
      categories: disclosedCategories(person),
    });
    yield { object: person };
  }
}

async function* countEach(
  groups: AsyncIterable<Group>,
  counts: { groups: number },
): AsyncGenerator<FeedEntry<Group>> {
  for await (const group of groups) {
    counts.groups++;
    yield { object: group };
  }
}

async function* discloseMembers(
  memberships: AsyncIterable<Membership>,
  manifest: WriteStream,
  counts: { memberships: number },
): AsyncGenerator<FeedEntry<Membership>> {
  let previousPerson: string | undefined;
  for await (const membership of memberships) {
    counts.memberships++;
    // Consecutive records of one person (several roles in one group) need one line, not one each.
    if (membership.personKey !== previousPerson) {
      await writeLine(manifest, { kind: 'member', personKey: membership.personKey });
      previousPerson = membership.personKey;
    }
    yield { object: membership };
  }
}

function summaryOf(
  feedId: string,
  recipientId: string,
  filePath: string,
  row: {
    persons: number | null;
    groups: number | null;
    memberships: number | null;
    size_bytes: number | null;
    sha256_hex: string | null;
  },
): FeedSummary {
  return {
    feedId,
    recipientId,
    filePath,
    persons: row.persons ?? 0,
    groups: row.groups ?? 0,
    memberships: row.memberships ?? 0,
    sizeBytes: Number(row.size_bytes ?? 0),
    sha256Hex: row.sha256_hex ?? '',
  };
}

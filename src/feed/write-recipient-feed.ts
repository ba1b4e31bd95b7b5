import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { disclosureManifestPath, formatDisclosureLine, type DisclosureLine } from '../disclosure/index.js';
import { HubError } from '../errors/index.js';
import { writeFileAtomically } from '../files/index.js';
import type { Group, Membership, Roster } from '../model/index.js';
import { renderFeed, type FeedEntry, type FeedPerson } from '../pifu/index.js';
import {
  viewThroughProfile,
  type DisclosedMembership,
  type DisclosedPerson,
  type RecipientView,
} from '../profiles/index.js';
import type { RecipientConfig } from '../config/index.js';
import type { HubContext } from '../run/hub-context.js';
import { runSpoolPaths } from '../run/run-paths.js';
import { openRosterSpool } from '../spool/index.js';
import { findFeed, recordFeedWritten } from './feed-repository.js';
import { pseudonymSecret } from './pseudonym-secret.js';

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
  const recipient = ctx.recipients.get(feed.recipient_id);
  if (recipient === undefined) {
    throw new HubError(
      'PIFU_RECIPIENT_UNKNOWN',
      `feed ${feedId} is for recipient ${feed.recipient_id}, which is not configured`,
    );
  }
  const paths = runSpoolPaths(ctx.spoolDir, feed.run_id);
  const roster = await openRosterSpool(paths.rosterDir);
  const view = await recipientView(ctx, recipient, roster);
  if (view.unmatchedSchools.length > 0) {
    log.warn({ schools: view.unmatchedSchools }, 'profile names schools the source does not have');
  }
  const filePath = paths.feedPath(feed.recipient_id);
  await mkdir(dirname(filePath), { recursive: true });
  const manifest = createWriteStream(disclosureManifestPath(filePath));
  const counts = { persons: 0, groups: 0, memberships: 0 };
  const started = performance.now();
  try {
    const written = await writeFileAtomically(
      filePath,
      renderFeed({
        properties: view.properties,
        feedType: feed.feed_type,
        orgUnits: view.orgUnits,
        persons: discloseEach(view.persons(), manifest, counts),
        groups: countEach(view.groups(), counts),
        memberships: discloseMembers(view.memberships(), manifest, counts),
      }),
      options,
    );
    manifest.end();
    await once(manifest, 'close');
    const writeMs = Math.round(performance.now() - started);
    await recordFeedWritten(ctx.db, feedId, {
      filePath,
      recipient,
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

/** The run's roster as this recipient may see it (DESIGN decision 4). */
export async function recipientView(
  ctx: Pick<HubContext, 'db'>,
  recipient: RecipientConfig,
  roster: Roster,
): Promise<RecipientView> {
  const profile = recipient.resolvedProfile;
  return viewThroughProfile(
    roster,
    profile,
    profile.pseudonymise ? { pseudonymKey: await pseudonymSecret(ctx.db, recipient) } : {},
  );
}

async function writeLine(stream: WriteStream, line: DisclosureLine): Promise<void> {
  if (!stream.write(formatDisclosureLine(line))) await once(stream, 'drain');
}

async function* discloseEach(
  persons: AsyncIterable<DisclosedPerson>,
  manifest: WriteStream,
  counts: { persons: number },
): AsyncGenerator<FeedEntry<FeedPerson>> {
  for await (const { personKey, person, disclosed } of persons) {
    counts.persons++;
    await writeLine(manifest, { kind: 'person', personKey, categories: disclosed });
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
  memberships: AsyncIterable<DisclosedMembership>,
  manifest: WriteStream,
  counts: { memberships: number },
): AsyncGenerator<FeedEntry<Membership>> {
  let previousPerson: string | undefined;
  for await (const { personKey, membership } of memberships) {
    counts.memberships++;
    // Consecutive records of one person (several roles in one group) need one line, not one each.
    if (personKey !== previousPerson) {
      await writeLine(manifest, { kind: 'member', personKey });
      previousPerson = personKey;
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

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HubError } from '../errors/index.js';
import { viewCode, type RecipientView } from '../profiles/index.js';
import type { HubContext } from '../run/hub-context.js';
import { runSpoolPaths } from '../run/run-paths.js';
import { findRun } from '../run/run-repository.js';
import { scopeDateOf } from '../run/scope-date.js';
import { openRosterSpool } from '../spool/index.js';
import { confirmRecipientState, findRecipientState, type ViewBasis } from '../state/index.js';
import { findFeed, recordFeedEmpty, recordFeedWritten, type Feed } from './feed-repository.js';
import { planFeed, profileHash, recordSkippedFeed } from './feed-plan.js';
import { removeFeedFiles, writeFeedFiles } from './feed-files.js';
import { holdIfOverThreshold } from './hold-check.js';
import { incrementalPart } from './incremental-delta.js';
import { feedPseudonymKey } from './pseudonym-secret.js';
import { sharedGroupScope } from './shared-group-scopes.js';
import { releaseRunSharing, sharePersonPass } from './shared-person-pass.js';
import { loadViewInputs, recipientView } from './render-recipient-feed.js';

export interface FeedSummary {
  readonly feedId: string;
  readonly recipientId: string;
  /** `empty`: a delta with nothing to send (or a frozen one), so no file and nothing to deliver. */
  readonly status: 'written' | 'empty';
  readonly feedType: 'full' | 'delta';
  readonly filePath: string;
  readonly persons: number;
  readonly groups: number;
  readonly memberships: number;
  readonly added: number;
  readonly changed: number;
  readonly deleted: number;
  readonly sizeBytes: number;
  readonly sha256Hex: string;
  /** Set when the delta went over the recipient's safety threshold and waits for an operator. */
  readonly held?: string;
  /** For a delta written now: `incremental`, or why the whole view was merged (src/feed/incremental-delta.ts). */
  readonly merge?: string;
}

/**
 * Writes one recipient's PIFU feed from the run's spool into the spool directory: the roster through the
 * recipient's profile, then either all of it (full) or what differs from what the recipient holds
 * (delta). The sha-256 is computed while writing; a disclosure manifest and a state manifest go beside
 * the file, for the acknowledgement to commit. Safe to repeat: a feed already written is not written
 * again, and an interrupted one is rewritten from the same snapshot and the same delivered state.
 */
export async function writeRecipientFeed(
  ctx: HubContext,
  feedId: string,
  options: { signal?: AbortSignal } = {},
): Promise<FeedSummary> {
  const feed = await findFeed(ctx.db, feedId);
  if (feed === undefined) throw new HubError('PIFU_RUN_UNKNOWN', `feed ${feedId} does not exist`);
  const log = ctx.logger.child({ runId: feed.runId, feedId, recipientId: feed.recipientId });
  if (
    (feed.status === 'written' && feed.filePath !== null && existsSync(feed.filePath)) ||
    feed.status === 'empty'
  ) {
    log.info('feed already written; reusing it');
    // A crash between recording the feed and checking its thresholds must not let a mass delete through:
    // the check is idempotent (it only ever holds a still-pending transfer), so it runs again here,
    // against the state the feed was computed against (a feed whose base moved is refused at delivery).
    const recipient = ctx.recipients.get(feed.recipientId);
    const state = await findRecipientState(ctx.db, feed.recipientId);
    const basedOn = feed.basedOnTransferId;
    if (feed.status === 'written' && recipient !== undefined && basedOn !== null && state !== undefined) {
      const counts = summaryOf(feed);
      await holdIfOverThreshold(ctx, { feed, recipient, counts, heldObjects: state.objects, basedOn });
    }
    return summaryOf(feed);
  }
  const recipient = ctx.recipients.get(feed.recipientId);
  if (recipient === undefined) {
    throw new HubError(
      'PIFU_RECIPIENT_UNKNOWN',
      `feed ${feedId} is for recipient ${feed.recipientId}, which is not configured`,
    );
  }
  const run = await findRun(ctx.db, feed.runId);
  const paths = runSpoolPaths(ctx.spoolDir, feed.runId);
  const roster = await openRosterSpool(paths.rosterDir);
  // The run's day, fixed with its snapshot; a run recorded before the hub stored it gets today's.
  const scopeDate = run?.scopeDate ?? scopeDateOf(ctx.scopeClock ?? 'auto', roster.properties, ctx.now());
  const key = await feedPseudonymKey(ctx.db, recipient);
  const secret = key?.secret;
  const fingerprint = key?.fingerprint;
  // Taken before the forgotten and restricted sets are read: a change after it is not in this view.
  const checkedAt = ctx.now();
  const plan = await planFeed(ctx, {
    feed,
    recipient,
    run,
    properties: roster.properties,
    groups: () => roster.groups(),
    scopeDate,
    fingerprint,
  });
  if (plan.mode === 'skip') {
    await recordSkippedFeed(ctx, feed, plan);
    await releaseRunSharing(ctx, feed, paths.rosterDir);
    return summaryOf((await findFeed(ctx.db, feedId)) ?? feed);
  }
  const inputs = await loadViewInputs(ctx.db, recipient, { scopeDate, pseudonymKey: secret });
  const groupScope = await sharedGroupScope(
    paths.rosterDir,
    () => roster.groups(),
    recipient.resolvedProfile,
    scopeDate,
  );
  const part = await incrementalPart(ctx, {
    recipient,
    plan,
    state: await findRecipientState(ctx.db, recipient.id),
    runId: feed.runId,
    roster,
    inputs,
    groupScope,
  });
  const merge = part.only === undefined ? part.reason : 'incremental';
  const sharing = await sharePersonPass(ctx, feed, recipient, roster.properties.snapshotAt, inputs);
  let view: RecipientView;
  try {
    view = await recipientView(recipient, roster, inputs, {
      ...sharing.options,
      groupScope,
      ...(part.only === undefined ? {} : { only: part.only }),
    });
  } finally {
    // A view that failed before settling its pass leaves a feed waiting for it to make its own.
    sharing.settled();
  }
  if (view.unmatchedSchools.length > 0) {
    log.warn({ schools: view.unmatchedSchools }, 'profile names schools the source does not have');
  }
  const filePath = paths.feedPath(recipient.id);
  await mkdir(dirname(filePath), { recursive: true, mode: 0o700 });
  const started = performance.now();
  const basis: ViewBasis = { runId: feed.runId, code: viewCode(), at: checkedAt.toISOString() };
  const held = part.only === undefined ? undefined : part.held;
  const { counts, written } = await writeFeedFiles(ctx, recipient, view, plan, filePath, {
    secret,
    basis,
    held,
    signal: options.signal,
  });
  const writeMs = Math.round(performance.now() - started);

  if (
    plan.mode === 'delta' &&
    counts.added + counts.changed + counts.deleted === 0 &&
    !recipient.feed.heartbeat
  ) {
    await removeFeedFiles(filePath);
    await recordFeedEmpty(ctx.db, feedId, { feedType: 'delta', reason: 'no changes', at: ctx.now() });
    // What the recipient holds is exactly its view of this snapshot on this day: the next delta with
    // the same snapshot, day and profile is a quiet skip instead of another merge.
    await confirmRecipientState(ctx.db, recipient.id, {
      basedOn: plan.basedOn,
      snapshotAt: new Date(roster.properties.snapshotAt),
      sourceMarker: roster.properties.sourceMarker ?? null,
      scopeDate,
      profileHash: profileHash(recipient),
      checkedAt,
      viewBasis: basis,
    });
    log.info({ writeMs, merge }, 'delta is empty; nothing to send');
    await releaseRunSharing(ctx, feed, paths.rosterDir);
    return { ...summaryOf((await findFeed(ctx.db, feedId)) ?? feed), merge };
  }
  await recordFeedWritten(ctx.db, feedId, {
    filePath,
    recipient,
    feedType: plan.mode,
    basedOn: plan.basedOn ?? null,
    pseudonymFingerprint: fingerprint ?? null,
    ...counts,
    ...written,
    writtenAt: ctx.now(),
    writeMs,
  });
  // A full replaces what the recipient holds, so a full from a half-loaded source is as dangerous as a
  // mass-delete delta: the same thresholds apply to both, against the state the feed replaces.
  const onHold =
    plan.basedOn === undefined
      ? undefined
      : await holdIfOverThreshold(ctx, {
          feed,
          recipient,
          counts,
          heldObjects: plan.heldObjects,
          basedOn: plan.basedOn,
        });
  log.info(
    {
      feedType: plan.mode,
      ...counts,
      sizeBytes: written.sizeBytes,
      writeMs,
      held: onHold,
      personPass: sharing.personPass,
      ...(plan.mode === 'delta' ? { merge } : {}),
    },
    'feed written',
  );
  await releaseRunSharing(ctx, feed, paths.rosterDir);
  const summary = {
    ...summaryOf((await findFeed(ctx.db, feedId)) ?? feed),
    ...(plan.mode === 'delta' ? { merge } : {}),
  };
  return onHold === undefined ? summary : { ...summary, held: onHold };
}

function summaryOf(feed: Feed): FeedSummary {
  return {
    feedId: feed.id,
    recipientId: feed.recipientId,
    status: feed.status === 'empty' ? 'empty' : 'written',
    feedType: feed.feedType,
    filePath: feed.filePath ?? '',
    persons: feed.persons ?? 0,
    groups: feed.groups ?? 0,
    memberships: feed.memberships ?? 0,
    added: feed.added ?? 0,
    changed: feed.changed ?? 0,
    deleted: feed.deleted ?? 0,
    sizeBytes: feed.sizeBytes ?? 0,
    sha256Hex: feed.sha256Hex ?? '',
  };
}

import type { RecipientConfig } from '../config/index.js';
import type { Roster, RosterProperties } from '../model/index.js';
import type { HubContext } from '../run/hub-context.js';
import type { ResyncRequest, Run } from '../run/run.js';
import { HubError } from '../errors/index.js';
import { recordFeedEmpty, type Feed } from './feed-repository.js';
import type { Profile } from '../profiles/index.js';
import { osloDate } from '../schedule/index.js';
import { sameDeltaOnHold } from './held-delta.js';
import { viewInputsChangedSince } from './view-changed-since.js';
import { contentHash, findRecipientState, identityChanged, type ResendScope } from '../state/index.js';

export type FeedPlan =
  | {
      readonly mode: 'full';
      readonly heldObjects: number;
      /** The delivered state the full replaces, when there is one (its thresholds apply too). */
      readonly basedOn?: string;
      readonly resend?: undefined;
    }
  | {
      readonly mode: 'delta';
      readonly heldObjects: number;
      readonly basedOn: string;
      readonly resend?: ResendScope;
    }
  | {
      readonly mode: 'skip';
      /**
       * `unchanged`: nothing the view depends on changed since the last delivery; `held`: nothing it
       * depends on changed since the delta now on hold was computed, so that delta is this one;
       * `frozen`: inside a freeze window; `deferred`: behind a pull recipient's unacknowledged feed.
       */
      readonly cause: 'unchanged' | 'held' | 'frozen' | 'deferred';
      readonly reason: string;
      /** The earlier transfer a pull recipient has yet to acknowledge; this feed is deferred behind it. */
      readonly deferredBehind?: string;
    };

/** A profile's identity: the delivered state remembers it, so a profile change is never a quiet one. */
export function profileHash(recipient: RecipientConfig): string {
  return contentHash(recipient.resolvedProfile);
}

/**
 * Full or delta (docs/requirements.md#f1): a full feed when asked for, when the recipient takes no deltas, or
 * when it holds nothing yet (first delivery); otherwise a delta. A change of identity scheme is a full
 * too: pseudonyms switched on or off, or the pseudonym secret rotated (every person renamed). A delta is
 * skipped inside a freeze window (the next one after catches up, because deltas reconcile) and when
 * nothing its view depends on changed since the state was last computed — the source's snapshot, the
 * scope date (ages, end dates, date windows), the profile, the forgotten and restricted persons — so a
 * quiet recipient costs nothing. So is a delta that would be the one already on hold, waiting for an
 * operator (sameDeltaOnHold): written again it would only be held again. Correctness never rests on
 * those shortcuts: any change of those inputs computes the full merge. While a pull recipient has not
 * acknowledged a feed it was offered, nothing new is written for it: the feed is deferred, and caught up
 * after the acknowledgement (docs/transports.md).
 *
 * The plan needs the snapshot's properties only (its groups just to find a resync's school), so it can
 * be made before a snapshot is taken, on what the source says its snapshot would be as of: that is how a
 * run with nothing to send skips reading the source at all (skipUnchangedRun).
 */
export async function planFeed(
  ctx: HubContext,
  input: {
    feed: Feed;
    recipient: RecipientConfig;
    run: Run | undefined;
    /** The snapshot the feed is computed from, or (before it is taken) what it would be as of. */
    properties: RosterProperties;
    /** The snapshot's groups, to find a resync's school; absent before the snapshot is taken. */
    groups?: Roster['groups'];
    /** The run's scope date. */
    scopeDate: string;
    /** Fingerprint of the pseudonym secret this feed would be written with. */
    fingerprint?: string | undefined;
  },
): Promise<FeedPlan> {
  const { feed, recipient, run } = input;
  const waiting = await unacknowledgedOffer(ctx, recipient.id);
  if (waiting !== undefined) {
    // Any feed written now would be computed against the state before that acknowledgement, and be
    // refused as stale after it; the acknowledgement catches this one up against the state it leaves.
    return {
      mode: 'skip',
      cause: 'deferred',
      reason: `deferred: ${recipient.id} has not acknowledged ${waiting} yet; caught up once it does`,
      deferredBehind: waiting,
    };
  }
  const state = await findRecipientState(ctx.db, recipient.id);
  if (feed.feedType === 'full' || !recipient.feed.accepts.includes('delta') || state === undefined) {
    return state === undefined
      ? { mode: 'full', heldObjects: 0 }
      : { mode: 'full', heldObjects: state.objects, basedOn: state.transferId };
  }
  const delivered = await deliveredFeed(ctx, state.transferId);
  if (identityChanged(delivered?.profile, recipient.resolvedProfile)) {
    return { mode: 'full', heldObjects: state.objects, basedOn: state.transferId };
  }
  if (
    input.fingerprint !== undefined &&
    delivered?.fingerprint != null &&
    delivered.fingerprint !== input.fingerprint
  ) {
    ctx.logger.warn(
      { recipientId: recipient.id, previous: delivered.fingerprint, current: input.fingerprint },
      'pseudonym secret rotated since the last delivery: every pseudonym changes, so a full feed replaces what the recipient holds',
    );
    return { mode: 'full', heldObjects: state.objects, basedOn: state.transferId };
  }
  const today = osloDate(ctx.now());
  const freeze = recipient.feed.freeze.find((window) => window.from <= today && today <= window.to);
  if (freeze !== undefined) {
    return {
      mode: 'skip',
      cause: 'frozen',
      reason: `frozen until ${freeze.to}${freeze.reason === undefined ? '' : `: ${freeze.reason}`}`,
    };
  }
  const resync = (run?.resync ?? undefined) as ResyncRequest | undefined;
  const resend = run?.trigger === 'resync' ? await resendScope(input.groups, resync ?? {}) : undefined;
  const snapshotAt = Date.parse(input.properties.snapshotAt);
  const since = state.checkedAt ?? delivered?.writtenAt ?? new Date(0);
  if (
    resend === undefined &&
    state.snapshotAt?.getTime() === snapshotAt &&
    state.scopeDate === input.scopeDate &&
    state.profileHash === profileHash(recipient) &&
    !(await viewInputsChangedSince(ctx, recipient.id, { marker: state.sourceMarker, since }))
  ) {
    return {
      mode: 'skip',
      cause: 'unchanged',
      reason: 'no change in the source, the day or the profile since the last delivery',
    };
  }
  if (resend === undefined) {
    const hold = await sameDeltaOnHold(ctx, {
      recipient,
      state,
      properties: input.properties,
      scopeDate: input.scopeDate,
      profileHash: profileHash(recipient),
      fingerprint: input.fingerprint,
    });
    if (hold !== undefined) {
      return {
        mode: 'skip',
        cause: 'held',
        reason: `no change since the delta on hold as ${hold} was computed; it waits for an operator's decision`,
      };
    }
  }
  return {
    mode: 'delta',
    heldObjects: state.objects,
    basedOn: state.transferId,
    ...(resend === undefined ? {} : { resend }),
  };
}

/**
 * Records a skipped feed: empty, with the plan's reason, its transfer `skipped` (or `deferred` behind an
 * unacknowledged pull). The one way a skip is recorded, whether the feed step planned it on the run's
 * snapshot or the run planned it before taking one (skipUnchangedRun).
 */
export async function recordSkippedFeed(
  ctx: HubContext,
  feed: Feed,
  plan: Extract<FeedPlan, { mode: 'skip' }>,
): Promise<void> {
  await recordFeedEmpty(ctx.db, feed.id, {
    feedType: plan.deferredBehind === undefined ? 'delta' : feed.feedType,
    reason: plan.reason,
    at: ctx.now(),
    transferStatus: plan.deferredBehind === undefined ? 'skipped' : 'deferred',
  });
  ctx.logger.info(
    { runId: feed.runId, feedId: feed.id, recipientId: feed.recipientId, reason: plan.reason },
    'nothing to send',
  );
}

/** The oldest transfer offered to a pull recipient and not acknowledged yet, if any. */
async function unacknowledgedOffer(ctx: HubContext, recipientId: string): Promise<string | undefined> {
  const row = await ctx.db
    .selectFrom('hub.transfer')
    .select('id')
    .where('recipient_id', '=', recipientId)
    .where('status', '=', 'offered')
    .orderBy('offered_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

/** A whole-recipient resync sends everything again: every person and group key is "in scope". */
async function resendScope(
  groups: Roster['groups'] | undefined,
  request: ResyncRequest,
): Promise<ResendScope> {
  if (request.school === undefined && request.person === undefined) return { everything: true };
  let schoolKey: string | undefined;
  if (request.school !== undefined) {
    if (groups === undefined) {
      throw new HubError('PIFU_INTERNAL', 'a resync of a school is planned on a snapshot, never before one');
    }
    for await (const group of groups()) {
      const matches =
        group.type === 'skole' &&
        (group.key === request.school ||
          group.identifiers.some((identifier) => identifier.value === request.school));
      if (matches) schoolKey = group.key;
    }
    // A school the source no longer has resends nothing of its own; its leftovers are deletes anyway.
    schoolKey ??= `unknown-school:${request.school}`;
  }
  return {
    ...(schoolKey === undefined ? {} : { schoolKey }),
    ...(request.person === undefined ? {} : { personKey: request.person }),
  };
}

/**
 * The recipient's last delivered feed: the profile it was written through, which pseudonym secret it
 * used, and when it was computed (a person forgotten after that is not in it, even if its
 * acknowledgement came later).
 */
async function deliveredFeed(
  ctx: HubContext,
  transferId: string,
): Promise<{ profile: Profile | undefined; fingerprint: string | null; writtenAt: Date } | undefined> {
  const row = await ctx.db
    .selectFrom('hub.transfer as t')
    .innerJoin('hub.feed as f', 'f.id', 't.feed_id')
    .select(['f.profile', 'f.pseudonym_fingerprint', 'f.written_at'])
    .where('t.id', '=', transferId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const profile =
    typeof row.profile === 'string'
      ? (JSON.parse(row.profile) as Profile)
      : (row.profile as Profile | null | undefined);
  return {
    profile: profile ?? undefined,
    fingerprint: row.pseudonym_fingerprint,
    writtenAt: row.written_at == null ? new Date(0) : new Date(row.written_at),
  };
}

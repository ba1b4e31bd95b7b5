import type { RecipientConfig } from '../config/index.js';
import type { FeedRow, RunRow } from '../db/index.js';
import type { Roster } from '../model/index.js';
import type { HubContext } from '../run/hub-context.js';
import type { Profile } from '../profiles/index.js';
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
      readonly reason: string;
      /** The earlier transfer a pull recipient has yet to acknowledge; this feed is deferred behind it. */
      readonly deferredBehind?: string;
    };

/** What a resync run asks to send again, as the operator named it (school org number / NSR id, person key). */
export interface ResyncRequest {
  readonly school?: string;
  readonly person?: string;
}

/** Today in Europe/Oslo, the time zone freeze windows are written in. */
function osloDate(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo' }).format(at);
}

/** A profile's identity: the delivered state remembers it, so a profile change is never a quiet one. */
function profileHash(recipient: RecipientConfig): string {
  return contentHash(recipient.resolvedProfile);
}

/**
 * Full or delta (docs/requirements.md#f1): a full feed when asked for, when the recipient takes no deltas, or
 * when it holds nothing yet (first delivery); otherwise a delta. A delta is skipped inside a freeze
 * window (the next one after catches up, because deltas reconcile) and when neither the source nor the
 * profile changed since the last delivery, so a quiet recipient costs nothing. Correctness never rests on
 * that shortcut: any change of the source's snapshot time or of the profile computes the full merge.
 * While a pull recipient has not acknowledged a feed it was offered, nothing new is written for it: the
 * feed is deferred, and caught up after the acknowledgement (docs/transports.md, pull).
 */
export async function planFeed(
  ctx: HubContext,
  input: { feed: FeedRow; recipient: RecipientConfig; run: RunRow | undefined; roster: Roster },
): Promise<FeedPlan> {
  const { feed, recipient, run, roster } = input;
  const waiting = await unacknowledgedOffer(ctx, recipient.id);
  if (waiting !== undefined) {
    // Any feed written now would be computed against the state before that acknowledgement, and be
    // refused as stale after it; the acknowledgement catches this one up against the state it leaves.
    return {
      mode: 'skip',
      reason: `deferred: ${recipient.id} has not acknowledged ${waiting} yet; caught up once it does`,
      deferredBehind: waiting,
    };
  }
  const state = await findRecipientState(ctx.db, recipient.id);
  if (feed.feed_type === 'full' || !recipient.feed.accepts.includes('delta') || state === undefined) {
    return state === undefined
      ? { mode: 'full', heldObjects: 0 }
      : { mode: 'full', heldObjects: state.objects, basedOn: state.transferId };
  }
  if (identityChanged(await deliveredProfile(ctx, state.transferId), recipient.resolvedProfile)) {
    return { mode: 'full', heldObjects: state.objects, basedOn: state.transferId };
  }
  const today = osloDate(ctx.now());
  const freeze = recipient.feed.freeze.find((window) => window.from <= today && today <= window.to);
  if (freeze !== undefined) {
    return {
      mode: 'skip',
      reason: `frozen until ${freeze.to}${freeze.reason === undefined ? '' : `: ${freeze.reason}`}`,
    };
  }
  const resync = (run?.resync ?? undefined) as ResyncRequest | undefined;
  const resend = run?.trigger === 'resync' ? await resendScope(roster, resync ?? {}) : undefined;
  const snapshotAt = Date.parse(roster.properties.snapshotAt);
  if (
    resend === undefined &&
    state.snapshotAt?.getTime() === snapshotAt &&
    state.profileHash === profileHash(recipient) &&
    !(await forgottenSince(ctx, await deliveredFeedWrittenAt(ctx, state.transferId)))
  ) {
    return { mode: 'skip', reason: 'no change in the source or the profile since the last delivery' };
  }
  return {
    mode: 'delta',
    heldObjects: state.objects,
    basedOn: state.transferId,
    ...(resend === undefined ? {} : { resend }),
  };
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
async function resendScope(roster: Roster, request: ResyncRequest): Promise<ResendScope> {
  if (request.school === undefined && request.person === undefined) return { everything: true };
  let schoolKey: string | undefined;
  if (request.school !== undefined) {
    for await (const group of roster.groups()) {
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

/** Whether someone was forgotten (R3) since the recipient last received something: their view changed. */
async function forgottenSince(ctx: HubContext, since: Date): Promise<boolean> {
  const row = await ctx.db
    .selectFrom('hub.forgotten_person')
    .select('person_key')
    .where('forgotten_at', '>=', since)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * When the recipient's last delivered feed was computed: a person forgotten after that is not in it,
 * even if its acknowledgement came later.
 */
async function deliveredFeedWrittenAt(ctx: HubContext, transferId: string): Promise<Date> {
  const row = await ctx.db
    .selectFrom('hub.transfer as t')
    .innerJoin('hub.feed as f', 'f.id', 't.feed_id')
    .select('f.written_at')
    .where('t.id', '=', transferId)
    .executeTakeFirst();
  return row?.written_at == null ? new Date(0) : new Date(row.written_at);
}

/** The profile the recipient's last delivered feed was written through. */
async function deliveredProfile(ctx: HubContext, transferId: string): Promise<Profile | undefined> {
  const row = await ctx.db
    .selectFrom('hub.transfer as t')
    .innerJoin('hub.feed as f', 'f.id', 't.feed_id')
    .select('f.profile')
    .where('t.id', '=', transferId)
    .executeTakeFirst();
  const profile = row?.profile;
  return typeof profile === 'string' ? (JSON.parse(profile) as Profile) : (profile as Profile | undefined);
}

import { restrictionsChangedSince } from '../privacy/index.js';
import type { HubContext } from '../run/hub-context.js';

/**
 * Whether anything a recipient's view depends on, besides the snapshot's time, the day and the profile,
 * changed since a view was computed: a change the source committed that the view's snapshot (`marker`)
 * did not see, a person forgotten (R3), or a restriction of the recipient's placed or lifted (Art. 18)
 * since `since`. The one test of it, for the quiet skip and for a delta already on hold alike (planFeed).
 */
export async function viewInputsChangedSince(
  ctx: HubContext,
  recipientId: string,
  seen: { marker: string | null; since: Date },
): Promise<boolean> {
  return (
    (await sourceChangedSince(ctx, seen.marker)) ||
    (await excludedPersonsChangedSince(ctx, recipientId, seen.since))
  );
}

/** Whether a person was forgotten (R3), or a restriction of the recipient placed or lifted, since `since`. */
export async function excludedPersonsChangedSince(
  ctx: HubContext,
  recipientId: string,
  since: Date,
): Promise<boolean> {
  return (await forgottenSince(ctx, since)) || (await restrictionsChangedSince(ctx.db, recipientId, since));
}

/**
 * Whether the source changed after the snapshot the recipient's state reflects, as the source itself
 * tells (its marker): a change that committed late, with an earlier time than the latest one that
 * snapshot saw, leaves `snapshotAt` as it was. Without a marker or a source that can tell, the snapshot
 * time alone decides, as it always did.
 */
async function sourceChangedSince(ctx: HubContext, marker: string | null): Promise<boolean> {
  if (marker === null || ctx.source.changedSince === undefined) return false;
  return ctx.source.changedSince(marker);
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

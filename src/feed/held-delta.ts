import { existsSync } from 'node:fs';
import type { RecipientConfig } from '../config/index.js';
import type { RosterProperties } from '../model/index.js';
import type { HubContext } from '../run/hub-context.js';
import { findRun } from '../run/run-repository.js';
import type { RecipientState } from '../state/index.js';
import { findUndecidedHold } from '../transfer/hold-repository.js';
import { findTransfer } from '../transfer/transfer-repository.js';
import { findFeed } from './feed-repository.js';
import { overThreshold } from './hold-check.js';
import { viewInputsChangedSince } from './view-changed-since.js';

/**
 * The transfer id of the recipient's undecided hold when the delta planned now would be that held delta
 * again, byte for byte: computed against the same delivered state, from a snapshot as of the same time
 * that the source says nothing committed since, on the same day, through the same profile and pseudonym
 * secret, nobody forgotten or restricted since, not a resync's, its file still there, and still over the
 * recipient's thresholds as they are now. Writing it again would only put the same feed on hold again
 * (and notify the operators again), so the feed is skipped and the hold waits for its decision
 * (docs/requirements.md#f2). Anything else, or anything uncertain, answers undefined: the delta is
 * computed, and a new hold supersedes the old one.
 */
export async function sameDeltaOnHold(
  ctx: HubContext,
  input: {
    recipient: RecipientConfig;
    state: RecipientState;
    properties: RosterProperties;
    scopeDate: string;
    profileHash: string;
    fingerprint: string | undefined;
  },
): Promise<string | undefined> {
  const { recipient, state } = input;
  const hold = await findUndecidedHold(ctx.db, recipient.id);
  if (hold === undefined || hold.heldObjects !== state.objects) return undefined;
  const transfer = await findTransfer(ctx.db, hold.transferId);
  if (transfer?.status !== 'held') return undefined;
  const [feed, run] = [await findFeed(ctx.db, transfer.feedId), await findRun(ctx.db, hold.runId)];
  if (feed === undefined || run === undefined) return undefined;
  const same =
    feed.status === 'written' &&
    feed.feedType === 'delta' &&
    feed.basedOnTransferId === state.transferId &&
    feed.profileHash === input.profileHash &&
    (feed.pseudonymFingerprint ?? undefined) === input.fingerprint &&
    feed.filePath !== null &&
    existsSync(feed.filePath) &&
    run.trigger !== 'resync' &&
    run.snapshotAt?.getTime() === Date.parse(input.properties.snapshotAt) &&
    run.scopeDate === input.scopeDate &&
    overThreshold(recipient, hold, hold.heldObjects) !== undefined;
  if (!same) return undefined;
  // The feed row is made when its run starts, before its view is computed: anything since may be new.
  const changed = await viewInputsChangedSince(ctx, recipient.id, {
    marker: run.sourceMarker,
    since: feed.createdAt,
  });
  return changed ? undefined : hold.transferId;
}

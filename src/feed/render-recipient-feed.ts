import type { RecipientConfig } from '../config/index.js';
import type { DisclosureLine } from '../disclosure/index.js';
import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import type { Roster } from '../model/index.js';
import { renderFeed } from '../pifu/index.js';
import { forgottenPersons, restrictedPersons } from '../privacy/index.js';
import { pseudonymFor, viewThroughProfile, type RecipientView, type ViewOptions } from '../profiles/index.js';
import {
  feedStreams,
  readHeldObjects,
  type FeedStreams,
  type HeldObject,
  type ObjectType,
  type ResendScope,
  type StateLine,
} from '../state/index.js';

/** Everything besides the roster that decides what a recipient may see now. */
export interface ViewInputs {
  /** The pseudonym secret, for a pseudonymised recipient. */
  readonly pseudonymKey: Uint8Array | undefined;
  /** Persons the hub was asked to forget (R3). */
  readonly forgotten: ReadonlySet<string>;
  /** Persons restricted for this recipient (GDPR Art. 18). */
  readonly restricted: ReadonlySet<string>;
  /** The day ages, end dates and date windows are read on. */
  readonly scopeDate: string;
}

export async function loadViewInputs(
  db: Kysely<HubDatabase>,
  recipient: RecipientConfig,
  inputs: { scopeDate: string; pseudonymKey: Uint8Array | undefined },
): Promise<ViewInputs> {
  return {
    ...inputs,
    forgotten: await forgottenPersons(db),
    restricted: await restrictedPersons(db, recipient.id),
  };
}

/**
 * The run's roster as this recipient may see it (docs/requirements.md#d4) on the scope date, without
 * forgotten persons (R3) and persons restricted for it (Art. 18).
 */
export async function recipientView(
  recipient: RecipientConfig,
  roster: Roster,
  inputs: ViewInputs,
  sharing: Pick<ViewOptions, 'personPass' | 'onPersonPass' | 'only' | 'groupScope'> = {},
): Promise<RecipientView> {
  return viewThroughProfile(roster, recipient.resolvedProfile, {
    ...sharing,
    forgotten: inputs.forgotten,
    restricted: inputs.restricted,
    scopeDate: inputs.scopeDate,
    ...(inputs.pseudonymKey === undefined ? {} : { pseudonymKey: inputs.pseudonymKey }),
  });
}

/**
 * The recipient's feed as XML, from its view: everything (full) or what differs from what it holds
 * (delta), with each state and disclosure line handed to the caller as it is produced. The one place a
 * feed's content is decided, for real feeds and previews alike.
 *
 * A pseudonymised feed lists persons in pseudonym order, not in the order of their real keys, so a
 * person's position says nothing about who they are (see FeedPlanOptions.pseudonymOrder).
 */
export function renderRecipientFeed(
  ctx: { db: Kysely<HubDatabase> },
  recipient: RecipientConfig,
  view: RecipientView,
  options: {
    mode: 'full' | 'delta';
    resend?: ResendScope;
    /** What the recipient holds, when not all of it (an incremental delta's part); else all of it. */
    held?: (type: ObjectType) => AsyncIterable<HeldObject>;
    secret: Uint8Array | undefined;
    /** Where a pseudonymised feed's sort may spill (0700); inside the spool directory. */
    scratchDir: string;
    onState: (line: StateLine) => Promise<void>;
    onDisclosure: (line: DisclosureLine) => Promise<void>;
  },
): { streams: FeedStreams; xml: AsyncIterable<string> } {
  const { secret } = options;
  const streams = feedStreams(view, {
    mode: options.mode,
    held: options.held ?? ((type) => readHeldObjects(ctx.db, recipient.id, type)),
    ...(options.resend === undefined ? {} : { resend: options.resend }),
    feedKeyOf: (personKey) => (secret === undefined ? personKey : pseudonymFor(secret, personKey)),
    onState: options.onState,
    onDisclosure: options.onDisclosure,
    ...(recipient.resolvedProfile.pseudonymise ? { pseudonymOrder: { scratchDir: options.scratchDir } } : {}),
  });
  const xml = renderFeed({
    properties: view.properties,
    feedType: options.mode,
    orgUnits: streams.orgUnits,
    persons: streams.persons,
    groups: streams.groups,
    memberships: streams.memberships,
  });
  return { streams, xml };
}

import type { RecipientConfig } from '../config/index.js';
import {
  personScopeOf,
  SharedPersonScopes,
  type PersonScopePass,
  type ViewOptions,
} from '../profiles/index.js';
import type { HubContext } from '../run/hub-context.js';
import { releaseRosterSpool } from '../spool/index.js';
import { pendingFeedRecipients, type Feed } from './feed-repository.js';
import type { ViewInputs } from './render-recipient-feed.js';
import { releaseSharedGroupScopes } from './shared-group-scopes.js';

/** This process's person passes kept for the recipients of a run still to be written. */
const shared = new SharedPersonScopes();

/**
 * Passes views of this process are making now, by run and key: a feed of the same scope written beside
 * one (a worker takes two jobs at once; a run writes a scope's feeds one after another) waits for its
 * pass rather than making the same one beside it. Undefined when that view failed before settling it.
 */
const making = new Map<string, Promise<PersonScopePass | undefined>>();

/** A recipient's person scope, or undefined for one sending no persons (nothing to share). */
function scopeOf(config: RecipientConfig | undefined): string | undefined {
  return config === undefined || config.resolvedProfile.populations.length === 0
    ? undefined
    : personScopeOf(config.resolvedProfile);
}

/**
 * The order a run writes its feeds in: by recipient id, except that the recipients of one person scope
 * follow the first of them (issue 14). A kept pass is then taken by the very next feed and dropped after
 * its scope's last, so at most one is held at a time and never through another scope's feed: written
 * alphabetically, the pupils-and-staff scope was held through the biggest feed (itslearning's) beside
 * the staff scope's. Deterministic: the same recipients always come in the same order.
 */
export function inFeedWritingOrder<T extends { readonly recipientId: string }>(
  items: readonly T[],
  recipients: ReadonlyMap<string, RecipientConfig>,
): T[] {
  const clusters = new Map<string, T[]>();
  const byId = [...items].sort((a, b) =>
    a.recipientId < b.recipientId ? -1 : a.recipientId > b.recipientId ? 1 : 0,
  );
  for (const item of byId) {
    // A recipient of no persons shares nothing: a cluster of its own.
    const cluster = scopeOf(recipients.get(item.recipientId)) ?? `\u0000${item.recipientId}`;
    const members = clusters.get(cluster);
    if (members === undefined) clusters.set(cluster, [item]);
    else members.push(item);
  }
  return [...clusters.values()].flat();
}

/**
 * How a feed's view shares its pass over the persons with the other recipients of its run (issue 14,
 * shared work across recipients): it takes the pass a recipient with the same person scope, day and
 * excluded persons made before it in this process, or leaves its own for one still to be written
 * after it. What no recipient still to be written would take is dropped first, so memory holds a
 * pass only while it is still wanted. A pass a view beside it is making is waited for and taken. The
 * pass is a pure function of the snapshot, the person scope settings, the day and the excluded persons
 * (all in its key), so a view that takes it is the view it would have built; only the work is shared.
 * `settled` is called once the view is built or failed, so no feed waits for a pass never made.
 */
export async function sharePersonPass(
  ctx: HubContext,
  feed: Feed,
  recipient: RecipientConfig,
  snapshotAt: string,
  inputs: ViewInputs,
): Promise<{
  readonly options: Pick<ViewOptions, 'personPass' | 'onPersonPass'>;
  /** `taken` from a recipient before, `kept` for one after, `own`: neither (for the log, once the view is built). */
  readonly personPass: 'taken' | 'kept' | 'own';
  readonly settled: () => void;
}> {
  const own = { options: {}, personPass: 'own', settled: () => undefined } as const;
  const taken = (pass: PersonScopePass) =>
    ({ options: { personPass: pass }, personPass: 'taken', settled: () => undefined }) as const;
  const run = `${feed.runId}\u0002${snapshotAt}`;
  const wanted = new Set<string>();
  for (const id of await pendingFeedRecipients(ctx.db, feed.runId, feed.id)) {
    const scope = scopeOf(ctx.recipients.get(id));
    if (scope !== undefined) wanted.add(scope);
  }
  const scope = scopeOf(recipient);
  if (scope === undefined) {
    shared.prune(run, wanted);
    return own;
  }
  const excluded = new Set([...inputs.forgotten, ...inputs.restricted]);
  const key = SharedPersonScopes.keyOf(scope, inputs.scopeDate, excluded);
  const found = shared.find(run, key);
  shared.prune(run, wanted);
  if (found !== undefined) return taken(found);
  const makingKey = `${run}\u0003${key}`;
  const beside = making.get(makingKey);
  if (beside !== undefined) {
    const pass = await beside;
    return pass === undefined ? own : taken(pass);
  }
  if (!wanted.has(scope)) return own;
  // Registered with no await since `beside` was read: two feeds beside each other never both make it.
  let settle: (pass: PersonScopePass | undefined) => void = () => undefined;
  const made = new Promise<PersonScopePass | undefined>((resolve) => (settle = resolve));
  making.set(makingKey, made);
  const done = (pass: PersonScopePass | undefined): void => {
    if (making.get(makingKey) === made) making.delete(makingKey);
    settle(pass);
  };
  // Kept only within the bound of SharedPersonScopes; said once the view settled it.
  let outcome: 'kept' | 'own' = 'own';
  return {
    options: {
      onPersonPass: (pass) => {
        outcome = shared.keep(run, key, scope, pass) ? 'kept' : 'own';
        done(pass);
      },
    },
    get personPass() {
      return outcome;
    },
    settled: () => done(undefined),
  };
}

/**
 * After a feed of the run is recorded: once no feed of the run is left to write, the run's spool's
 * decoded groups, shared by every view of the run in this process, are let go (issue 14), not held
 * through the deliveries and the next run's snapshot until that run's groups replace them (a worker
 * whose last feed of the run came before another's still holds them until then). The kept passes are
 * gone by then: the last feed's view kept none, and dropped what no recipient would take.
 */
export async function releaseRunSharing(ctx: HubContext, feed: Feed, rosterDir: string): Promise<void> {
  if ((await pendingFeedRecipients(ctx.db, feed.runId, feed.id)).length === 0) {
    releaseRosterSpool(rosterDir);
    releaseSharedGroupScopes(rosterDir);
  }
}

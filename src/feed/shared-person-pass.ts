import type { RecipientConfig } from '../config/index.js';
import { personScopeOf, SharedPersonScopes, type ViewOptions } from '../profiles/index.js';
import type { HubContext } from '../run/hub-context.js';
import { pendingFeedRecipients, type Feed } from './feed-repository.js';
import type { ViewInputs } from './render-recipient-feed.js';

/** This process's person passes kept for the recipients of a run still to be written. */
const shared = new SharedPersonScopes();

/**
 * How a feed's view shares its pass over the persons with the other recipients of its run (issue 14,
 * shared work across recipients): it takes the pass a recipient with the same person scope, day and
 * excluded persons made before it in this process, or leaves its own for one still to be written
 * after it. What no recipient still to be written would take is dropped first, so memory holds a
 * pass only while it is still wanted. The pass is a pure function of the snapshot, the person scope
 * settings, the day and the excluded persons (all in its key), so a view that takes it is the view it
 * would have built; only the work is shared.
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
}> {
  const run = `${feed.runId}\u0002${snapshotAt}`;
  const scopeOf = (config: RecipientConfig | undefined): string | undefined =>
    config === undefined || config.resolvedProfile.populations.length === 0
      ? undefined
      : personScopeOf(config.resolvedProfile);
  const wanted = new Set<string>();
  for (const id of await pendingFeedRecipients(ctx.db, feed.runId, feed.id)) {
    const scope = scopeOf(ctx.recipients.get(id));
    if (scope !== undefined) wanted.add(scope);
  }
  const scope = scopeOf(recipient);
  if (scope === undefined) {
    shared.prune(run, wanted);
    return { options: {}, personPass: 'own' };
  }
  const excluded = new Set([...inputs.forgotten, ...inputs.restricted]);
  const key = SharedPersonScopes.keyOf(scope, inputs.scopeDate, excluded);
  const found = shared.find(run, key);
  shared.prune(run, wanted);
  if (found !== undefined) return { options: { personPass: found }, personPass: 'taken' };
  if (!wanted.has(scope)) return { options: {}, personPass: 'own' };
  // Kept only within the bound of SharedPersonScopes; said once the view settled it.
  let outcome: 'kept' | 'own' = 'own';
  return {
    options: { onPersonPass: (pass) => (outcome = shared.keep(run, key, scope, pass) ? 'kept' : 'own') },
    get personPass() {
      return outcome;
    },
  };
}

import { z } from 'zod';
import {
  loadViewInputs,
  previewFeed,
  previewRecipientFeed,
  recipientView,
  type FeedPreview,
} from '../feed/index.js';
import type { RecipientConfig } from '../config/index.js';
import type { FeedType, Roster } from '../model/index.js';
import { scopeDateOf } from '../run/index.js';
import type { DeltaCounts } from '../state/index.js';
import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import { recipientIdSchema } from './input-schemas.js';
import type { OperationContext } from './operation-context.js';
import { parseInput } from './parse-input.js';
import { previewPseudonymKey } from './preview-pseudonym-key.js';
import { selectRecipients } from './recipient-selection.js';
import { withScratchSnapshot } from './scratch-snapshot.js';

const previewInput = z.strictObject({
  recipients: z.array(recipientIdSchema).optional(),
  all: z.boolean().optional(),
  feedType: z.enum(['full', 'delta']).default('full'),
  sampleSize: z.number().int().min(0).max(20).default(3),
});
export type PreviewInput = z.input<typeof previewInput>;

export interface ExportPreview extends FeedPreview {
  readonly recipient: string;
  readonly kind: string;
  readonly dryRun: true;
  /** What the recipient would get now: a requested delta is a full while it holds nothing. */
  readonly feedType: FeedType;
  /** For a delta: what it would add, change and delete against what the recipient holds. */
  readonly delta?: Pick<DeltaCounts, 'added' | 'changed' | 'deleted'>;
  /** The feed's size, as it would be written. */
  readonly bytes: number;
  /**
   * A pseudonymised recipient with no key yet: the hub creates and keeps one at its first real export,
   * so the sample's pseudonyms are not the ones it will get.
   */
  readonly provisionalPseudonyms?: true;
}

/**
 * `export --dry-run` (operator): what each recipient would get from the source right now — counts per
 * type, field, group type and role, a masked sample, and for a delta what it would add, change and
 * delete — without a run, feed, transfer or disclosure row, a feed file or a delivery. The masked sample
 * is still a look at personal data, so it is audited.
 */
export async function previewExport(
  ctx: OperationContext,
  actor: Actor,
  input: PreviewInput,
  options: { signal?: AbortSignal } = {},
): Promise<ExportPreview[]> {
  await authorize(ctx, actor, 'operator', 'preview');
  return audited(ctx, actor, 'preview', async (trail) => {
    const request = parseInput(previewInput, input);
    const recipients = selectRecipients(ctx, request);
    trail.detail = `export --dry-run ${request.feedType}: ${recipients.map((r) => r.id).join(', ')}`;
    return withScratchSnapshot(ctx, (roster) => previewRecipients(ctx, recipients, roster, request), options);
  });
}

/**
 * What each recipient would get from `roster` now (the dry-run's body, shared with `import --dry-run`):
 * reads the recipients' state and writes nothing.
 */
export async function previewRecipients(
  ctx: OperationContext,
  recipients: readonly RecipientConfig[],
  roster: Roster,
  request: { readonly feedType: FeedType; readonly sampleSize: number },
): Promise<ExportPreview[]> {
  const previews: ExportPreview[] = [];
  const scopeDate = scopeDateOf(ctx.scopeClock ?? 'auto', roster.properties, ctx.now());
  for (const recipient of recipients) {
    const key = await previewPseudonymKey(ctx, recipient);
    const profile = recipient.resolvedProfile;
    const inputs = await loadViewInputs(ctx.db, recipient, { scopeDate, pseudonymKey: key?.secret });
    const view = await recipientView(recipient, roster, inputs);
    const summary = await previewFeed(view, {
      roster,
      profile,
      sampleSize: request.sampleSize,
    });
    const feed = await previewRecipientFeed(ctx, recipient, roster, {
      feedType: request.feedType,
      inputs,
    });
    previews.push({
      recipient: recipient.id,
      kind: recipient.kind,
      dryRun: true,
      feedType: feed.feedType,
      ...(feed.feedType === 'delta'
        ? {
            delta: {
              added: feed.counts.added,
              changed: feed.counts.changed,
              deleted: feed.counts.deleted,
            },
          }
        : {}),
      bytes: feed.sizeBytes,
      ...(key?.provisional === true ? { provisionalPseudonyms: true as const } : {}),
      ...summary,
    });
  }
  return previews;
}

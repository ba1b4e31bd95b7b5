import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { loadViewInputs, pseudonymSecret, previewRecipientFeed, type PreviewedFeed } from '../feed/index.js';
import { HubError } from '../errors/index.js';
import { compactTimestamp, scopeDateOf } from '../run/index.js';
import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import { recipientIdSchema } from './input-schemas.js';
import type { OperationContext } from './operation-context.js';
import { parseInput } from './parse-input.js';
import { selectRecipients } from './recipient-selection.js';
import { withScratchSnapshot } from './scratch-snapshot.js';

const previewFilesInput = z.strictObject({
  recipients: z.array(recipientIdSchema).optional(),
  all: z.boolean().optional(),
  feedType: z.enum(['full', 'delta']).default('full'),
  outDir: z.string().refine((path) => isAbsolute(path) && !path.includes('\0'), 'an absolute directory path'),
});
export type PreviewFilesInput = z.input<typeof previewFilesInput>;

export interface PreviewFile extends PreviewedFeed {
  readonly recipient: string;
  readonly filePath: string;
}

/**
 * `export --out DIR` (operator): writes, for each recipient, exactly the feed it would get now (full,
 * or delta against what it holds) to `DIR/<recipient>/`, 0600 — and changes nothing else: no run,
 * transfer, delivered state or disclosure row, because the recipient has not received anything. Real
 * deliveries go only through the configured transport. Writing personal data to a directory is
 * audited with the directory named.
 */
export async function writePreviewFeeds(
  ctx: OperationContext,
  actor: Actor,
  input: PreviewFilesInput,
  options: { signal?: AbortSignal } = {},
): Promise<PreviewFile[]> {
  await authorize(ctx, actor, 'operator', 'preview-file');
  return audited(ctx, actor, 'preview-file', async (trail) => {
    const request = parseInput(previewFilesInput, input);
    const recipients = selectRecipients(ctx, request);
    trail.detail = `${request.feedType} of ${recipients.map((r) => r.id).join(', ')} written to ${request.outDir}`;
    const stamp = compactTimestamp(ctx.now());
    return withScratchSnapshot(
      ctx,
      async (roster) => {
        const files: PreviewFile[] = [];
        const scopeDate = scopeDateOf(ctx.scopeClock ?? 'auto', roster.properties, ctx.now());
        for (const recipient of recipients) {
          const secret = recipient.resolvedProfile.pseudonymise
            ? await pseudonymSecret(ctx.db, recipient)
            : undefined;
          const filePath = join(request.outDir, recipient.id, `${recipient.id}_preview-${stamp}.xml`);
          const feed = await previewRecipientFeed(ctx, recipient, roster, {
            feedType: request.feedType,
            inputs: await loadViewInputs(ctx.db, recipient, { scopeDate, pseudonymKey: secret }),
            filePath,
            ...(options.signal === undefined ? {} : { signal: options.signal }),
          });
          if (feed.filePath === undefined) {
            throw new HubError('PIFU_SPOOL_MISSING', `preview of ${recipient.id} was not written`);
          }
          files.push({ ...feed, recipient: recipient.id, filePath: feed.filePath });
        }
        return files;
      },
      options,
    );
  });
}

import { z } from 'zod';
import {
  applyRetention,
  defaultRetentionPolicy,
  describeRetention,
  findRetentionDue,
  type RetentionDue,
  type RetentionSummary,
} from '../retention/index.js';
import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import type { OperationContext } from './operation-context.js';
import { parseInput } from './parse-input.js';

const retentionRunInput = z.strictObject({ dryRun: z.boolean().default(false) });
export type RetentionRunInput = z.input<typeof retentionRunInput>;

export type RetentionRunResult =
  | { readonly dryRun: false; readonly summary: RetentionSummary }
  | { readonly dryRun: true; readonly due: RetentionDue };

/**
 * `retention run` (privacy-admin: deleting personal data the hub holds is the data protection side's
 * call, R3): applies the configured retention policy now — run snapshots and manifests after the grace,
 * feed files after their period, disclosure rows reduced to counts after theirs — or, with `dryRun`,
 * only says what it would do. Logged, and audited with the counts.
 */
export async function runRetention(
  ctx: OperationContext,
  actor: Actor,
  input: RetentionRunInput = {},
): Promise<RetentionRunResult> {
  await authorize(ctx, actor, 'privacy-admin', 'retention');
  return audited(ctx, actor, 'retention', async (trail) => {
    const request = parseInput(retentionRunInput, input);
    const policy = ctx.retention ?? defaultRetentionPolicy;
    if (request.dryRun) {
      const due = await findRetentionDue(ctx.db, ctx.now(), policy);
      trail.detail =
        `dry run: ${due.runs.length} runs, ${due.feedFiles.length} feed files, ` +
        `${due.disclosureTransfers.length} transfers' disclosures due`;
      return { dryRun: true, due };
    }
    const summary = await applyRetention(ctx, ctx.now(), policy, async (trx, done) => {
      trail.detail = describeRetention(done);
      await trail.done(trx);
    });
    return { dryRun: false, summary };
  });
}

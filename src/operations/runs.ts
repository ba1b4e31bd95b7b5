import { z } from 'zod';
import { HubError } from '../errors/index.js';
import { findRun, listRuns as readRuns, type RunListing } from '../run/index.js';
import { listRunTransferDetails, type RunTransferDetail } from '../transfer/index.js';
import type { Actor } from './actor.js';
import { authorize } from './authorize.js';
import { limitSchema, runIdSchema } from './input-schemas.js';
import type { OperationContext } from './operation-context.js';
import { operatorText, transferError } from './operator-text.js';
import { parseInput } from './parse-input.js';

const runsInput = z.strictObject({ limit: limitSchema });

/** A run as operators see it: `stuck` says why, when its owner is gone and it could not be settled. */
export type ShownRun = RunListing & { readonly stuck: string | null };

/** Runs, newest first (viewer), with their transfers counted by outcome; reasons for operator roles. */
export async function listRuns(
  ctx: OperationContext,
  actor: Actor,
  input: { limit?: number } = {},
): Promise<ShownRun[]> {
  await authorize(ctx, actor, 'viewer', 'runs');
  const { limit } = parseInput(runsInput, input);
  return (await readRuns(ctx.db, { limit })).map((run) => ({
    ...run,
    reason: operatorText(actor, run.reason),
    stuck: ctx.stuckRuns.get(run.id) ?? null,
  }));
}

export interface RunDetail extends ShownRun {
  readonly persons: number | null;
  readonly groups: number | null;
  readonly memberships: number | null;
  /** What the source guard decided about this run's snapshot, and the drop it saw. */
  readonly sourceCheck: 'passed' | 'accepted' | 'stopped' | null;
  readonly sourceDrop: string | null;
  readonly acceptSourceDrop: { readonly reason: string } | null;
  /** The snapshot's counts per school, as the guard compares them. */
  readonly schools: unknown;
  readonly transfers: readonly RunTransferDetail[];
}

/** One run (viewer): trigger, snapshot counts, outcome, and one line per transfer. */
export async function showRun(
  ctx: OperationContext,
  actor: Actor,
  input: { run: string },
): Promise<RunDetail> {
  await authorize(ctx, actor, 'viewer', 'run-show');
  const { run: runId } = parseInput(z.strictObject({ run: runIdSchema }), input);
  const run = await findRun(ctx.db, runId);
  const [listing] = await readRuns(ctx.db, { limit: 1, runId });
  if (run === undefined || listing === undefined) {
    throw new HubError('PIFU_RUN_UNKNOWN', `no run "${runId}"; list runs with \`pifu-hub runs\``);
  }
  return {
    ...listing,
    reason: operatorText(actor, listing.reason),
    stuck: ctx.stuckRuns.get(runId) ?? null,
    persons: run.persons,
    groups: run.groups,
    memberships: run.memberships,
    sourceCheck: run.sourceCheck,
    sourceDrop: run.sourceDrop,
    acceptSourceDrop:
      run.acceptSourceDropReason === null
        ? null
        : { reason: operatorText(actor, run.acceptSourceDropReason) },
    schools: run.schoolCounts,
    transfers: (await listRunTransferDetails(ctx.db, runId)).map((transfer) => ({
      ...transfer,
      error: transferError(actor, transfer.status, transfer.error),
    })),
  };
}

import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import { confirmTransfer } from '../transfer/confirm-transfer.js';
import { failTransferIfPending, listRunTransfers } from '../transfer/transfer-repository.js';
import { finishRun, type RunOutcome } from './finish-run.js';
import type { HubContext } from './hub-context.js';
import { currentProcess, type ProcessIdentity } from './process-identity.js';
import { runSpoolPaths } from './run-paths.js';
import type { RunOwner } from './run-owner.js';

/**
 * Closes a run whose execution ended without closing it (its process died, or its queue lost it). First
 * each transfer that had been handed to its transport is looked for at the recipient: one the recipient
 * holds is acknowledged like any delivery, so the disclosure register never misses a delivered file.
 * Every other pending transfer fails with `why`, for `pifu-hub retry`; held ones stay held. Temporary
 * files the run left in the spool go. Then the run is finished as usual: `failed` with `why`, or
 * `completed` when everything turned out delivered.
 *
 * The run is first taken over by this process (its owner rewritten from `from` to this one, only if it
 * is still `from` and the run still running), so that of two processes recovering at once one does it;
 * the other gets undefined. A failure or a crash during this leaves the run owned by a dead process
 * again, for the next command to recover.
 */
export async function closeAbandonedRun(
  ctx: HubContext,
  runId: string,
  why: string,
  options: { from?: RunOwner | undefined; here?: ProcessIdentity } = {},
): Promise<RunOutcome | undefined> {
  const here = options.here ?? currentProcess();
  if (!(await takeOver(ctx.db, runId, options.from?.process, here))) return undefined;
  let outcome: RunOutcome;
  try {
    for (const transfer of await listRunTransfers(ctx.db, runId)) {
      if (transfer.status !== 'pending') continue;
      const confirmation =
        transfer.attempts > 0 ? await confirmTransfer(ctx, transfer.id) : { isHeld: false, why: '' };
      if (confirmation.isHeld) continue;
      const detail = confirmation.why === '' ? '' : ` (${confirmation.why})`;
      await failTransferIfPending(ctx.db, transfer.id, `${why}${detail}`);
    }
    await removeLeftovers(runSpoolPaths(ctx.spoolDir, runId).runDir);
    outcome = await finishRun(ctx, runId, { why });
  } catch (error) {
    // Handed back, so that it still reads as abandoned to the next command, in whatever process.
    await takeOver(ctx.db, runId, here, options.from?.process);
    throw error;
  }
  ctx.logger.warn({ runId, why, status: outcome.status }, 'abandoned run closed');
  return outcome;
}

/** The run's owner process `from` → `to`, only while it is still `from` and the run still running. */
async function takeOver(
  db: Kysely<HubDatabase>,
  runId: string,
  from: ProcessIdentity | undefined,
  to: ProcessIdentity | undefined,
): Promise<boolean> {
  const result = await db
    .updateTable('hub.run')
    .set({
      owner_host: to?.host ?? null,
      owner_pid: to?.pid ?? null,
      owner_started_at: to?.startedAt ?? null,
    })
    .where('id', '=', runId)
    .where('status', '=', 'running')
    .where('owner_host', 'is not distinct from', from?.host ?? null)
    .where('owner_pid', 'is not distinct from', from?.pid ?? null)
    .where('owner_started_at', 'is not distinct from', from?.startedAt ?? null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * `.partial` files (a feed or roster file cut off mid-write) and `roster.staging-PID` directories (a
 * snapshot cut off mid-read) under the run's spool directory; nothing else is touched.
 */
async function removeLeftovers(dir: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && /\.staging-\d+$/.test(entry.name)) {
      await rm(path, { recursive: true, force: true });
    } else if (entry.isDirectory()) {
      await removeLeftovers(path);
    } else if (entry.name.endsWith('.partial')) {
      await rm(path, { force: true });
    }
  }
}

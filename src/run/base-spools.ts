import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { removeRosterSpool } from '../spool/index.js';
import { viewBasisRuns } from '../state/index.js';
import type { HubContext } from './hub-context.js';
import { runSpoolPaths } from './run-paths.js';

/**
 * After a run closed: removes its roster spool, and any earlier closed run's, unless a recipient's
 * delivered state is the view of it (ViewBasis): that spool is the base the recipient's next delta is
 * compared with (src/feed/incremental-delta.ts), kept until no recipient's state is its view any more,
 * or until retention removes the run's files. A spool of a run still running is never touched.
 */
export async function removeUnusedRosterSpools(ctx: HubContext, closedRunId: string): Promise<void> {
  const bases = await viewBasisRuns(ctx.db);
  const runsDir = join(ctx.spoolDir, 'runs');
  const spooled = existsSync(runsDir) ? await readdir(runsDir) : [];
  const candidates = spooled.filter(
    (runId) => !bases.has(runId) && existsSync(runSpoolPaths(ctx.spoolDir, runId).rosterDir),
  );
  if (!candidates.includes(closedRunId) && !bases.has(closedRunId)) candidates.push(closedRunId);
  if (candidates.length === 0) return;
  const closed = await ctx.db
    .selectFrom('hub.run')
    .select('id')
    .where('id', 'in', candidates)
    .where('status', '<>', 'running')
    .execute();
  const removable = new Set(closed.map((row) => row.id));
  for (const runId of candidates) {
    // A spool no run row owns is not this hub's to judge; the closed run's own always goes.
    if (removable.has(runId) || runId === closedRunId)
      await removeRosterSpool(runSpoolPaths(ctx.spoolDir, runId).rosterDir);
  }
}

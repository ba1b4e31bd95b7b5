import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Roster } from '../model/index.js';
import { openRosterSpool, writeRosterSpool } from '../spool/index.js';
import type { OperationContext } from './operation-context.js';

/**
 * One snapshot of the source in a scratch spool, for previews that record no run: under the spool
 * directory (where personal data is meant to rest, 0700), removed before this returns, whatever happens.
 */
export async function withScratchSnapshot<T>(
  ctx: Pick<OperationContext, 'source' | 'spoolDir'>,
  use: (roster: Roster) => Promise<T>,
  options: { signal?: AbortSignal } = {},
): Promise<T> {
  await mkdir(ctx.spoolDir, { recursive: true, mode: 0o700 });
  const scratch = await mkdtemp(join(ctx.spoolDir, 'preview-'));
  try {
    const rosterDir = join(scratch, 'roster');
    const snapshot = await ctx.source.openSnapshot(options);
    try {
      await writeRosterSpool(snapshot, rosterDir, options);
    } finally {
      await snapshot.close();
    }
    return await use(await openRosterSpool(rosterDir));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import type { LenientMode, RemoteSourceFile, SourceFileFetcher } from '../ports/index.js';
import type { Actor } from './actor.js';
import { authorize } from './authorize.js';
import { importDroppedFile, type DropFolderOutcome } from './import-drop-folder.js';
import type { OperationContext } from './operation-context.js';

export interface SourcePullOutcome {
  /** Where the exports were looked for: `sftp://host:port/dir`. */
  readonly location: string;
  /** The file pulled and what its import did; undefined when there was nothing new to pull. */
  readonly pulled?: DropFolderOutcome;
}

/** A claim this old whose process never finished it (it died) may be taken again. */
const staleClaimMs = 6 * 3_600_000;

/**
 * `source pull` (operator): the newest export in the school system's export directory, pulled into the
 * drop folder and imported as `source watch` imports a file (docs/cli.md#pifu-hub-source-pull). Only the
 * newest settled file is considered; each remote file version (name, size, modification time) is
 * claimed in `hub.source_pull` before it is downloaded, so it is imported once however often and from
 * however many processes the pull runs. A refused file is moved to the drop folder's `refused/` and not
 * pulled again; a failed download or a retryable import failure releases the claim for the next pull.
 */
export async function pullSourceFile(
  ctx: OperationContext,
  actor: Actor,
  input: {
    readonly fetcher: SourceFileFetcher;
    readonly dir: string;
    readonly lenient?: readonly LenientMode[];
    readonly settleSeconds: number;
  },
  options: { signal?: AbortSignal } = {},
): Promise<SourcePullOutcome> {
  await authorize(ctx, actor, 'operator', 'import');
  const { fetcher, dir } = input;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { db } = ctx;
  const remoteOf = (file: RemoteSourceFile): string =>
    `${fetcher.location}/${file.name} ${file.sizeBytes} ${file.modifiedAt.toISOString()}`;
  let claimed: string | undefined;
  let file: RemoteSourceFile | undefined;
  try {
    file = await fetcher.fetchNewest({
      settledBefore: new Date(ctx.now().getTime() - input.settleSeconds * 1000),
      claim: async (found) => {
        const remote = remoteOf(found);
        if (await claim(db, remote, found, ctx.now(), fetcher.deadlineSeconds)) claimed = remote;
        return claimed !== undefined;
      },
      localPath: (found) => join(dir, found.name),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if (claimed !== undefined) await release(db, claimed);
    throw error;
  }
  if (file === undefined || claimed === undefined) return { location: fetcher.location };
  let pulled: DropFolderOutcome;
  try {
    pulled = await importDroppedFile(ctx, actor, dir, file.name, input.lenient ?? []);
  } catch (error) {
    await rm(join(dir, file.name), { force: true });
    await release(db, claimed);
    throw error;
  }
  await db
    .updateTable('hub.source_pull')
    .set({ finished_at: ctx.now(), outcome: pulled.outcome, run_id: pulled.runId ?? null })
    .where('remote', '=', claimed)
    .execute();
  return { location: fetcher.location, pulled };
}

/** True when this process may pull the file: nobody claimed it, or a claim was left by a dead process. */
async function claim(
  db: Kysely<HubDatabase>,
  remote: string,
  file: RemoteSourceFile,
  now: Date,
  deadlineSeconds: number,
): Promise<boolean> {
  const staleBefore = new Date(now.getTime() - staleClaimMs - deadlineSeconds * 1000);
  const { rows } = await sql<{ remote: string }>`
    INSERT INTO hub.source_pull (remote, file_name, size_bytes, modified_at, claimed_at)
    VALUES (${remote}, ${file.name}, ${file.sizeBytes}, ${file.modifiedAt}, ${now})
    ON CONFLICT (remote) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
      WHERE hub.source_pull.finished_at IS NULL AND hub.source_pull.claimed_at < ${staleBefore}
    RETURNING remote`.execute(db);
  return rows.length === 1;
}

async function release(db: Kysely<HubDatabase>, remote: string): Promise<void> {
  await db
    .deleteFrom('hub.source_pull')
    .where('remote', '=', remote)
    .where('finished_at', 'is', null)
    .execute();
}

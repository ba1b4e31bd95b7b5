import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LenientMode, RemoteSourceFile, SourceFileFetcher } from '../ports/index.js';
import {
  claimSourcePull,
  finishSourcePull,
  lastImportedSourcePull,
  releaseSourcePull,
  remoteKey,
} from '../source-pull/index.js';
import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import {
  describeDropFolderOutcome,
  importDroppedFile,
  type DropFolderOutcome,
} from './import-drop-folder.js';
import type { OperationContext } from './operation-context.js';

export interface SourcePullOutcome {
  /** Where the exports were looked for: `sftp://host:port/dir`. */
  readonly location: string;
  /** The file pulled and what its import did; undefined when there was nothing new to pull. */
  readonly pulled?: DropFolderOutcome;
  /**
   * Set when the newest export there is older than the last one imported from there (a newer file
   * removed from the server?): it is not pulled, since importing it would take every recipient back.
   */
  readonly older?: { readonly file: string; readonly lastImported: string };
}

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
  return audited(ctx, actor, 'source-pull', async (trail) => {
    trail.subject = input.fetcher.location;
    const outcome = await pull(ctx, actor, input, options);
    trail.detail = describePull(outcome);
    return outcome;
  });
}

/** The audit row's detail: which remote file version, and what became of it; never its content. */
function describePull(outcome: SourcePullOutcome): string {
  if (outcome.older !== undefined) {
    return `${outcome.older.file} not pulled: older than ${outcome.older.lastImported}, the last imported`;
  }
  if (outcome.pulled === undefined) return 'nothing new';
  const { file, outcome: result } = outcome.pulled;
  return result === 'imported' ? `${file} ${describeDropFolderOutcome(outcome.pulled)}` : `${file} refused`;
}

async function pull(
  ctx: OperationContext,
  actor: Actor,
  input: Parameters<typeof pullSourceFile>[2],
  options: { signal?: AbortSignal },
): Promise<SourcePullOutcome> {
  const { fetcher, dir } = input;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { db } = ctx;
  const remoteOf = (file: RemoteSourceFile): string => remoteKey(fetcher.location, file);
  let claimed: string | undefined;
  let older: SourcePullOutcome['older'];
  let file: RemoteSourceFile | undefined;
  try {
    const last = await lastImportedSourcePull(db, fetcher.location);
    file = await fetcher.fetchNewest({
      settledBefore: new Date(ctx.now().getTime() - input.settleSeconds * 1000),
      claim: async (found) => {
        if (last !== undefined && found.modifiedAt < last.modifiedAt) {
          older = { file: found.name, lastImported: last.fileName };
          ctx.logger.warn(
            { location: fetcher.location, file: found.name, lastImported: last.fileName },
            'source pull: the newest export is older than the last one imported; not pulled',
          );
          return false;
        }
        const remote = remoteOf(found);
        if (await claimSourcePull(db, remote, found, ctx.now(), fetcher.deadlineSeconds)) claimed = remote;
        return claimed !== undefined;
      },
      localPath: (found) => join(dir, found.name),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if (claimed !== undefined) await releaseSourcePull(db, claimed);
    throw error;
  }
  if (file === undefined || claimed === undefined) {
    return { location: fetcher.location, ...(older === undefined ? {} : { older }) };
  }
  let pulled: DropFolderOutcome;
  try {
    pulled = await importDroppedFile(ctx, actor, dir, file.name, input.lenient ?? []);
  } catch (error) {
    await rm(join(dir, file.name), { force: true });
    await releaseSourcePull(db, claimed);
    throw error;
  }
  await finishSourcePull(db, claimed, ctx.now(), pulled);
  return { location: fetcher.location, pulled };
}

import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HubError, isHubError } from '../errors/index.js';
import type { LenientMode } from '../ports/index.js';
import type { Actor } from './actor.js';
import { authorize } from './authorize.js';
import { importFile, type ImportResult } from './import-file.js';
import { describeTally, tallyImport, type ImportTally } from './import-tally.js';
import type { OperationContext } from './operation-context.js';

export interface DropFolderOutcome {
  readonly file: string;
  /** `imported`: a run was made and the file removed; `refused`: moved to `refused/`, with the error. */
  readonly outcome: 'imported' | 'refused';
  readonly runId?: string;
  /** Imported: the import report in counts (problems per lenient mode, withheld, re-keyed). */
  readonly tally?: ImportTally;
  readonly error?: string;
}

/** The line `source watch` prints and the `source-pull` audit row says for a file: counts, never values. */
export function describeDropFolderOutcome(outcome: DropFolderOutcome): string {
  if (outcome.outcome === 'refused') return `refused, moved to refused/: ${outcome.error ?? ''}`;
  const tally = outcome.tally === undefined ? '' : `: ${describeTally(outcome.tally)}`;
  return `imported, run ${outcome.runId ?? '-'}${tally}`;
}

/**
 * One look at a watched drop folder (operator): every `*.xml` regular file in it that has not changed for
 * `settleSeconds` (so a file still being copied is left for the next look) is imported as `import FILE`
 * would, oldest first, each with its own audit row and run. An imported file is removed (the hub keeps
 * no copy of a school system's export; its sha-256 is on the audit row); a refused one is moved to
 * `refused/` (0700) for an operator to look at. Nothing else in the folder is touched.
 */
export async function importDropFolder(
  ctx: OperationContext,
  actor: Actor,
  input: { readonly dir: string; readonly lenient?: readonly LenientMode[]; readonly settleSeconds?: number },
): Promise<DropFolderOutcome[]> {
  await authorize(ctx, actor, 'operator', 'import');
  const settledBefore = ctx.now().getTime() - (input.settleSeconds ?? 10) * 1000;
  const ready: { name: string; mtimeMs: number }[] = [];
  for (const entry of await listFolder(input.dir)) {
    if (!entry.isFile() || !entry.name.endsWith('.xml')) continue;
    const info = await stat(join(input.dir, entry.name));
    if (info.mtimeMs <= settledBefore) ready.push({ name: entry.name, mtimeMs: info.mtimeMs });
  }
  ready.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : 1));
  const outcomes: DropFolderOutcome[] = [];
  for (const { name } of ready) {
    outcomes.push(await importDroppedFile(ctx, actor, input.dir, name, input.lenient ?? []));
  }
  return outcomes;
}

/** The drop folder's entries; a folder that is not there (or not a folder) is one clear error line. */
async function listFolder(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EACCES') throw error;
    const why = code === 'EACCES' ? 'may not be read by this user' : 'is not a directory';
    throw new HubError('PIFU_FILE_UNREADABLE', `drop folder ${dir} ${why}; name the folder exports land in`);
  }
}

/**
 * One file of a drop folder imported as `import FILE` would: removed when imported, moved to `refused/`
 * when refused; a retryable failure (the database away) is thrown and the file left for the next look.
 */
export async function importDroppedFile(
  ctx: OperationContext,
  actor: Actor,
  dir: string,
  name: string,
  lenient: readonly LenientMode[],
): Promise<DropFolderOutcome> {
  const path = join(dir, name);
  let result: ImportResult;
  try {
    result = await importFile(ctx, actor, { path, lenient: [...lenient] });
  } catch (error) {
    if (!isHubError(error) || error.retryable) throw error;
    const refused = join(dir, 'refused');
    await mkdir(refused, { recursive: true, mode: 0o700 });
    await rename(path, join(refused, name));
    return { file: name, outcome: 'refused', error: error.message };
  }
  await rm(path, { force: true });
  return {
    file: name,
    outcome: 'imported',
    ...(result.run === undefined ? {} : { runId: result.run.runId }),
    tally: tallyImport(result.report),
  };
}

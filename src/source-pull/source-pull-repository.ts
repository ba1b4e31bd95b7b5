import { sql, type Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import type { RemoteSourceFile } from '../ports/index.js';

/*
 * `hub.source_pull`: each version of the school system's export that `source pull` took (where, name,
 * size, modification time; never its content) and how its import ended, so a file is imported once
 * however many processes pull, and never an export older than one already imported.
 */

/** A claim this old whose process never finished it (it died) may be taken again. */
const staleClaimMs = 6 * 3_600_000;

function remoteSuffix(name: string, sizeBytes: number | string, modifiedAt: Date): string {
  return `/${name} ${sizeBytes} ${modifiedAt.toISOString()}`;
}

/** The key of one remote file version: `sftp://host:port/dir/name size mtime`. */
export function remoteKey(location: string, file: RemoteSourceFile): string {
  return `${location}${remoteSuffix(file.name, file.sizeBytes, file.modifiedAt)}`;
}

/** Where a row's file was pulled from (the inverse of remoteKey). */
function remoteLocation(row: {
  remote: string;
  file_name: string;
  size_bytes: number | string;
  modified_at: Date;
}): string {
  const suffix = remoteSuffix(row.file_name, row.size_bytes, new Date(row.modified_at));
  return row.remote.endsWith(suffix) ? row.remote.slice(0, -suffix.length) : row.remote;
}

/** True when this process may pull the file: nobody claimed it, or a claim was left by a dead process. */
export async function claimSourcePull(
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

/** A failed download or a retryable import failure: the next pull may take the file again. */
export async function releaseSourcePull(db: Kysely<HubDatabase>, remote: string): Promise<void> {
  await db
    .deleteFrom('hub.source_pull')
    .where('remote', '=', remote)
    .where('finished_at', 'is', null)
    .execute();
}

export async function finishSourcePull(
  db: Kysely<HubDatabase>,
  remote: string,
  at: Date,
  result: { readonly outcome: 'imported' | 'refused'; readonly runId?: string },
): Promise<void> {
  await db
    .updateTable('hub.source_pull')
    .set({ finished_at: at, outcome: result.outcome, run_id: result.runId ?? null })
    .where('remote', '=', remote)
    .execute();
}

/** The newest export imported from `location`, by its modification time there. */
export async function lastImportedSourcePull(
  db: Kysely<HubDatabase>,
  location: string,
): Promise<{ fileName: string; modifiedAt: Date } | undefined> {
  const row = await db
    .selectFrom('hub.source_pull')
    .select(['file_name', 'modified_at'])
    .where('outcome', '=', 'imported')
    .where(sql<boolean>`starts_with(remote, ${`${location}/`})`)
    .orderBy('modified_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : { fileName: row.file_name, modifiedAt: new Date(row.modified_at) };
}

/**
 * Rows of pulls finished before `before`, except each location's newest imported one (it keeps an
 * older export from being pulled after it): they served their purpose once a newer file was taken.
 * Returns how many went.
 */
export async function pruneSourcePulls(db: Kysely<HubDatabase>, before: Date): Promise<number> {
  const rows = await db
    .selectFrom('hub.source_pull')
    .select(['remote', 'file_name', 'size_bytes', 'modified_at', 'outcome', 'finished_at'])
    .where('finished_at', 'is not', null)
    .execute();
  const newest = new Map<string, { remote: string; modifiedAt: number }>();
  for (const row of rows) {
    if (row.outcome !== 'imported') continue;
    const location = remoteLocation(row);
    const modifiedAt = new Date(row.modified_at).getTime();
    const kept = newest.get(location);
    if (kept === undefined || modifiedAt > kept.modifiedAt)
      newest.set(location, { remote: row.remote, modifiedAt });
  }
  const keep = new Set([...newest.values()].map((row) => row.remote));
  const due = rows
    .filter((row) => new Date(row.finished_at!) < before && !keep.has(row.remote))
    .map((row) => row.remote);
  for (let start = 0; start < due.length; start += 500) {
    await db
      .deleteFrom('hub.source_pull')
      .where('remote', 'in', due.slice(start, start + 500))
      .execute();
  }
  return due.length;
}

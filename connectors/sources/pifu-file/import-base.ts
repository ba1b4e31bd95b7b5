import { createHash } from 'node:crypto';
import { access, copyFile, link, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { HubDatabase } from '../../../src/db/index.js';
import { HubError } from '../../../src/errors/index.js';
import type { Group } from '../../../src/model/index.js';
import { sortExternally } from '../../../src/spool/index.js';
import { withheldGroupType, type FileRecords } from './file-records.js';
import { readScratch, ScratchWriter } from './scratch-lines.js';

/**
 * The roster an import left, kept per exporting system so its next delta export has something to apply
 * to. Where: the spool directory, `import-bases/<hash of datasource>/<base id>/` (0700; 0600 files),
 * named by hub.import_base (migration 0017). Not in
 * PostgreSQL: every process that imports already shares the spool with the workers (the run's snapshot
 * is written there), so a table would free no deployment of a shared file system, and it would put
 * persons' values in the hub database, whose tables keep keys, hashes and categories only
 * (docs/architecture.md). A base is replaced, and its files removed, when the next import of the same
 * source commits; if the spool is lost, the next delta is refused until a full export is imported.
 *
 * How it gets there: written first into the import's scratch directory (`<scratch>/base/`,
 * import-scratch.ts), then renamed into `import-bases/` (the same file system: both are under the spool)
 * as the last step of the transaction that records hub.import_base, after the row is written and before
 * COMMIT (rename, then commit). So a committed row always names a complete directory (the rename is
 * atomic and comes before the commit), and until the transaction is reached the base is scratch: a read
 * killed before it (kill -9, a crash) leaves it where the next read removes it, as any read's scratch
 * (owner.json), never in `import-bases/`. A transaction that fails or rolls back after the rename leaves
 * the directory that no row names: `close` removes it (pruneImportBases, with the base as the import's
 * own). The one window left is a crash between the rename and COMMIT (a rename, the audit row and one
 * round trip): that directory no row names is removed by the source's next import once a day old, as
 * before. The other order, commit then rename, has no such leftover but a worse window: a crash there
 * commits a row naming a directory that is still scratch, which the next read removes, so the source's
 * next delta is refused until a full export is imported.
 *
 * Files, in canonical key order: `persons.ndjson` (the file's person, hub key, guardian links as
 * references), `groups.ndjson`, `memberships.ndjson`, and `withheld-groups.json` (keys only: the
 * groups withheld at the door, so a delta's memberships in them are withheld too, not unknown).
 */
export interface ImportBase {
  readonly datasource: string;
  /** The roster's directory name: a uuid, since the files are written before the run has an id. */
  readonly baseId: string;
  readonly runId: string;
  readonly feedType: 'full' | 'delta';
  /** ISO time of the file's `properties/datetime`. */
  readonly exportedAt: string;
  readonly dir: string;
}

/** Directories of bases no committed import names are removed once they are this old (a crash's leftovers). */
const orphanAgeMs = 24 * 3600_000;

function sourceDir(spoolDir: string, datasource: string): string {
  const name = createHash('sha256').update(datasource).digest('hex').slice(0, 32);
  return join(spoolDir, 'import-bases', name);
}

export function baseFiles(dir: string) {
  return {
    persons: join(dir, 'persons.ndjson'),
    groups: join(dir, 'groups.ndjson'),
    memberships: join(dir, 'memberships.ndjson'),
    withheldGroups: join(dir, 'withheld-groups.json'),
  };
}

export async function findImportBase(
  db: Kysely<HubDatabase>,
  spoolDir: string,
  datasource: string,
): Promise<ImportBase | undefined> {
  const row = await db
    .selectFrom('hub.import_base')
    .selectAll()
    .where('datasource', '=', datasource)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    datasource,
    baseId: row.base_id,
    runId: row.run_id,
    feedType: row.feed_type,
    exportedAt: row.exported_at.toISOString(),
    dir: join(sourceDir(spoolDir, datasource), row.base_id),
  };
}

/**
 * The system whose roster may hold groups keyed by their own id that no mapping records (imported before
 * migration 0020), until its next full import; undefined when there is none.
 */
export async function unmappedGroupOwner(db: Kysely<HubDatabase>): Promise<string | undefined> {
  const row = await db
    .selectFrom('hub.import_base')
    .select('datasource')
    .where('unmapped_group_ids', '=', true)
    .executeTakeFirst();
  return row?.datasource;
}

/** Whether a base's files are all there (`withheld-groups.json` is written last). */
export async function isBaseComplete(base: ImportBase): Promise<boolean> {
  try {
    await access(baseFiles(base.dir).withheldGroups);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes the roster of `records` as the base an import may leave, into the import's scratch directory
 * (`<scratch>/base/`); returns that directory, which keepImportBase moves into `import-bases/`. The
 * persons are the file `sortedPersons` gives, in key order already (sorted once for the base and the
 * run's snapshot: roster-persons.ts), and the memberships the read kept in canonical order: both are
 * complete and never written again, so the base links them (a second name, the same filesystem), not a
 * copy, and sorts neither again.
 */
export async function writeImportBase(
  records: FileRecords,
  sortedPersons: () => Promise<string>,
  scratch: string,
): Promise<string> {
  const dir = join(scratch, 'base');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { mode: 0o700 });
  const files = baseFiles(dir);
  await linkOrCopy(await sortedPersons(), files.persons);
  const groups = new ScratchWriter<Group>(files.groups);
  for await (const group of sortExternally(readScratch<Group>(records.groupsPath), (group) => group.key, {
    dir: scratch,
  })) {
    if (!records.droppedGroups.has(group.key)) await groups.write(group);
  }
  await groups.close();
  await linkOrCopy(records.membershipsPath, files.memberships);
  const withheld = [...records.groups].filter(([, group]) => group.type === withheldGroupType);
  await writeFile(files.withheldGroups, JSON.stringify(withheld.map(([key]) => key)), { mode: 0o600 });
  return dir;
}

/** A second name for a finished scratch file; a copy where the file system has no hard links. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'EOPNOTSUPP') throw error;
    await copyFile(from, to);
  }
}

/**
 * Moves the base writeImportBase wrote (`written`, in the import's scratch directory) to where
 * hub.import_base names it, `import-bases/<hash>/<baseId>/`: one rename, in the transaction that
 * records the row, after it (see the module's comment for why then).
 */
export async function keepImportBase(
  written: string,
  spoolDir: string,
  datasource: string,
  baseId: string,
): Promise<void> {
  const parent = sourceDir(spoolDir, datasource);
  await mkdir(parent, { recursive: true, mode: 0o700 });
  await rename(written, join(parent, baseId));
}

/**
 * Names the new base in the import's transaction, if the source's base is still the one the file was
 * read against (`readFrom`; none for a source's first import). If another import of the source committed
 * since, this one would be applied on top of it with what it read before (a delta applied twice, a full
 * export's new hub keys other than those recorded): refused. Two imports that commit at once serialise on
 * the source's row (the update, or the insert of a first import, waits for the other's transaction), and
 * the second finds the base changed.
 */
export async function recordImportBase(
  trx: Kysely<HubDatabase>,
  base: Omit<ImportBase, 'dir'>,
  readFrom: ImportBase | undefined,
  path: string,
): Promise<void> {
  const values = {
    datasource: base.datasource,
    base_id: base.baseId,
    run_id: base.runId,
    feed_type: base.feedType,
    exported_at: base.exportedAt,
    recorded_at: new Date(),
    // A full export names every group the roster holds, and its import maps each one (migration 0020).
    ...(base.feedType === 'full' ? { unmapped_group_ids: false } : {}),
  };
  const moved =
    readFrom === undefined
      ? await trx
          .insertInto('hub.import_base')
          .values(values)
          .onConflict((oc) => oc.column('datasource').doNothing())
          .returning('base_id')
          .executeTakeFirst()
      : await trx
          .updateTable('hub.import_base')
          .set(values)
          .where('datasource', '=', base.datasource)
          .where('base_id', '=', readFrom.baseId)
          .returning('base_id')
          .executeTakeFirst();
  if (moved !== undefined) return;
  const current = await trx
    .selectFrom('hub.import_base')
    .select('run_id')
    .where('datasource', '=', base.datasource)
    .executeTakeFirst();
  throw new HubError(
    'PIFU_IMPORT_REFUSED',
    base.feedType === 'delta'
      ? `another import of this source was committed (run ${current?.run_id ?? '-'}) while this delta ` +
          `was read against run ${readFrom?.runId ?? '-'}; nothing was imported. Import the delta again`
      : `${path}: another import of this source was committed (run ${current?.run_id ?? '-'}) while this ` +
          'file was read; nothing was imported. Import the file again if it is still the newest',
  );
}

/**
 * After an import: removes every kept roster of the source but the one its committed import names,
 * except directories younger than a day that may belong to an import still committing, unless `own`
 * names them (the base this import replaced, and its own if it was not committed).
 */
export async function pruneImportBases(
  db: Kysely<HubDatabase>,
  spoolDir: string,
  datasource: string,
  own: readonly string[],
): Promise<void> {
  const current = await findImportBase(db, spoolDir, datasource);
  const dir = sourceDir(spoolDir, datasource);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name === current?.baseId) continue;
    const path = join(dir, name);
    if (!own.includes(name) && Date.now() - (await stat(path)).mtimeMs < orphanAgeMs) continue;
    await rm(path, { recursive: true, force: true });
  }
}

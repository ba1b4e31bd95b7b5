import { createHash, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import type { HubDatabase } from '../../../src/db/index.js';
import { HubError, isHubError } from '../../../src/errors/index.js';
import { sourceIdentities } from '../../../src/identity/index.js';
import type { Group, Membership, Roster } from '../../../src/model/index.js';
import {
  openGuardedFile,
  readFeedDetailed,
  type InputGuard,
  type InputLimits,
} from '../../../src/pifu/index.js';
import type {
  ImportReport,
  RosterFile,
  RosterFileReader,
  SourceConnector,
} from '../../../src/ports/index.js';
import { sortExternally } from '../../../src/spool/index.js';
import { FileIdentities } from './file-identities.js';
import { maskIds } from './identity-number.js';
import { ProblemLog } from './problem-log.js';
import {
  findImportBase,
  isBaseComplete,
  keepImportBase,
  pruneImportBases,
  recordImportBase,
  unmappedGroupOwner,
  writeImportBase,
  type ImportBase,
} from './import-base.js';
import { makeImportScratch } from './import-scratch.js';
import { readDeltaRecords } from './read-delta-records.js';
import type { FileRecords } from './file-records.js';
import { readPifuRecords } from './read-pifu-records.js';
import { rosterPersons, sortPersons } from './roster-persons.js';
import { readScratch } from './scratch-lines.js';

export interface PifuFileReaderOptions {
  readonly db: Kysely<HubDatabase>;
  readonly limits: InputLimits;
  /** Written as the roster's source (PIFU `datasource` of outgoing feeds), as for any source. */
  readonly sourceName: string;
}

/** A delta needs the roster it changes: an earlier import from the same system, exported before it. */
async function checkBase(
  path: string,
  datasource: string,
  snapshotAt: string,
  base: ImportBase | undefined,
): Promise<void> {
  if (base === undefined) {
    throw new HubError(
      'PIFU_IMPORT_REFUSED',
      `${path}: a delta export, and no import from ${maskIds(datasource)} was committed before, so there ` +
        'is no roster for it to change; nothing was imported. Import a full export from that system first, ' +
        'then its deltas',
    );
  }
  if (new Date(snapshotAt).getTime() <= new Date(base.exportedAt).getTime()) {
    throw new HubError(
      'PIFU_IMPORT_REFUSED',
      `${path}: a delta export of ${snapshotAt}, not after the ${base.feedType} export of ${base.exportedAt} ` +
        `it would change (run ${base.runId}); nothing was imported. Deltas apply in order, each once`,
    );
  }
  if (!(await isBaseComplete(base))) {
    throw new HubError(
      'PIFU_IMPORT_REFUSED',
      `${path}: a delta export, and the roster of the import it would change (run ${base.runId}) is not ` +
        'in the spool directory (import-bases/); nothing was imported. Import a full export from that system first',
    );
  }
}

/**
 * A full export older than the one the system's last import came from would take every recipient back
 * to an older roster (a file delivered late, or one left in a watched folder): refused. The same export
 * again is allowed; it changes nothing.
 */
function checkNotOlder(path: string, snapshotAt: string, base: ImportBase | undefined): void {
  if (base === undefined || new Date(snapshotAt).getTime() >= new Date(base.exportedAt).getTime()) return;
  throw new HubError(
    'PIFU_IMPORT_REFUSED',
    `${path}: a full export of ${snapshotAt}, older than the ${base.feedType} export of ${base.exportedAt} ` +
      `imported last (run ${base.runId}); importing it would take every recipient back to an older roster; ` +
      "nothing was imported. Import the system's newest export",
  );
}

function snapshotTime(datetime: string, path: string): string {
  const time = new Date(datetime);
  if (Number.isNaN(time.getTime())) {
    throw new HubError(
      'PIFU_IMPORT_REFUSED',
      `${path}: properties/datetime is not a date; nothing was imported`,
    );
  }
  return time.toISOString();
}

/**
 * PIFU-IMS files (1.1–1.3) from a school system's export as rosters: a full export as it stands, a
 * delta export applied to the roster the system's last committed import left (read-delta-records.ts).
 * The file is read once, through the input guard, record by record; what the roster needs goes to
 * scratch files under the spool and is sorted into canonical order when the roster is read, persons
 * joined with their affiliations on disk (roster-persons.ts). Memory holds the groups and, per person,
 * fixed-width records in byte tables (its id's hash and key, its key and flags): about 100 bytes a
 * person, off the JavaScript heap (measured by test/integration/import/read-memory.test.ts), never the
 * file, the records or a map of persons. Committing keeps the roster as the base of the system's next
 * delta (import-base.ts).
 */
export function createPifuFileReader(options: PifuFileReaderOptions): RosterFileReader {
  return {
    async read(path, { lenient, scratchDir, signal }) {
      const scratch = await makeImportScratch(scratchDir);
      let input: HashedInput | undefined;
      try {
        input = hashedInput(await openGuardedFile(path, options.limits), signal);
        return await readFile(path, input, scratchDir, scratch, lenient);
      } catch (error) {
        // A read that stops half-way closes the file it read (the chunks' generators close it when returned).
        await input?.chunks.return(undefined);
        await rm(scratch, { recursive: true, force: true });
        throw namingFile(path, error);
      }
    },
  };

  async function readFile(
    path: string,
    input: HashedInput,
    scratchDir: string,
    scratch: string,
    lenient: ImportReport['lenient'],
  ): Promise<RosterFile> {
    const problems = new ProblemLog(lenient);
    const document = await readFeedDetailed(input.chunks, {
      guarded: input.guard,
      name: path,
      onUnreadableRecord: (record) => {
        const name = record.name === 'group' || record.name === 'membership' ? record.name : 'person';
        problems.add(
          'unreadable-objects',
          name,
          `${record.name} record`,
          record.line,
          'the mapping cannot read it',
        );
      },
      onForeignSourcedid: (found) => {
        const object = found.record === 'group' || found.record === 'membership' ? found.record : 'person';
        const what = `${found.which} sourcedid names a source other than the file's properties/datasource`;
        problems.add('foreign-sources', object, found.id, found.line, what);
      },
      onGroupTypeCode: (found) => {
        const what = "its grouptype's scheme or level is not the one PIFU pairs with its typevalue";
        problems.add('group-type-codes', 'group', found.id, found.line, what);
      },
    });
    const { properties } = document;
    if (properties.type === 'event') {
      throw new HubError(
        'PIFU_IMPORT_REFUSED',
        `${path}: an event file; the import reads full and delta exports; nothing was imported`,
      );
    }
    const feedType: 'full' | 'delta' = properties.type;
    const snapshotAt = snapshotTime(properties.datetime, path);
    const base = await findImportBase(options.db, scratchDir, properties.datasource);
    if (properties.type === 'delta') await checkBase(path, properties.datasource, snapshotAt, base);
    else checkNotOlder(path, snapshotAt, base);
    const known = await sourceIdentities(options.db);
    const identities = await FileIdentities.load(
      known,
      properties.datasource,
      await unmappedGroupOwner(options.db),
    );
    const { records, changes } =
      properties.type === 'delta'
        ? await readDeltaRecords(document, identities, problems, scratch, base!)
        : { records: await readPifuRecords(document, identities, problems, scratch), changes: undefined };
    const report: ImportReport = {
      file: { path, ...input.digest() },
      feedType: properties.type,
      datetime: maskIds(properties.datetime),
      counts: records.counts,
      withheld: records.withheld,
      rekeyed: records.rekeyed,
      problemCounts: problems.counts,
      problems: problems.problems,
      lenient,
      refused: problems.refused,
      ...(changes === undefined || base === undefined
        ? {}
        : { base: { runId: base.runId, datetime: base.exportedAt, feedType: base.feedType }, changes }),
    };
    const roster: Roster = {
      properties: { source: options.sourceName, snapshotAt },
      persons: () => rosterPersons(records, identities, scratch),
      groups: () => sortExternally(groups(records), (group) => group.key, { dir: scratch }),
      // Sorted once when the file was read, duplicates reported and dropped then.
      memberships: () => memberships(records),
    };
    const source: SourceConnector = {
      lookup: {
        hasPerson: (key) => Promise.resolve(records.personKeys.has(key)),
        findSchool: () => Promise.resolve(undefined),
      },
      openSnapshot: () => Promise.resolve({ ...roster, close: () => Promise.resolve() }),
    };
    // The kept rosters this import may remove once it ends: the one it replaces, and its own if its
    // transaction did not commit.
    const superseded: string[] = base === undefined ? [] : [base.baseId];
    const baseId = randomUUID();
    let prepared: Promise<string> | undefined;
    // Writes the base into the scratch directory; commit moves it into import-bases/ (import-base.ts).
    const prepare = (): Promise<string> => {
      prepared ??= writeImportBase(records, () => sortPersons(records, identities, scratch), scratch);
      return prepared;
    };
    return {
      report,
      source,
      async prepare() {
        await prepare();
      },
      async commit(trx, runId) {
        const written = await prepare();
        const next = { datasource: properties.datasource, baseId, runId, feedType, exportedAt: snapshotAt };
        // First: an import of the same source committing at the same time waits here, then is refused.
        await recordImportBase(trx, next, base, path);
        const taken = await known.record(trx, identities.added());
        if (taken > 0) {
          throw new HubError(
            'PIFU_IMPORT_REFUSED',
            `${path}: ${taken} of its ids were given hub keys, or its new hub keys taken, by another import ` +
              'committed while this file was read; nothing was imported. Import the file again',
          );
        }
        // Last: a rollback from here on leaves a directory no row names, which close removes.
        superseded.push(baseId);
        await keepImportBase(written, scratchDir, properties.datasource, baseId);
      },
      async close() {
        await prepared?.catch(() => undefined);
        await rm(scratch, { recursive: true, force: true });
        if (prepared !== undefined) {
          await pruneImportBases(options.db, scratchDir, properties.datasource, superseded);
        }
      },
    };
  }
}

/** A file that is not well-formed PIFU: the message names it (the reader of the records does not know it). */
function namingFile(path: string, error: unknown): unknown {
  if (!isHubError(error) || error.code !== 'PIFU_XML_UNREADABLE') return error;
  const what = error.message.slice(`${error.code}: `.length);
  return new HubError(error.code, `${path}: ${what}; nothing was imported`, { cause: error });
}

interface HashedInput {
  readonly guard: InputGuard;
  /** The file's guarded bytes, hashed as they pass. */
  readonly chunks: AsyncGenerator<Buffer>;
  /** Once every chunk has passed: the file's size and SHA-256. */
  digest(): { bytes: number; sha256: string };
}

function hashedInput(file: Awaited<ReturnType<typeof openGuardedFile>>, signal?: AbortSignal): HashedInput {
  const sha256 = createHash('sha256');
  let bytes = 0;
  async function* hashed(): AsyncGenerator<Buffer> {
    for await (const chunk of file.chunks()) {
      signal?.throwIfAborted();
      sha256.update(chunk);
      bytes += chunk.length;
      yield chunk;
    }
  }
  return { guard: file.guard, chunks: hashed(), digest: () => ({ bytes, sha256: sha256.digest('hex') }) };
}

async function* groups(records: FileRecords): AsyncGenerator<Group> {
  for await (const group of readScratch<Group>(records.groupsPath)) {
    if (!records.droppedGroups.has(group.key)) yield group;
  }
}

async function* memberships(records: FileRecords): AsyncGenerator<Membership> {
  yield* readScratch<Membership>(records.membershipsPath);
}

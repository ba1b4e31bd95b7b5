import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { HubDatabase } from '../../../src/db/index.js';
import { HubError } from '../../../src/errors/index.js';
import { sourceIdentities } from '../../../src/identity/index.js';
import type { Group, Membership, Person, Roster } from '../../../src/model/index.js';
import { openGuardedFile, readFeedDetailed, type InputLimits } from '../../../src/pifu/index.js';
import type {
  ImportReport,
  RosterFile,
  RosterFileReader,
  SourceConnector,
} from '../../../src/ports/index.js';
import { sortExternally } from '../../../src/spool/index.js';
import { derivePerson } from './derive-person.js';
import { FileIdentities } from './file-identities.js';
import { maskIds } from './identity-number.js';
import { ProblemLog } from './problem-log.js';
import { readPifuRecords, type FileRecords, type ScratchPerson } from './read-pifu-records.js';
import { readScratch } from './scratch-lines.js';

export interface PifuFileReaderOptions {
  readonly db: Kysely<HubDatabase>;
  readonly limits: InputLimits;
  /** Written as the roster's source (PIFU `datasource` of outgoing feeds), as for any source. */
  readonly sourceName: string;
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
 * PIFU-IMS files (1.1–1.3) from a school system's export as rosters. The file is read once, through the
 * input guard, record by record; what the roster needs goes to scratch files under the spool and is
 * sorted into canonical order when the roster is read. Memory holds small maps: groups, and per person
 * its key, its id's hash, guardian links and affiliations (about 450 bytes a person, measured by
 * test/integration/import/read-memory.test.ts), never the file or the records.
 */
export function createPifuFileReader(options: PifuFileReaderOptions): RosterFileReader {
  return {
    async read(path, { lenient, scratchDir, signal }) {
      await mkdir(scratchDir, { recursive: true, mode: 0o700 });
      const scratch = await mkdtemp(join(scratchDir, 'import-'));
      try {
        return await readFile(path, scratch, lenient, signal);
      } catch (error) {
        await rm(scratch, { recursive: true, force: true });
        throw error;
      }
    },
  };

  async function readFile(
    path: string,
    scratch: string,
    lenient: ImportReport['lenient'],
    signal: AbortSignal | undefined,
  ): Promise<RosterFile> {
    const file = await openGuardedFile(path, options.limits);
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
    const problems = new ProblemLog(lenient);
    const document = await readFeedDetailed(hashed(), {
      guarded: file.guard,
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
    });
    if (document.properties.type !== 'full') {
      throw new HubError(
        'PIFU_IMPORT_REFUSED',
        `${path}: a ${document.properties.type} file; the import reads full exports only (a delta needs the export it changes); nothing was imported`,
      );
    }
    const snapshotAt = snapshotTime(document.properties.datetime, path);
    const known = await sourceIdentities(options.db);
    const identities = await FileIdentities.load(known);
    const records = await readPifuRecords(document, identities, problems, scratch);
    const report: ImportReport = {
      file: { path, bytes, sha256: sha256.digest('hex') },
      feedType: document.properties.type,
      datetime: maskIds(document.properties.datetime),
      counts: records.counts,
      withheld: records.withheld,
      rekeyed: records.rekeyed,
      problemCounts: problems.counts,
      problems: problems.problems,
      lenient,
      refused: problems.refused,
    };
    const roster: Roster = {
      properties: { source: options.sourceName, snapshotAt },
      persons: () => sortExternally(persons(records, identities), (person) => person.key, { dir: scratch }),
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
    return {
      report,
      source,
      commitIdentities: (trx) => known.record(trx, identities.added),
      close: () => rm(scratch, { recursive: true, force: true }),
    };
  }
}

async function* persons(records: FileRecords, identities: FileIdentities): AsyncGenerator<Person> {
  const guardianKeys = new Set<string>();
  for (const id of records.guardianIds) {
    const key = identities.findPerson(id);
    if (key !== undefined && records.personKeys.has(key)) guardianKeys.add(key);
  }
  for await (const entry of readScratch<ScratchPerson>(records.personsPath)) {
    const links = entry.guardianIds
      .map((id) => identities.findPerson(id))
      .filter((key): key is string => key !== undefined && records.personKeys.has(key));
    const person = { ...entry.person, guardianKeys: links };
    yield derivePerson(person, records.facts.get(person.key), guardianKeys.has(person.key));
  }
}

async function* groups(records: FileRecords): AsyncGenerator<Group> {
  for await (const group of readScratch<Group>(records.groupsPath)) {
    if (!records.droppedGroups.has(group.key)) yield group;
  }
}

async function* memberships(records: FileRecords): AsyncGenerator<Membership> {
  yield* readScratch<Membership>(records.membershipsPath);
}

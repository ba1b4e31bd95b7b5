import type { Kysely } from 'kysely';
import { HubError } from '../../../src/errors/index.js';
import type { SourceLookup } from '../../../src/ports/source-connector.js';
import type { SourceDatabase } from './source-database.js';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * One indexed query per question, outside any snapshot. Keys that are not uuids cannot exist here (the
 * columns are uuid), so they are answered without a query that PostgreSQL would reject.
 */
export function recordsDbLookup(db: Kysely<SourceDatabase>): SourceLookup {
  const unavailable = (error: unknown): never => {
    throw new HubError(
      'PIFU_SOURCE_UNAVAILABLE',
      'could not look the key up in the records store; check the database connection and retry',
      { cause: error },
    );
  };
  return {
    async hasPerson(personKey) {
      if (!uuidPattern.test(personKey)) return false;
      const row = await db
        .selectFrom('records.person')
        .select('id')
        .where('id', '=', personKey)
        .executeTakeFirst()
        .catch(unavailable);
      return row !== undefined;
    },
    async findSchool(reference) {
      const row = await db
        .selectFrom('records.school')
        .select('id')
        .where((eb) => eb.or([eb('organization_number', '=', reference), eb('nsr_id', '=', reference)]))
        .executeTakeFirst()
        .catch(unavailable);
      return row?.id;
    },
  };
}

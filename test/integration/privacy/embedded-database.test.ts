import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { migrateRecordsStore } from '../../../connectors/sources/records-db/index.js';
import { migrateHub } from '../../../src/db/index.js';
import { checkRetention, reportAccess, startExport } from '../../../src/operations/index.js';
import { hubContext, operationContext, recipient, seed, testActor } from '../../helpers/hub-fixture.js';

/**
 * On the embedded database the records store and the hub share PGlite's one connection, so an
 * operation must end its source snapshot before it asks the hub's tables anything: else it waits for
 * ever. The privacy operations that read the source and the hub both finish here.
 */
describe('privacy operations on the embedded database (PGlite)', () => {
  let db: Kysely<unknown>;
  beforeAll(async () => {
    const pglite = new PGlite();
    db = new Kysely<unknown>({ dialect: new PGliteDialect(pglite) });
    await migrateRecordsStore(db);
    await migrateHub(db);
    await seed({ kind: 'pglite', pglite }, 'tiny');
  });
  afterAll(async () => db.destroy());

  it('retention-check and report access complete', async () => {
    const ops = operationContext(
      hubContext(db, { recipients: (dir) => [recipient('lms', 'lms', join(dir, 'lms'))] }),
    );
    const actor = testActor();
    const run = await startExport(ops, actor, { all: true });
    expect(run.status).toBe('completed');
    const check = await checkRetention(ops, actor, {});
    expect(check.hub).toMatchObject({ runs: 0, feedFiles: 0 });
    const held = await (db as Kysely<{ 'hub.delivered_object': { object_key: string; object_type: number } }>)
      .selectFrom('hub.delivered_object')
      .select('object_key')
      .where('object_type', '=', 1)
      .limit(1)
      .executeTakeFirstOrThrow();
    const report = await reportAccess(ops, actor, { person: held.object_key });
    expect(report.recipients.map((entry) => entry.recipientId)).toEqual(['lms']);
  }, 180_000);
});

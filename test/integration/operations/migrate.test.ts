import { sql } from 'kysely';
import { hubMigrations } from '../../../schemas/hub/index.js';
import { migrateHubSchema } from '../../../src/operations/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { actors, attempt, codeOf, expectDenied, operationsOver, succeeds } from './operations-fixture.js';

describe('migrateHubSchema', () => {
  let migrated: TestDatabase;
  let empty: TestDatabase;
  beforeAll(async () => {
    [migrated, empty] = await Promise.all([
      createTestDatabase({ migrated: true }),
      createTestDatabase({ migrated: false }),
    ]);
  });
  afterAll(async () => Promise.all([migrated.destroy(), empty.destroy()]));

  it('refuses an actor without the role on a database with no hub schema yet (no trail to write), changing nothing', async () => {
    const outcome = await attempt(empty.db, () =>
      migrateHubSchema(
        operationsOver(empty.db, () => []),
        actors.operator,
      ),
    );
    expect(codeOf(outcome)).toMatchObject({
      code: 'PIFU_FORBIDDEN',
      message: expect.stringContaining('test:olga lacks the config-admin role that migrate needs'),
    });
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM information_schema.schemata
      WHERE schema_name = 'hub'`.execute(empty.db);
    expect(rows[0]?.n).toBe(0);
  });

  it('brings an empty database up to date, then says so; each run audited with what it applied', async () => {
    const ops = operationsOver(empty.db, () => []);
    const { result, rows } = await succeeds(empty.db, () => migrateHubSchema(ops, actors.configAdmin));
    expect(result).toEqual(Object.keys(hubMigrations));
    expect(rows).toEqual([
      {
        actor: 'test:conrad',
        action: 'migrate',
        outcome: 'done',
        subject: null,
        detail: `applied ${Object.keys(hubMigrations).join(', ')}`,
        source: 'local',
      },
    ]);
    const again = await succeeds(empty.db, () => migrateHubSchema(ops, actors.configAdmin));
    expect(again.result).toEqual([]);
    expect(again.rows.map((row) => [row.action, row.outcome, row.detail])).toEqual([
      ['migrate', 'done', 'up to date'],
    ]);
  });

  it('refuses an actor without the config-admin role, audited as denied', async () => {
    const ops = operationsOver(migrated.db, () => []);
    for (const actor of [actors.operator, actors.privacyAdmin]) {
      await expectDenied(migrated.db, () => migrateHubSchema(ops, actor), {
        actor,
        action: 'migrate',
        role: 'config-admin',
      });
    }
  });
});

import { admitProcess } from '../../../src/operations/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { actors, expectDenied, succeeds } from './operations-fixture.js';

describe('admitProcess (worker and scheduler start)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
  });
  afterAll(async () => database.destroy());

  it('admits an operator and audits who started which process, with what', async () => {
    const ctx = { db: database.db };
    const worker = await succeeds(database.db, () =>
      admitProcess(ctx, actors.operator, 'worker', 'queues run, feed, deliver; concurrency 2'),
    );
    const scheduler = await succeeds(database.db, () =>
      admitProcess(ctx, actors.operator, 'scheduler', 'catch-up 60 min'),
    );
    expect([...worker.rows, ...scheduler.rows]).toEqual([
      {
        actor: 'test:olga',
        action: 'worker',
        outcome: 'done',
        subject: null,
        detail: 'started: queues run, feed, deliver; concurrency 2',
        source: 'local',
      },
      {
        actor: 'test:olga',
        action: 'scheduler',
        outcome: 'done',
        subject: null,
        detail: 'started: catch-up 60 min',
        source: 'local',
      },
    ]);
  });

  it('refuses an actor without the operator role, audited as denied', async () => {
    const ctx = { db: database.db };
    for (const kind of ['worker', 'scheduler'] as const) {
      for (const actor of [actors.viewer, actors.privacyAdmin]) {
        await expectDenied(database.db, () => admitProcess(ctx, actor, kind, 'catch-up 1440 min'), {
          actor,
          action: kind,
          role: 'operator',
        });
      }
    }
  });
});

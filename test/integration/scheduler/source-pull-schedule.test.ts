import { createScheduler } from '../../../jobs/scheduler.js';
import { hubContext } from '../../helpers/hub-fixture.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { testRedisUrl } from '../../setup/services.js';

/**
 * The source pull's schedule rides on the scheduler's tick: each instant of its cron (Europe/Oslo) starts
 * one pull, in the background; ticks between instants start none, and an instant that comes while a pull
 * still runs is skipped rather than starting a second one.
 */
describe('scheduler: the source pull schedule', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
  });
  afterAll(async () => database.destroy());

  it('starts one pull per instant of the schedule, never two at once', async () => {
    const ctx = hubContext(database.db, { recipients: () => [] });
    const started: string[] = [];
    let finish: (() => void) | undefined;
    const scheduler = createScheduler(
      ctx,
      { redisUrl: testRedisUrl(), prefix: 'pifu-test-pull-schedule' },
      {
        since: new Date('2026-03-10T01:00:00Z'),
        sourcePull: {
          // 03:15 and 03:45 Oslo time (CET, UTC+1 in March before the 29th).
          schedule: '15,45 3 * * *',
          pull: () => {
            started.push('pull');
            return new Promise<void>((resolve) => {
              finish = resolve;
            });
          },
        },
      },
    );
    expect(scheduler.sourcePullSchedule).toBe('15,45 3 * * *');

    await scheduler.tick(new Date('2026-03-10T02:14:00Z'));
    expect(started).toHaveLength(0);
    await scheduler.tick(new Date('2026-03-10T02:16:00Z')); // 03:16 Oslo: the 03:15 instant is due
    expect(started).toHaveLength(1);
    await scheduler.tick(new Date('2026-03-10T02:17:00Z'));
    expect(started).toHaveLength(1);
    await scheduler.tick(new Date('2026-03-10T02:46:00Z')); // 03:45 comes while the first still runs
    expect(started).toHaveLength(1);

    finish?.();
    await scheduler.pullSettled();
    await scheduler.tick(new Date('2026-03-11T02:15:00Z')); // the next night's 03:15, exactly
    expect(started).toHaveLength(2);
    finish?.();
    await scheduler.pullSettled();
  });

  it('a failing pull is logged and the next instant pulls again', async () => {
    const ctx = hubContext(database.db, { recipients: () => [] });
    let calls = 0;
    const scheduler = createScheduler(
      ctx,
      { redisUrl: testRedisUrl(), prefix: 'pifu-test-pull-schedule' },
      {
        since: new Date('2026-05-31T23:50:00Z'),
        sourcePull: {
          schedule: '0 * * * *',
          pull: () => {
            calls++;
            return Promise.reject(new Error('PIFU_TRANSPORT_FAILED: sftp: no progress'));
          },
        },
      },
    );
    await scheduler.tick(new Date('2026-06-01T00:30:00Z'));
    await scheduler.pullSettled();
    expect(calls).toBe(1);
    await scheduler.tick(new Date('2026-06-01T01:30:00Z'));
    await scheduler.pullSettled();
    expect(calls).toBe(2);
  });
});

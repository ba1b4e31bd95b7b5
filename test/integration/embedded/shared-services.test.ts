import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testRedisUrl } from '../../setup/services.js';
import { embeddedEnv, runBin } from './support/hub-bin.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/**
 * What hands work to other processes (export --detach, worker, scheduler) needs what they share: Redis
 * and PostgreSQL. On the embedded default it is refused before anything starts or is recorded.
 */
describe('commands that need a worker pool, on the embedded database', () => {
  let base: string;
  beforeAll(() => {
    base = scratchDir('pifu-shared-');
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  const fresh = (name: string): string => join(base, name);
  const sharedRedis = (): Record<string, string> => ({
    REDIS_URL: testRedisUrl(),
    PIFU_HUB_QUEUE_PREFIX: `test-${randomUUID()}`,
  });

  it('export --detach without REDIS_URL is refused in one line and records no run', async () => {
    const dataDir = fresh('detach');
    const env = embeddedEnv(dataDir);
    const detached = await runBin(['export', '--all', '--detach'], { env, cwd: base, timeoutMs: 60_000 });
    expect(detached).toMatchObject({
      exitCode: 1,
      stdout: '',
      stderr:
        "error: PIFU_QUEUE_UNAVAILABLE: export --detach needs the worker pool's shared Redis and REDIS_URL is " +
        'not set: set REDIS_URL and DATABASE_URL, or run the export without --detach\n',
    });
    const runs = await runBin(['runs', '--json'], { env, cwd: base });
    expect(runs).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
  }, 120_000);

  it('export --detach with REDIS_URL but without DATABASE_URL is refused in one line and records no run', async () => {
    const dataDir = fresh('detach');
    const detached = await runBin(['export', '--all', '--detach'], {
      env: embeddedEnv(dataDir, sharedRedis()),
      cwd: base,
      timeoutMs: 60_000,
    });
    expect(detached).toMatchObject({
      exitCode: 1,
      stdout: '',
      stderr:
        'error: PIFU_CONFIG_INVALID: export --detach shares the queues on REDIS_URL with other processes, but ' +
        'DATABASE_URL is not set and the embedded database belongs to one process, so they would never see ' +
        'each other’s runs: set DATABASE_URL to the PostgreSQL every hub process uses, or run the export ' +
        'without --detach\n',
    });
    const runs = await runBin(['runs', '--json'], { env: embeddedEnv(dataDir), cwd: base });
    expect(runs).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
  }, 120_000);

  it.each([
    ['worker', 'a worker', 'run `pifu-hub export`, which does its own jobs'],
    ['scheduler', 'the scheduler', 'run `pifu-hub export` by hand'],
  ])(
    '%s with REDIS_URL but without DATABASE_URL refuses to start, opening nothing',
    async (command, who, instead) => {
      const dataDir = fresh(`${command}-no-database`);
      const started = await runBin([command], {
        env: embeddedEnv(dataDir, sharedRedis()),
        cwd: base,
        timeoutMs: 30_000,
      });
      expect(started).toMatchObject({
        exitCode: 1,
        stdout: '',
        stderr:
          `error: PIFU_CONFIG_INVALID: ${who} shares the queues on REDIS_URL with other processes, but ` +
          'DATABASE_URL is not set and the embedded database belongs to one process, so they would never see ' +
          'each other’s runs: set DATABASE_URL to the PostgreSQL every hub process uses, or ' +
          `${instead}\n`,
      });
      expect(existsSync(dataDir)).toBe(false);
    },
    60_000,
  );

  it('worker without REDIS_URL refuses before it starts a private redis-server or opens the database', async () => {
    const dataDir = fresh('worker-no-redis');
    const bin = fresh('fake-bin');
    const marker = join(base, 'fake-redis-started');
    mkdirSync(bin);
    writeFileSync(join(bin, 'redis-server'), `#!/bin/sh\ntouch '${marker}'\nexit 1\n`);
    chmodSync(join(bin, 'redis-server'), 0o755);
    const started = await runBin(['worker'], {
      env: embeddedEnv(dataDir, { PATH: `${bin}:${process.env['PATH'] ?? ''}` }),
      cwd: base,
      timeoutMs: 30_000,
    });
    expect(started).toMatchObject({
      exitCode: 1,
      stdout: '',
      stderr:
        "error: PIFU_QUEUE_UNAVAILABLE: a worker needs the worker pool's shared Redis and REDIS_URL is not " +
        'set: set REDIS_URL and DATABASE_URL, or run `pifu-hub export`, which does its own jobs\n',
    });
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  }, 180_000);
});

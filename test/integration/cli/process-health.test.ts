import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { heartbeatKey } from '../../../jobs/heartbeat.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { testRedisUrl } from '../../setup/services.js';
import { runCli } from './run-cli.js';
import { longRunningEnv, startPifuHub } from './support/long-running.js';

/**
 * `pifu-hub health --role worker|scheduler`, the compose health check of the processes without a port:
 * 0 only while PostgreSQL and Redis answer and the instance's own process keeps its heartbeat fresh;
 * otherwise one `error: PIFU_…` line and a non-zero exit.
 */
describe('pifu-hub health: worker and scheduler readiness from beside the process', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  let prefix: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
    prefix = `health-${randomUUID()}`;
    env = longRunningEnv(database.url, prefix, 'pifu-health-');
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await database.destroy();
  });

  async function start(args: readonly string[], started: string) {
    const hub = await startPifuHub(args, env, started);
    children.push(hub.child);
    return hub;
  }

  /** The first beat is written as the process starts; wait for it to land. */
  async function beatWritten(role: 'worker' | 'scheduler', instance: string): Promise<void> {
    const redis = new Redis(testRedisUrl());
    try {
      for (let tries = 0; tries < 100; tries += 1) {
        if ((await redis.exists(heartbeatKey(prefix, role, instance))) === 1) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no ${role} heartbeat for ${instance}`);
    } finally {
      redis.disconnect();
    }
  }

  const health = (args: readonly string[], extra: Record<string, string> = {}) =>
    runCli(['health', ...args], { ...env, ...extra });

  /** One `error: PIFU_CODE: …` line on stderr, nothing on stdout, a non-zero exit. */
  function expectFailure(result: Awaited<ReturnType<typeof health>>, code: string): void {
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^error: ${code}: `));
    expect(lines[0]).not.toContain('secret-pw'); // no password out of a URL
  }

  it('worker: 0 while it runs; Redis or PostgreSQL unreachable, another instance, or stopped: non-zero', async () => {
    const instance = `w-${randomUUID()}`;
    const { child, exited } = await start(
      ['worker', '--concurrency', '1', '--instance', instance],
      '"worker started"',
    );
    await beatWritten('worker', instance);

    const ok = await health(['--role', 'worker', '--instance', instance]);
    expect(ok).toMatchObject({ exitCode: 0, stderr: '' });
    expect(ok.stdout).toMatch(
      new RegExp(`^ok: worker "${instance}": PostgreSQL and Redis answer, heartbeat \\d+ s old\\n$`),
    );

    // The heartbeat is this instance's and this role's, not anyone's.
    expectFailure(await health(['--role', 'worker', '--instance', 'elsewhere']), 'PIFU_HEARTBEAT_STALE');
    expectFailure(await health(['--role', 'scheduler', '--instance', instance]), 'PIFU_HEARTBEAT_STALE');

    // The worker still beats, but the check cannot reach Redis or PostgreSQL: not ready.
    expectFailure(
      await health(['--role', 'worker', '--instance', instance], {
        REDIS_URL: 'redis://:secret-pw@127.0.0.1:1',
      }),
      'PIFU_QUEUE_UNAVAILABLE',
    );
    expectFailure(
      await health(['--role', 'worker', '--instance', instance], {
        DATABASE_URL: 'postgres://hub:secret-pw@127.0.0.1:1/none',
      }),
      'PIFU_DATABASE_FAILED',
    );

    // Stopped: the worker takes its heartbeat with it.
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
    const stopped = await health(['--role', 'worker', '--instance', instance]);
    expectFailure(stopped, 'PIFU_HEARTBEAT_STALE');
    expect(stopped.stderr).toContain('no heartbeat from worker');
  }, 180_000);

  it('scheduler: 0 while it runs; killed outright, its last beat goes stale', async () => {
    const instance = `s-${randomUUID()}`;
    const { child, exited } = await start(
      ['scheduler', '--catch-up', '0', '--instance', instance],
      '"scheduler started"',
    );
    await beatWritten('scheduler', instance);
    expect(await health(['--role', 'scheduler', '--instance', instance])).toMatchObject({ exitCode: 0 });

    child.kill('SIGKILL'); // no goodbye: the key stays, and ages
    await exited;
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await health(['--role', 'scheduler', '--instance', instance])).toMatchObject({ exitCode: 0 });
    const stale = await health(['--role', 'scheduler', '--instance', instance, '--max-age', '1']);
    expectFailure(stale, 'PIFU_HEARTBEAT_STALE');
    expect(stale.stderr).toMatch(/is \d+ s old, over the 1 s allowed/);
  }, 180_000);

  it('refuses a role it does not know, and needs REDIS_URL', async () => {
    const unknown = await health(['--role', 'serve']);
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.stderr).toContain('PIFU_USAGE_INVALID');
    expectFailure(await health(['--role', 'worker'], { REDIS_URL: '' }), 'PIFU_QUEUE_UNAVAILABLE');
  });
});

import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { longRunningEnv, startPifuHub } from './support/long-running.js';

/**
 * `worker`, `scheduler` and `serve` stop the same way (jobs/stop-signals.ts): SIGTERM once started
 * closes them in order and the process exits 0, having logged that it stopped.
 */
describe('SIGTERM to a long-running pifu-hub process', () => {
  let database: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
    env = longRunningEnv(database.url, `stop-${randomUUID()}`, 'pifu-stop-');
  });
  afterAll(async () => {
    await database.destroy();
  });

  /** Starts `pifu-hub ARGS`, waits for `started` in its log, sends SIGTERM and waits for the exit. */
  async function stopAfterStart(args: readonly string[], started: string) {
    const { child, exited, output } = await startPifuHub(args, env, started);
    child.kill('SIGTERM');
    const exit = await exited;
    return { ...exit, output: output() };
  }

  it('worker: stops taking jobs, closes, exits 0', async () => {
    const { code, signal, output } = await stopAfterStart(
      ['worker', '--concurrency', '1'],
      '"worker started"',
    );
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(output).toContain('"signal":"SIGTERM"');
    expect(output).toContain('"worker stopped"');
  });

  it('scheduler: stops firing, closes, exits 0', async () => {
    const { code, signal, output } = await stopAfterStart(
      ['scheduler', '--catch-up', '0'],
      '"scheduler started"',
    );
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(output).toMatch(/"signal":"SIGTERM".*"msg":"scheduler stopping"/);
  });

  it('serve: answers what is under way, closes, exits 0', async () => {
    const { code, signal, output } = await stopAfterStart(['serve', '--port', '0'], '"http api listening"');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(output).toMatch(/"signal":"SIGTERM".*"msg":"http api stopping/);
  });
});

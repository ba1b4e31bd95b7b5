import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recipientFile } from '../../helpers/hub-fixture.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { testRedisUrl } from '../../setup/services.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * `worker`, `scheduler` and `serve` stop the same way (jobs/stop-signals.ts): SIGTERM once started
 * closes them in order and the process exits 0, having logged that it stopped.
 */
describe('SIGTERM to a long-running pifu-hub process', () => {
  let database: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
    const dir = mkdtempSync(join(tmpdir(), 'pifu-stop-'));
    const recipients = join(dir, 'recipients');
    const roles = join(dir, 'roles.json');
    mkdirSync(recipients);
    writeFileSync(
      join(recipients, 'lms.json'),
      JSON.stringify(
        recipientFile(
          'lms',
          'lms',
          { kind: 'file-drop', directory: join(dir, 'drop') },
          {
            schedule: { full: '0 3 * * *' },
          },
        ),
      ),
    );
    writeFileSync(roles, JSON.stringify({ [userInfo().username]: ['viewer', 'operator'] }));
    env = {
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      PIFU_HUB_QUEUE_PREFIX: `stop-${randomUUID()}`,
      PIFU_HUB_RECIPIENTS_DIR: recipients,
      PIFU_HUB_SPOOL_DIR: join(dir, 'spool'),
      PIFU_HUB_ROLES_FILE: roles,
      LOG_LEVEL: 'info',
    };
  });
  afterAll(async () => {
    await database.destroy();
  });

  /** Starts `pifu-hub ARGS`, waits for `started` in its log, sends SIGTERM and waits for the exit. */
  async function stopAfterStart(args: readonly string[], started: string) {
    const child = spawn(
      process.execPath,
      [
        '--import',
        join(here, '../faults/support/register-ts.mjs'),
        join(here, 'support/pifu-hub.ts'),
        ...args,
      ],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes(started)) resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void exited.then(() => reject(new Error(`exited before "${started}":\n${output}`)));
    });
    child.kill('SIGTERM');
    const exit = await exited;
    return { ...exit, output };
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

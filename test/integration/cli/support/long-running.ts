import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recipientFile } from '../../../helpers/hub-fixture.js';
import { scratchDir } from '../../../helpers/scratch-dir.js';
import { testRedisUrl } from '../../../setup/services.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The environment of a `pifu-hub worker` or `scheduler` under test: the test's database, the shared
 * Redis under `queuePrefix`, one file-drop recipient with a nightly full, and a roles file that makes
 * the OS user an operator.
 */
export function longRunningEnv(databaseUrl: string, queuePrefix: string, dirPrefix: string) {
  const dir = scratchDir(dirPrefix);
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
        { schedule: { full: '0 3 * * *' } },
      ),
    ),
  );
  writeFileSync(roles, JSON.stringify({ [userInfo().username]: ['viewer', 'operator'] }));
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: testRedisUrl(),
    PIFU_HUB_QUEUE_PREFIX: queuePrefix,
    PIFU_HUB_RECIPIENTS_DIR: recipients,
    PIFU_HUB_SPOOL_DIR: join(dir, 'spool'),
    PIFU_HUB_ROLES_FILE: roles,
    LOG_LEVEL: 'info',
  };
}

export interface StartedProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
}

/** Starts `pifu-hub ARGS` (from source) as a process of its own; resolves once its log shows `started`. */
export async function startPifuHub(
  args: readonly string[],
  env: Record<string, string>,
  started: string,
): Promise<StartedProcess> {
  const child = spawn(
    process.execPath,
    ['--import', join(here, '../../faults/support/register-ts.mjs'), join(here, 'pifu-hub.ts'), ...args],
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
  return { child, exited, output: () => output };
}

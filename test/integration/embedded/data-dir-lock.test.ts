import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type HubDatabase } from '../../../src/db/index.js';
import { expectDeliveredOnce } from '../faults/support/run-checks.js';
import { embeddedEnv, plainLines, runBin, startBin } from './support/hub-bin.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/** The embedded default (PGlite in PIFU_HUB_DATA_DIR) serves one process at a time. */
describe('one process owns an embedded data directory', () => {
  let base: string;
  let dataDir: string;
  beforeAll(async () => {
    base = scratchDir('pifu-lock-');
    dataDir = join(base, 'data');
    const seeded = await runBin(['seed', '--scale', 'tiny'], { env: embeddedEnv(dataDir), cwd: base });
    expect(seeded).toMatchObject({ exitCode: 0, stderr: '' });
  }, 120_000);
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('of two exports at once one runs and one is refused, naming the holder; the database stays whole', async () => {
    const env = embeddedEnv(dataDir);
    const first = startBin(['export', '--all'], { env, cwd: base });
    const second = startBin(['export', '--all'], { env, cwd: base });
    const results = await Promise.all([first.result, second.result]);
    const refused = results.filter((result) => result.exitCode !== 0);
    const ran = results.filter((result) => result.exitCode === 0);
    expect(ran).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const holder = ran[0] === results[0] ? first.pid : second.pid;
    expect(plainLines(refused[0]!.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^error: PIFU_DATA_DIR_LOCKED: the embedded database in ${join(dataDir, 'pglite')} is in use by ` +
            `pid ${holder} \\(pifu-hub export\\) since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z; it serves one process at a ` +
            'time: wait for that command to finish, or set DATABASE_URL to a PostgreSQL server for concurrent use$',
        ),
      ),
    ]);
    expect(refused[0]!.stdout).toBe('');
    const runId = /run (run-\S+) completed/.exec(ran[0]!.stdout)![1]!;

    const hub = await openDatabase<HubDatabase>({ kind: 'pglite', dataDir: join(dataDir, 'pglite') });
    try {
      const runs = await hub.db.selectFrom('hub.run').select(['id', 'status']).execute();
      expect(runs).toEqual([{ id: runId, status: 'completed' }]);
      const { rows: repeated } = await sql<{ id: string }>`
        SELECT id FROM hub.transfer GROUP BY id HAVING count(*) > 1`.execute(hub.db);
      expect(repeated).toEqual([]);
      // Each recipient exactly one delivered transfer, its disclosures, its file in the drop.
      const checks = await expectDeliveredOnce(hub.db, runId, { fileDrop: true });
      expect(checks).toHaveLength(16);
    } finally {
      await hub.close();
    }
  }, 180_000);

  it('a damaged data directory ends in one PIFU_DATABASE_FAILED line with what to do, and frees its lock', async () => {
    const damaged = join(base, 'damaged');
    cpSync(dataDir, damaged, { recursive: true });
    rmSync(join(damaged, 'pglite', 'global', 'pg_control'));
    const result = await runBin(['runs'], { env: embeddedEnv(damaged), cwd: base });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      `error: PIFU_DATABASE_FAILED: the embedded database in ${join(damaged, 'pglite')} cannot be opened ` +
        '(RuntimeError: Aborted().); its files are damaged (a process killed while writing, a full disk, or ' +
        'files changed by hand): restore the directory from a backup, or move it aside to start an empty one ' +
        'and seed or export again\n',
    );
    expect(existsSync(join(damaged, 'pglite.lock'))).toBe(false);
  }, 120_000);
});

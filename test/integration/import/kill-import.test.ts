import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { ensureBuilt, repository } from '../../helpers/built-cli.js';
import { fixtureRecipientsDelivering } from '../../helpers/recipients-dir.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { runCli } from '../cli/run-cli.js';
import { byMembership, exportedA, forgetImports, fullExport } from './support/roster-change.js';
import { person, role, rosterA, teacher } from './support/small-roster.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const persons = 3_000;
const uuid = (i: number) => `00000000-0000-4000-8000-${(i + 1).toString(16).padStart(12, '0')}`;

/**
 * Issue 13: `kill -9` of `pifu-hub import` (the built CLI, in a process of its own) while it reads the
 * file, and again once its run is recorded; then the import again. Nothing of the killed import is
 * visible (no run, no hub key, no kept roster while it read; a run the next command closes after), the
 * read's scratch files of persons' values are removed by the next read (before, they stayed in the spool
 * for good), and the rerun leaves every recipient holding what an import never killed gives it.
 */
describe('kill -9 of pifu-hub import, then the import again', () => {
  let database: TestDatabase;
  let home: string;
  let file: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    ensureBuilt();
    database = await createTestDatabase({ migrated: true });
    home = scratchDir('pifu-kill-import-');
    const roles = join(home, 'roles.json');
    writeFileSync(roles, JSON.stringify({ [userInfo().username]: ['viewer', 'operator'] }));
    env = {
      DATABASE_URL: database.url,
      PIFU_HUB_DATA_DIR: join(home, 'data'),
      PIFU_HUB_RECIPIENTS_DIR: fixtureRecipientsDelivering(join(home, 'drops')),
      PIFU_HUB_ROLES_FILE: roles,
      LOG_LEVEL: 'silent',
    };
    const pupils = Array.from({ length: persons }, (_, i) => uuid(i));
    file = join(home, 'export.xml');
    writeFileSync(
      file,
      await fullExport(
        {
          persons: [...rosterA.persons, ...pupils.map((key, i) => person(key, `Elev${i}`))],
          groups: rosterA.groups,
          memberships: [
            ...rosterA.memberships,
            ...pupils.flatMap((key) => [role('001', key, 'pupil'), role('001-1B', key, 'pupil')]),
            role('001-1B', teacher, 'teacher'),
          ].sort(byMembership),
        },
        exportedA,
      ),
    );
  }, 120_000);
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
    await database.destroy();
  });

  const spool = () => join(home, 'data', 'spool');
  const entries = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);
  const scratchDirs = () => entries(spool()).filter((name) => /^import-\w{6}$/.test(name));

  /** `pifu-hub import FILE` in a process group of its own, killed with SIGKILL once `when()` holds. */
  async function killImportWhen(when: () => boolean): Promise<void> {
    const child = spawn(process.execPath, [join(repository, 'bin', 'pifu-hub.js'), 'import', file], {
      env: { ...process.env, ...env },
      detached: true,
      stdio: 'ignore',
    });
    let ended = false;
    const closed = new Promise<void>((resolve) =>
      child.once('close', () => {
        ended = true;
        resolve();
      }),
    );
    while (!ended && !when()) await sleep(5);
    expect(ended).toBe(false); // killed midway, not after the end
    process.kill(-child.pid!, 'SIGKILL'); // the node process and any private redis-server it started
    await closed;
  }

  async function count(table: string): Promise<number> {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(
      database.db,
    );
    return rows[0]!.n;
  }

  async function holdings(): Promise<Record<string, number>> {
    const { rows } = await sql<{ recipient: string; n: number }>`
      SELECT recipient_id AS recipient, count(*)::int AS n FROM hub.delivered_object
      GROUP BY 1 ORDER BY 1`.execute(database.db);
    return Object.fromEntries(rows.map((row) => [row.recipient, row.n]));
  }

  it('while reading: nothing recorded; the rerun imports, and removes the killed read’s scratch files', async () => {
    await killImportWhen(() =>
      scratchDirs().some((dir) => entries(join(spool(), dir)).includes('persons.ndjson')),
    );
    const killed = scratchDirs();
    expect(killed).toHaveLength(1);
    for (const table of ['hub.run', 'hub.import_base', 'hub.source_identity', 'hub.delivered_object']) {
      expect(await count(table)).toBe(0);
    }

    const rerun = await runCli(['import', file], env);
    expect(rerun.stderr).toBe('');
    expect(rerun.exitCode).toBe(0);
    expect(rerun.stdout).toMatch(/^run \S+ completed$/m);
    expect(scratchDirs()).toEqual([]);
    expect(Object.keys(await holdings()).length).toBeGreaterThan(5);
  }, 180_000);

  it('once its run is recorded: the rerun closes that run and leaves what an import never killed leaves', async () => {
    const uninterrupted = await holdings();
    await forgetImports(database.db); // the killed import is the first again: every recipient gets a full
    const runs = entries(join(spool(), 'runs'));
    await killImportWhen(() => entries(join(spool(), 'runs')).length > runs.length);
    const { rows } = await sql<{ status: string }>`SELECT status FROM hub.run ORDER BY created_at`.execute(
      database.db,
    );
    expect(rows.map((row) => row.status)).toEqual(['running']);

    const rerun = await runCli(['import', file], env);
    expect(rerun.exitCode).toBe(0);
    expect(rerun.stdout).toMatch(/^run \S+ completed$/m);
    const after = await sql<{ status: string }>`SELECT status FROM hub.run ORDER BY created_at`.execute(
      database.db,
    );
    expect(after.rows.map((row) => row.status)).not.toContain('running');
    expect(await holdings()).toEqual(uninterrupted);
    expect(scratchDirs()).toEqual([]);

    // And once more: every recipient already holds all of it.
    const again = await runCli(['import', file], env);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).not.toMatch(/ delta +([1-9]\d*|\d+ +[1-9]\d*|\d+ +\d+ +[1-9]\d*) /);
    expect(await holdings()).toEqual(uninterrupted);
  }, 180_000);
});

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { adminDatabaseUrl } from '../../setup/services.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const root = new URL('../../../', import.meta.url);
const psqlAvailable = (() => {
  try {
    execFileSync('psql', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * deploy/postgres-init.sh, the compose deployment's first-start script, run for real against the test
 * server (its roles and database renamed, so nothing here meets another test's): the records store's
 * role reads and can write nothing, even when it turns its read-only default off.
 */
(psqlAvailable ? describe : describe.skip)(
  'deploy/postgres-init.sh: the records store’s read-only role',
  () => {
    const suffix = randomBytes(4).toString('hex');
    const names = { hub: `pifu_hub_${suffix}`, reader: `pifu_reader_${suffix}`, db: `pifu_init_${suffix}` };
    const admin = new URL(adminDatabaseUrl());
    const as = (user: string): string => {
      const url = new URL(admin.href);
      url.username = user;
      url.password = '';
      url.pathname = `/${names.db}`;
      return url.href;
    };
    let adminClient: pg.Client;

    beforeAll(async () => {
      adminClient = new pg.Client({ connectionString: admin.href });
      await adminClient.connect();
      await adminClient.query(`CREATE DATABASE ${names.db}`);
      const secrets = scratchDir('pifu-init-');
      writeFileSync(join(secrets, 'hub_db_password'), 'hub-password\n');
      writeFileSync(join(secrets, 'reader_db_password'), 'reader-password\n');
      const script = readFileSync(new URL('deploy/postgres-init.sh', root), 'utf8')
        .replaceAll('/run/secrets/', `${secrets}/`)
        .replace(/\bpifu_hub\b/g, names.hub)
        .replace(/\bpifu_reader\b/g, names.reader)
        .replace(/DATABASE pifu\b/g, `DATABASE ${names.db}`);
      const scriptFile = join(secrets, 'init.sh');
      writeFileSync(scriptFile, script);
      execFileSync('sh', [scriptFile], {
        env: {
          ...process.env,
          POSTGRES_USER: decodeURIComponent(admin.username),
          POSTGRES_DB: names.db,
          PGHOST: admin.hostname,
          PGPORT: admin.port || '5432',
          ...(admin.password === '' ? {} : { PGPASSWORD: decodeURIComponent(admin.password) }),
        },
        stdio: 'pipe',
      });
      // What the hub's role does later (seed, or the school owner's own tables): a table in `records`.
      const hub = new pg.Client({ connectionString: as(names.hub) });
      await hub.connect();
      await hub.query(`CREATE TABLE records.person (id text PRIMARY KEY, given_name text)`);
      await hub.query(`INSERT INTO records.person VALUES ('p1', 'Kari')`);
      await hub.query(`CREATE SCHEMA hub; CREATE TABLE hub.run (id text)`);
      await hub.end();
    });
    afterAll(async () => {
      await adminClient.query(`DROP DATABASE IF EXISTS ${names.db} WITH (FORCE)`);
      await adminClient.query(`DROP ROLE IF EXISTS ${names.reader}`);
      await adminClient.query(`DROP ROLE IF EXISTS ${names.hub}`);
      await adminClient.end();
    });

    it('reads the records tables made after it, and writes nothing, read-only default or not', async () => {
      const reader = new pg.Client({ connectionString: as(names.reader) });
      await reader.connect();
      try {
        expect((await reader.query('SELECT id FROM records.person')).rows).toEqual([{ id: 'p1' }]);
        expect((await reader.query('SHOW default_transaction_read_only')).rows).toEqual([
          { default_transaction_read_only: 'on' },
        ]);
        await expect(reader.query(`INSERT INTO records.person VALUES ('p2', 'Ola')`)).rejects.toThrow(
          /read-only transaction/,
        );
        // Turning the default off does not help: the role holds SELECT and nothing else.
        await reader.query('SET default_transaction_read_only = off');
        for (const statement of [
          `INSERT INTO records.person VALUES ('p2', 'Ola')`,
          `UPDATE records.person SET given_name = 'Ola'`,
          `DELETE FROM records.person`,
          `TRUNCATE records.person`,
          `CREATE TABLE records.extra (id text)`,
          `SELECT * FROM hub.run`,
        ]) {
          await expect(reader.query(statement)).rejects.toThrow(/permission denied/);
        }
        expect((await reader.query('SELECT count(*)::int AS n FROM records.person')).rows).toEqual([
          { n: 1 },
        ]);
      } finally {
        await reader.end();
      }
    });
  },
);

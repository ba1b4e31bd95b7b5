import { mkdtempSync } from 'node:fs';
import { copyFile, open, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { runCli } from './run-cli.js';

const example = fileURLToPath(
  new URL('../../../fixtures/golden/pifu-examples/PIFU-IMS_SAS_eksempel.xml', import.meta.url),
);
const namespace = 'http://pifu.no/xsd/pifu-ims_sas/pifu-ims_sas-v1';

/**
 * The commands as an operator runs them: a hostile file is one `error: PIFU_FILE_REFUSED` line and exit 1
 * from `validate` (with and without xmllint on PATH) and from `import`; `import --dry-run` reports an
 * official example's problems per object and exits 1 until the lenient modes it needs are named.
 */
describe('pifu-hub import and validate on the command line', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  let hostile: string;

  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
    const dataDir = mkdtempSync(join(tmpdir(), 'pifu-cli-import-'));
    env = {
      DATABASE_URL: database.url,
      PIFU_HUB_DATA_DIR: dataDir,
      PIFU_HUB_RECIPIENTS_DIR: fileURLToPath(new URL('../../../fixtures/recipients/', import.meta.url)),
      LOG_LEVEL: 'silent',
    };
    hostile = join(dataDir, 'xxe.xml');
    await writeFile(
      hostile,
      `<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]><enterprise xmlns="${namespace}">&x;</enterprise>`,
    );
    const handle = await open(hostile, 'r+');
    await handle.truncate(60 * 1024 * 1024);
    await handle.close();
  });
  afterAll(async () => database.destroy());

  it.each([
    ['with xmllint on PATH', process.env['PATH'] ?? ''],
    ['without xmllint on PATH', '/nonexistent'],
  ])('validate refuses a hostile file padded past 50 MB %s, in one line', async (_case, path) => {
    const result = await runCli(['validate', hostile], { ...env, PATH: path });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^error: PIFU_FILE_REFUSED: .*xxe\.xml: .*DOCTYPE.*\(line 1\)/),
    ]);
    expect(result.stdout + result.stderr).not.toContain('root:');
  });

  it('import refuses the hostile file before recording anything', async () => {
    const result = await runCli(['import', hostile], env);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error: PIFU_FILE_REFUSED: .*DOCTYPE/m);
    const runs = await sql<{ n: number }>`SELECT count(*)::int AS n FROM hub.run`.execute(database.db);
    expect(runs.rows[0]?.n).toBe(0);
    const audit = await sql<{
      outcome: string;
    }>`SELECT outcome FROM hub.audit WHERE action = 'import'`.execute(database.db);
    expect(audit.rows.map((row) => row.outcome)).toEqual(['refused']);
  });

  it('import --dry-run reports an official example, refused until its lenient modes are named', async () => {
    const strict = await runCli(['import', example, '--dry-run'], env);
    expect(strict.exitCode).toBe(1);
    expect(strict.stdout).toMatch(/invalid-nin/);
    expect(strict.stdout).toMatch(/REFUSED: nothing would be imported/);
    const lenient = await runCli(['import', example, '--dry-run', '--lenient', 'all'], env);
    expect(lenient.exitCode).toBe(0);
    expect(lenient.stdout).toMatch(/invalid-nin \d+ \(tolerated\)/);
    expect(lenient.stdout).not.toMatch(/17097055655|09119311111/);
  });

  it('PIFU_HUB_IMPORT_LENIENT is used when --lenient is not given, and the flag overrides it', async () => {
    const configured = await runCli(['import', example, '--dry-run'], {
      ...env,
      PIFU_HUB_IMPORT_LENIENT: 'all',
    });
    expect(configured.exitCode).toBe(0);
    expect(configured.stdout).toMatch(/invalid-nin \d+ \(tolerated\)/);
    const strict = await runCli(['import', example, '--dry-run', '--lenient', 'none'], {
      ...env,
      PIFU_HUB_IMPORT_LENIENT: 'all',
    });
    expect(strict.exitCode).toBe(1);
    expect(strict.stdout).toMatch(/REFUSED: nothing would be imported/);
  });

  it('an unknown mode in PIFU_HUB_IMPORT_LENIENT stops import and source watch in one line', async () => {
    for (const args of [
      ['import', example, '--dry-run'],
      ['source', 'watch', '--dir', tmpdir(), '--once'],
    ]) {
      const result = await runCli(args, { ...env, PIFU_HUB_IMPORT_LENIENT: 'invalid-nin,sloppy' });
      expect(result.exitCode).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^error: PIFU_CONFIG_INVALID: environment: PIFU_HUB_IMPORT_LENIENT: /),
      ]);
    }
  });

  it('source watch takes its modes from PIFU_HUB_IMPORT_LENIENT: they are not among the refusal reasons', async () => {
    const refusals = async (lenient: string | undefined): Promise<string> => {
      const dir = mkdtempSync(join(tmpdir(), 'pifu-cli-watch-'));
      await copyFile(example, join(dir, 'export.xml'));
      const result = await runCli(['source', 'watch', '--dir', dir, '--once', '--settle', '0'], {
        ...env,
        PIFU_HUB_IMPORT_LENIENT: lenient,
      });
      expect(result.exitCode).toBe(0);
      expect(await readdir(join(dir, 'refused'))).toEqual(['export.xml']);
      return result.stdout;
    };
    expect(await refusals(undefined)).toMatch(/refused, .*invalid-nin \d+/);
    expect(await refusals('invalid-nin')).not.toMatch(/invalid-nin/);
  });
});

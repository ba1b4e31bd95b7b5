import { mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { copyFile, open, readdir, writeFile } from 'node:fs/promises';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { fixtureRecipientsDelivering } from '../../helpers/recipients-dir.js';
import { ensureBuilt, repository } from '../../helpers/built-cli.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { makeKey, startSftpServer, type TestSftpServer } from '../transports/sftp-fixture.js';
import { runCli } from './run-cli.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

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
    const dataDir = scratchDir('pifu-cli-import-');
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

  it('a file cut off mid-record: import names it in one line, validate says where; no value from it in either', async () => {
    const whole = readFileSync(example, 'utf8');
    const cut = join(env['PIFU_HUB_DATA_DIR']!, 'cut.xml');
    const family = /<family>([^<]+)<\/family>/.exec(whole)!;
    writeFileSync(cut, whole.slice(0, family.index + family[0].length - 4)); // in </family>
    const imported = await runCli(['import', cut], env);
    expect(imported.exitCode).toBe(1);
    expect(imported.stderr.trim().split('\n')).toEqual([
      `error: PIFU_XML_UNREADABLE: ${cut}: the document ends in the middle of markup; expected a PIFU-IMS 1.3 XML document; nothing was imported`,
    ]);
    for (const path of [process.env['PATH'] ?? '', '/nonexistent']) {
      const validated = await runCli(['validate', cut], { ...env, PATH: path });
      expect(validated.exitCode).toBe(1);
      expect(validated.stdout).toMatch(/^(.*cut\.xml): INVALID\n {2}\1:\d+: parser error/);
      expect(validated.stdout + validated.stderr).not.toContain(family[1]);
      expect(validated.stdout + validated.stderr).not.toMatch(/<\/?\w+>/);
    }
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
    // The import's dry run asks for no sample, so it says nothing of one.
    expect(lenient.stdout).not.toMatch(/^sample:/m);
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

  it('--lenient none with another name is a usage error, not silently the other modes', async () => {
    for (const args of [
      ['import', example, '--dry-run', '--lenient', 'none,all'],
      ['import', example, '--dry-run', '--lenient', 'all', '--lenient', 'none'],
      ['source', 'watch', '--dir', tmpdir(), '--once', '--lenient', 'none,invalid-nin'],
    ]) {
      const result = await runCli(args, env);
      expect(result.exitCode).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^error: PIFU_USAGE_INVALID: --lenient: .*, or none alone$/),
      ]);
    }
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
      const dir = scratchDir('pifu-cli-watch-');
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

  /**
   * The built CLI, as an operator runs it: a path that is not a PIFU file to read gets the same code and
   * the same words from `validate` and `import` (before, a device was PIFU_FILE_UNREADABLE to validate
   * and PIFU_FILE_REFUSED to import, in other words), and an empty FILE is a usage error (before, it
   * named the working directory, and import said it was a directory).
   */
  describe('a path that is not a PIFU file, through the built CLI', () => {
    let rolesFile: string;
    let paths: Record<string, string>;

    beforeAll(() => {
      ensureBuilt();
      const dir = scratchDir('pifu-cli-paths-');
      rolesFile = join(dir, 'roles.json');
      writeFileSync(rolesFile, JSON.stringify({ [userInfo().username]: ['viewer', 'operator'] }));
      const fifo = join(dir, 'export.fifo');
      execFileSync('mkfifo', [fifo]); // no writer: neither command may wait for one
      const folder = join(dir, 'exports');
      mkdirSync(folder);
      const locked = join(dir, 'locked.xml');
      writeFileSync(locked, '<enterprise/>', { mode: 0o000 });
      paths = {
        'a device': '/dev/zero',
        'a FIFO': fifo,
        'a directory': folder,
        'a file that does not exist': join(dir, 'nonexistent.xml'),
        'a file without read permission': locked,
      };
    }, 120_000);

    const builtCli = (args: readonly string[], extraEnv: Record<string, string> = {}) => {
      const result = spawnSync(process.execPath, [join(repository, 'bin', 'pifu-hub.js'), ...args], {
        env: { ...process.env, ...env, ...extraEnv, PIFU_HUB_ROLES_FILE: rolesFile },
        encoding: 'utf8',
        timeout: 60_000,
      });
      return { status: result.status, stdout: result.stdout, lines: result.stderr.trim().split('\n') };
    };

    const why: Record<string, string> = {
      'a device': 'not a regular file (a device, FIFO or socket); name a PIFU-IMS XML file',
      'a FIFO': 'not a regular file (a device, FIFO or socket); name a PIFU-IMS XML file',
      'a directory': 'a directory; name a PIFU-IMS XML file in it',
      'a file that does not exist': 'no such file; name a PIFU-IMS XML file',
      // root reads it anyway (and then finds it no PIFU export): only said when not run as root.
      ...(process.getuid?.() === 0
        ? {}
        : { 'a file without read permission': 'permission denied; name a PIFU-IMS XML file' }),
    };

    it.each(Object.keys(why))(
      '%s: one PIFU_FILE_UNREADABLE line, the same from validate and import',
      (kind) => {
        const path = paths[kind]!;
        const line = `error: PIFU_FILE_UNREADABLE: ${path}: ${why[kind]!}`;
        for (const args of [
          ['validate', path],
          ['import', path],
          ['import', path, '--dry-run'],
        ]) {
          const result = builtCli(args);
          expect({ args, status: result.status, stderr: result.lines }).toEqual({
            args,
            status: 1,
            stderr: [line],
          });
        }
      },
    );

    /**
     * Before, a record that is not well-formed was one `unreadable-objects` problem, so `--lenient all`
     * imported the rest of the file (exit 0) and `source watch` imported and deleted it, while `validate`
     * called it INVALID.
     */
    it('a record that is not well-formed (an attribute twice): refused whatever is lenient, nothing imported', async () => {
      const runCount = async () =>
        (await sql<{ n: number }>`SELECT count(*)::int AS n FROM hub.run`.execute(database.db)).rows[0]?.n;
      const runsBefore = await runCount();
      const dir = scratchDir('pifu-cli-malformed-');
      const malformed = join(dir, 'duplicate-attribute.xml');
      const whole = readFileSync(example, 'utf8');
      const sisId = '<userid useridtype="sisID">OID147238264</userid>';
      expect(whole).toContain(sisId);
      writeFileSync(malformed, whole.replace(sisId, sisId.replace('>', ' useridtype="sisID">')));
      const values = ['OID147238264', '17097055655', 'jannest'];
      const line = new RegExp(
        `^error: PIFU_XML_UNREADABLE: ${malformed}: a <person> record is not well-formed XML ` +
          '\\(InvalidAttr at line \\d+\\); nothing was imported$',
      );
      for (const [args, lenient] of [
        [['import', malformed, '--lenient', 'all'], {}],
        [['import', malformed], { PIFU_HUB_IMPORT_LENIENT: 'all' }],
        [['import', malformed, '--dry-run', '--lenient', 'all'], {}],
      ] as const) {
        const result = builtCli(args, lenient);
        expect({ args, status: result.status, stderr: result.lines }).toEqual({
          args,
          status: 1,
          stderr: [expect.stringMatching(line)],
        });
        for (const value of values) expect(result.stdout + result.lines.join('\n')).not.toContain(value);
      }

      const watched = join(dir, 'watched');
      mkdirSync(watched);
      writeFileSync(join(watched, 'export.xml'), readFileSync(malformed));
      const watch = builtCli(['source', 'watch', '--dir', watched, '--once', '--settle', '0'], {
        PIFU_HUB_IMPORT_LENIENT: 'all',
      });
      expect(watch.status).toBe(0);
      expect(watch.stdout).toMatch(
        /export\.xml: refused, moved to refused\/: PIFU_XML_UNREADABLE: .*not well-formed XML/,
      );
      expect(readdirSync(watched)).toEqual(['refused']);
      expect(readdirSync(join(watched, 'refused'))).toEqual(['export.xml']);
      for (const value of values) expect(watch.stdout + watch.lines.join('\n')).not.toContain(value);
      expect(await runCount()).toBe(runsBefore);
    });

    it('an empty FILE: one PIFU_USAGE_INVALID line from validate and import, not the working directory', () => {
      for (const args of [
        ['validate', ''],
        ['import', ''],
        ['import', '', '--dry-run'],
        ['validate', example, ''],
      ]) {
        const result = builtCli(args);
        expect(result.status).not.toBe(0);
        expect(result.stdout).toBe('');
        expect(result.lines).toEqual([
          expect.stringMatching(/^error: PIFU_USAGE_INVALID: .*an empty path; name a PIFU-IMS XML file/),
        ]);
      }
    });
  });

  /**
   * `pifu-hub source pull` as an operator runs it: settings from PIFU_HUB_SOURCE_PULL_FILE, lenient modes
   * from its `lenient`, the official example pulled over SFTP (loopback) and delivered; a second
   * pull finds nothing new.
   */
  describe('pifu-hub source pull', () => {
    let server: TestSftpServer;
    let pullEnv: Record<string, string>;
    let dropDir: string;

    beforeAll(async () => {
      const hostKey = makeKey('host');
      const clientKey = makeKey('client');
      server = await startSftpServer({ hostKey, user: 'pifu', authorizedKey: clientKey });
      mkdirSync(join(server.root, 'export'));
      const exported = join(server.root, 'export', 'sas-20240901.xml');
      writeFileSync(exported, readFileSync(example));
      utimesSync(exported, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
      const dir = scratchDir('pifu-cli-pull-');
      dropDir = join(dir, 'drop');
      const configFile = join(dir, 'source-pull.json');
      writeFileSync(
        configFile,
        JSON.stringify({
          host: '127.0.0.1',
          port: server.port,
          username: 'pifu',
          privateKey: { file: clientKey.privateKeyPath },
          hostKey: hostKey.fingerprint,
          directory: '/export',
          dropDir,
          timeoutSeconds: 5,
          lenient: 'all',
        }),
      );
      pullEnv = {
        ...env,
        PIFU_HUB_RECIPIENTS_DIR: fixtureRecipientsDelivering(join(dir, 'out')),
        PIFU_HUB_SOURCE_PULL_FILE: configFile,
      };
    }, 30_000);
    afterAll(async () => server.close());

    it('says in one line that PIFU_HUB_SOURCE_PULL_FILE is not set', async () => {
      const result = await runCli(['source', 'pull'], { ...pullEnv, PIFU_HUB_SOURCE_PULL_FILE: undefined });
      expect(result.exitCode).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          /^error: PIFU_CONFIG_INVALID: source pull: PIFU_HUB_SOURCE_PULL_FILE is not set/,
        ),
      ]);
    });

    it('pulls and imports the newest export with the configured lenient modes, then finds nothing new', async () => {
      const first = await runCli(['source', 'pull', '--json'], pullEnv);
      expect(first.stderr).toBe('');
      expect(first.exitCode).toBe(0);
      const outcome = JSON.parse(first.stdout) as {
        pulled?: { file: string; outcome: string; runId?: string };
      };
      expect(outcome.pulled).toMatchObject({ file: 'sas-20240901.xml', outcome: 'imported' });
      expect(readdirSync(dropDir)).toEqual([]);
      const runs = await sql<{ id: string; status: string }>`SELECT id, status FROM hub.run`.execute(
        database.db,
      );
      expect(runs.rows).toEqual([{ id: outcome.pulled?.runId, status: 'completed' }]);

      const second = await runCli(['source', 'pull'], pullEnv);
      expect(second.exitCode).toBe(0);
      expect(second.stdout).toMatch(/: nothing new to pull$/m);
    });
  });

  it('a file that drops a school the last import had is stopped by the source guard in one PIFU_SOURCE_DROP line', async () => {
    const own = await createTestDatabase({ migrated: true });
    try {
      const ownEnv = { ...env, DATABASE_URL: own.url, PIFU_HUB_DATA_DIR: scratchDir('pifu-cli-drop-') };
      const first = await runCli(['import', example, '--lenient', 'all'], ownEnv);
      expect(first.exitCode).toBe(0);
      // An official example of grades only: the school and every membership of the first are gone.
      const grades = join(
        fileURLToPath(new URL('.', `file://${example}`)),
        'PIFU-IMS_SAS_eksempel_karakter_1.xml',
      );
      const dropped = await runCli(['import', grades, '--lenient', 'all'], ownEnv);
      expect(dropped.exitCode).toBe(1);
      expect(dropped.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          /^error: PIFU_SOURCE_DROP: the source's snapshot shrank .*`pifu-hub import FILE` with the same two\)$/,
        ),
      ]);
    } finally {
      await own.destroy();
    }
  });
});

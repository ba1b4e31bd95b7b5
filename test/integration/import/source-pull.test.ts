import { mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createPifuFileReader } from '../../../connectors/sources/pifu-file/index.js';
import {
  createSftpSourceFetcher,
  readSourcePullConfig,
  type SourcePullConfig,
} from '../../../connectors/transports/sftp/index.js';
import { configuredSourcePull } from '../../../jobs/source-pull.js';
import { lenientModes, pullSourceFile, type OperationContext } from '../../../src/operations/index.js';
import { defaultInputLimits } from '../../../src/pifu/index.js';
import { applyRetention } from '../../../src/retention/index.js';
import { hubContext, operationContext, recipient, testActor } from '../../helpers/hub-fixture.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { makeKey, startSftpServer, type TestKey, type TestSftpServer } from '../transports/sftp-fixture.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const namespace = 'http://pifu.no/xsd/pifu-ims_sas/pifu-ims_sas-1.2';
const id = (value: string) => `<sourcedid><source>s</source><id>${value}</id></sourcedid>`;

/** A small full export; `extra` persons make each file different, `twice` adds a duplicate (refused). */
function exportFile(datetime: string, extra: number, twice = false): string {
  const persons = Array.from(
    { length: 1 + extra },
    (_, index) =>
      `<person>${id(`p${index}`)}<name><fn>Kari ${index}</fn><n><family>N</family><given>Kari</given></n></name></person>`,
  );
  if (twice) persons.push(persons[0]!);
  return `<?xml version="1.0" encoding="UTF-8"?>
<enterprise xmlns="${namespace}">
<properties><datasource>s</datasource><type>full</type><datetime>${datetime}</datetime></properties>
${persons.join('\n')}
<group>${id('eier')}<grouptype><scheme>pifu-ims-go-org</scheme><typevalue level="1">skoleeier</typevalue></grouptype><description><short>Eier</short></description><relationship relation="1">${id('eier')}<label>e</label></relationship></group>
</enterprise>
`;
}

/**
 * `source pull`: the newest export in the school system's SFTP directory (pinned host key, public-key
 * login), against ssh2's server on loopback, imported once as the drop folder imports it.
 */
describe('source pull: the newest export from an SFTP directory, imported once', () => {
  let database: TestDatabase;
  let ops: OperationContext;
  let hostKey: TestKey;
  let otherHostKey: TestKey;
  let clientKey: TestKey;
  let server: TestSftpServer;
  let exportDir: string;
  let dropDir: string;
  let config: SourcePullConfig;

  const put = (name: string, text: string, secondsAgo: number): void => {
    const path = join(exportDir, name);
    writeFileSync(path, text);
    const at = new Date(Date.now() - secondsAgo * 1000);
    utimesSync(path, at, at);
  };
  const pull = (extra: Partial<SourcePullConfig> = {}) =>
    pullSourceFile(ops, testActor(), {
      fetcher: createSftpSourceFetcher({ ...config, ...extra }),
      dir: dropDir,
      settleSeconds: 60,
    });
  const pulls = async () =>
    (
      await sql<{
        file_name: string;
        outcome: string | null;
        run_id: string | null;
      }>`SELECT file_name, outcome, run_id FROM hub.source_pull ORDER BY claimed_at`.execute(database.db)
    ).rows;
  const runs = async () =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM hub.run`.execute(database.db)).rows[0]!.n;

  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
    const ctx = hubContext(database.db, {
      recipients: (drop) => [recipient('katalog', 'directory', join(drop, 'katalog'))],
    });
    ops = {
      ...operationContext(ctx),
      rosterFiles: createPifuFileReader({ db: ctx.db, limits: defaultInputLimits, sourceName: 'pifu-hub' }),
    };
    hostKey = makeKey('host');
    otherHostKey = makeKey('other-host');
    clientKey = makeKey('client');
    server = await startSftpServer({ hostKey, user: 'pifu', authorizedKey: clientKey });
    exportDir = join(server.root, 'export');
    mkdirSync(exportDir);
    dropDir = join(scratchDir('pifu-pull-'), 'drop');
    const configFile = join(scratchDir('pifu-pull-config-'), 'source-pull.json');
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
        schedule: '15 3 * * *',
        timeoutSeconds: 5,
      }),
    );
    config = readSourcePullConfig(configFile);
  }, 30_000);
  afterAll(async () => {
    await server.close();
    await database.destroy();
  });

  it('refuses a server whose host key is not the pinned one, before anything is read or claimed', async () => {
    put('export-1.xml', exportFile('2024-09-01T02:00:00', 1), 3600);
    await expect(pull({ hostKey: otherHostKey.fingerprint })).rejects.toThrow(
      /PIFU_TRANSPORT_REJECTED: source pull from 127\.0\.0\.1:\d+: host key mismatch: .*confirm the new fingerprint with the school system .*PIFU_HUB_SOURCE_PULL_FILE\.hostKey/,
    );
    expect(server.requests).toEqual([]);
    expect(await pulls()).toEqual([]);
    expect(existsIn(dropDir)).toEqual([]);
  });

  it('pulls the newest settled export, imports it as a run and removes the local copy', async () => {
    put('export-0.xml', exportFile('2024-08-31T02:00:00', 0), 7200);
    put('export-2.xml', exportFile('2024-09-02T02:00:00', 2), 10); // still being written: not settled
    put('notes.txt', 'not an export', 60);
    const result = await pull();
    expect(result.location).toBe(`sftp://127.0.0.1:${server.port}/export`);
    expect(result.pulled).toMatchObject({ file: 'export-1.xml', outcome: 'imported' });
    expect(result.pulled?.tally).toEqual({
      counts: { persons: 2, groups: 1, memberships: 0 },
      tolerated: {},
      refusedBy: {},
      withheld: {},
      rekeyed: { persons: 2, groups: 0, groupsForNationalNumber: 0 },
    });
    expect(await pulls()).toEqual([
      { file_name: 'export-1.xml', outcome: 'imported', run_id: result.pulled?.runId },
    ]);
    expect(await runs()).toBe(1);
    expect(existsIn(dropDir)).toEqual([]);
  });

  it('does not import the same file twice', async () => {
    expect((await pull()).pulled).toBeUndefined();
    expect(await runs()).toBe(1);
    expect(server.requests.filter((request) => request.startsWith('OPEN '))).toHaveLength(1);
  });

  it('takes a newer file once it has settled; a refused one goes to refused/ and is not pulled again', async () => {
    utimesSync(
      join(exportDir, 'export-2.xml'),
      new Date(Date.now() - 120_000),
      new Date(Date.now() - 120_000),
    );
    expect((await pull()).pulled).toMatchObject({ file: 'export-2.xml', outcome: 'imported' });
    put('export-3.xml', exportFile('2024-09-03T02:00:00', 3, true), 61);
    expect((await pull()).pulled).toMatchObject({
      file: 'export-3.xml',
      outcome: 'refused',
      error: expect.stringMatching(/PIFU_IMPORT_REFUSED: .*duplicates 1/),
    });
    expect(readdirSync(join(dropDir, 'refused'))).toEqual(['export-3.xml']);
    expect((await pull()).pulled).toBeUndefined();
    expect((await pulls()).map((row) => [row.file_name, row.outcome])).toEqual([
      ['export-1.xml', 'imported'],
      ['export-2.xml', 'imported'],
      ['export-3.xml', 'refused'],
    ]);
    expect(await runs()).toBe(2);
    rmSync(join(dropDir, 'refused'), { recursive: true });
  });

  it('never pulls an export older than the last one imported, even one never seen before', async () => {
    put('export-1b.xml', exportFile('2024-09-01T14:00:00', 4), 1800);
    rmSync(join(exportDir, 'export-2.xml'));
    rmSync(join(exportDir, 'export-3.xml'));
    const result = await pull();
    expect(result.pulled).toBeUndefined();
    expect(result.older).toEqual({ file: 'export-1b.xml', lastImported: 'export-2.xml' });
    expect(await runs()).toBe(2);
    expect((await pulls()).map((row) => row.file_name)).not.toContain('export-1b.xml');
    expect(server.requests.filter((request) => request.includes('export-1b'))).toEqual([]);
  });

  it('leaves one audit row per pull: where, which file version and what became of it', async () => {
    const { rows } = await sql<{ subject: string; detail: string; outcome: string }>`
      SELECT subject, detail, outcome FROM hub.audit WHERE action = 'source-pull' ORDER BY at, id`.execute(
      database.db,
    );
    const location = `sftp://127.0.0.1:${server.port}/export`;
    expect(rows.every((row) => row.subject === location)).toBe(true);
    // The import report in counts (the files' persons p0… are re-keyed); never a value from the file.
    const counts = (persons: number) =>
      `${persons} persons, 1 groups, 0 memberships; strict; nothing withheld; re-keyed ${persons} persons, 0 groups`;
    expect(rows.map((row) => [row.outcome, row.detail.replace(/run \S+:/, 'run R:')])).toEqual([
      ['refused', 'PIFU_TRANSPORT_REJECTED'],
      ['done', `export-1.xml imported, run R: ${counts(2)}`],
      ['done', 'nothing new'],
      ['done', `export-2.xml imported, run R: ${counts(3)}`],
      ['done', 'export-3.xml refused'],
      ['done', 'nothing new'],
      ['done', 'export-1b.xml not pulled: older than export-2.xml, the last imported'],
    ]);
  });

  it("retention removes pull records past the feed period, but keeps the location's newest import", async () => {
    const later = new Date(Date.now() + 8 * 86_400_000);
    const summary = await applyRetention(ops, later);
    expect(summary.sourcePulls).toBe(2);
    expect((await pulls()).map((row) => row.file_name)).toEqual(['export-2.xml']);
    // The kept row still stops an older file.
    expect((await pull()).older).toEqual({ file: 'export-1b.xml', lastImported: 'export-2.xml' });
  });

  it('refuses a private key file outside PIFU_HUB_SECRETS_DIR, as for a recipient', () => {
    const file = join(scratchDir('pifu-pull-config-'), 'pull.json');
    writeFileSync(file, JSON.stringify(config));
    expect(() => readSourcePullConfig(file, { secretsDir: '/srv/pifu-secrets' })).toThrow(
      /^PIFU_CONFIG_INVALID: PIFU_HUB_SOURCE_PULL_FILE \(.*pull\.json\): privateKey\.file: .* is outside the secrets directory \/srv\/pifu-secrets/,
    );
  });

  it("takes the source's lenient modes from its config, read as --lenient is; --lenient overrides them", () => {
    const dir = scratchDir('pifu-pull-config-');
    const withModes = (lenient: unknown) => {
      const file = join(dir, `pull-${Math.random()}.json`);
      writeFileSync(file, JSON.stringify({ ...config, lenient }));
      return file;
    };
    const puller = (file: string) =>
      configuredSourcePull({ sourcePullFile: file, secretsDir: undefined, importLenient: ['duplicates'] })!;

    const configured = puller(withModes('invalid-nin, legacy-subrole'));
    expect(configured.config.lenient).toEqual(['invalid-nin', 'legacy-subrole']);
    expect(configured.lenient(undefined)).toEqual(['invalid-nin', 'legacy-subrole']);
    expect(configured.lenient([])).toEqual([]); // --lenient none
    expect(configured.lenient(['unknown-objects'])).toEqual(['unknown-objects']);
    expect(puller(withModes(['all'])).lenient(undefined)).toEqual([...lenientModes]);
    expect(puller(withModes('none')).lenient(undefined)).toEqual([]);
    // Not set in the config: PIFU_HUB_IMPORT_LENIENT.
    const { lenient: _lenient, ...without } = config;
    const plain = join(dir, 'plain.json');
    writeFileSync(plain, JSON.stringify(without));
    expect(puller(plain).lenient(undefined)).toEqual(['duplicates']);

    for (const bad of ['none,all', 'invalid-nin,sloppy', ['all', 'none'], 3]) {
      expect(() => readSourcePullConfig(withModes(bad))).toThrow(
        /^PIFU_CONFIG_INVALID: PIFU_HUB_SOURCE_PULL_FILE \(.*\.json\): lenient: /,
      );
    }
  });

  it('refuses a config with an unknown key or a password, naming the variable', () => {
    const bad = join(scratchDir('pifu-pull-config-'), 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...config, password: 'x', schedule: '61 * * * *' }));
    expect(() => readSourcePullConfig(bad)).toThrow(
      /^PIFU_CONFIG_INVALID: PIFU_HUB_SOURCE_PULL_FILE \(.*bad\.json\): .*password login is not supported.*/,
    );
  });
});

function existsIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeRecipient } from '../../../src/operations/recipients/recipient-description.js';
import { loadRecipientConfigs } from '../../../src/config/index.js';
import { runCli } from './run-cli.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const fixturesDir = new URL('../../../fixtures/recipients/', import.meta.url).pathname;
const fixtureIds = readdirSync(fixturesDir)
  .filter((name) => name.endsWith('.json'))
  .map((name) => name.replace(/\.json$/, ''))
  .sort();

/**
 * The shipped fixtures, and a database URL nothing answers on: any attempt to open the database would
 * fail the command, so these prove the recipients commands never touch it.
 */
const env = {
  PIFU_HUB_RECIPIENTS_DIR: fixturesDir,
  DATABASE_URL: 'postgres://nobody@127.0.0.1:1/unreachable',
  LOG_LEVEL: 'silent',
};

const cli = (...args: string[]) => runCli(args, env);

describe('pifu-hub recipients, on the shipped fixtures', () => {
  it('list: one row per recipient, then what each population receives', async () => {
    const { stdout, stderr, exitCode } = await cli('recipients', 'list');
    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
    const [overview, receives] = stdout.split('\nwhat each recipient receives, per population\n\n');
    const overviewLines = overview!.trim().split('\n');
    expect(overviewLines[0]).toMatch(
      /^id +kind +name +country +transport +populations +guardians +pseudonymised +override$/,
    );
    expect(overviewLines.slice(2).map((line) => line.split(/\s+/)[0])).toEqual(fixtureIds);
    expect(overviewLines.find((line) => line.startsWith('skoleplattform-messaging '))).toMatch(
      / sms +Skoleplattform Oslo — Portalen \/ Skolemelding +NO +file-drop +pupil, staff +viaPupils +no +yes$/,
    );
    expect(overviewLines.find((line) => line.startsWith('conexus-engage '))).toMatch(/ yes +no$/);
    const receivesLines = receives!.trim().split('\n');
    expect(receivesLines[0]).toMatch(/^recipient +population +fields +id types$/);
    expect(receivesLines).toContainEqual(
      expect.stringMatching(
        /^skoleplattform-messaging +guardian +identity: name; contact: email\.private, mobile\.private; relations: guardianLinks +personNIN$/,
      ),
    );
    expect(receivesLines).toContainEqual(
      expect.stringMatching(
        /^websak +pupil +identity: name, bday, status; address: adr\.registered; relations: guardianLinks +personNIN, sisID$/,
      ),
    );
    expect(receivesLines).toContainEqual(
      expect.stringMatching(/^gsi-udir +- +\(no persons: schools and groups only\) +-$/),
    );
  });

  it('list --json: one object per recipient with field keys and id types per population', async () => {
    const { stdout, exitCode } = await cli('recipients', 'list', '--json');
    expect(exitCode).toBe(0);
    const rows = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map((row) => row['id'])).toEqual(fixtureIds);
    expect(rows.find((row) => row['id'] === 'skoleplattform-directory')).toMatchObject({
      kind: 'directory',
      country: 'NO',
      dpaReference: 'OSLO-UDE-DPA-2023-014',
      transport: 'file-drop',
      guardians: 'none',
      pseudonymised: false,
      override: false,
      relaysTo: ['Active Directory', 'Feide', 'Microsoft 365'],
      receives: [
        {
          population: 'pupil',
          fields: ['name', 'status', 'lang', 'email.org'],
          idTypes: expect.arrayContaining(['personNIN']),
        },
        {
          population: 'staff',
          fields: ['name', 'status', 'lang', 'email.org'],
          idTypes: expect.arrayContaining(['workforceID']),
        },
      ],
    });
  });

  it('show: effective profile, legal basis, processing, override with reason and widenings', async () => {
    const { stdout, exitCode } = await cli('recipients', 'show', 'skoleplattform-messaging');
    expect(exitCode).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('skoleplattform-messaging: Skoleplattform Oslo — Portalen / Skolemelding');
    expect(lines).toEqual(
      expect.arrayContaining([
        'kind           sms',
        'legal basis    GDPR Art. 6(1)(e) and 6(3); opplæringslova (education act) and forskrift til opplæringslova',
        'processing     NO (EU/EEA), DPA OSLO-UDE-DPA-2023-015',
        'contact        Skoleplattform drift <skoleplattform-drift@example.org>',
        'relays to      (none)',
        'schedule       full 0 2 * * *; delta */15 7-17 * * 1-5 (Europe/Oslo)',
        'feeds          accepts full, delta; heartbeat no; hold a delta deleting > 5 % or changing > 20 %; freeze (none)',
        'transport      file-drop',
        'pseudonym key  -',
        'override       yes: Guardians log in to Portalen and Skolemelding with ID-porten, which identifies them by national identity number',
        'widens         guardianIdTypes+personNIN',
        expect.stringMatching(/^guardianIdTypes +personNIN +widened$/),
        expect.stringMatching(/^guardians +viaPupils$/),
        expect.stringMatching(
          /^guardian +identity: name; contact: email\.private, mobile\.private; relations: guardianLinks +personNIN$/,
        ),
      ]),
    );
    // The transport's settings (here a directory; elsewhere hosts and credentials) are not shown.
    expect(stdout).not.toContain('out/skoleplattform-messaging');
  });

  it('show: where a pseudonymised recipient key comes from, and narrowing marked', async () => {
    const { stdout } = await cli('recipients', 'show', 'conexus-engage');
    expect(stdout).toContain('\npseudonym key  generated (kept in the hub database)\n');
    expect(stdout).toMatch(/\npseudonymise +true +narrowed\n/);
    expect(stdout).toContain('\noverride       no\n');
  });

  it('show --json: the full description', async () => {
    const { stdout, exitCode } = await cli('recipients', 'show', 'websak', '--json');
    expect(exitCode).toBe(0);
    const websak = loadRecipientConfigs(fixturesDir).find((config) => config.id === 'websak')!;
    expect(JSON.parse(stdout)).toEqual(JSON.parse(JSON.stringify(describeRecipient(websak))));
  });

  it('show: an unknown id exits 1 with PIFU_RECIPIENT_UNKNOWN naming the known ids', async () => {
    const { stdout, stderr, exitCode } = await cli('recipients', 'show', 'nope');
    expect(exitCode).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `error: PIFU_RECIPIENT_UNKNOWN: no recipient "nope"; configured: ${fixtureIds.join(', ')}\n`,
    );
  });

  it('validate: the configured directory by default, ok per file', async () => {
    const { stdout, exitCode } = await cli('recipients', 'validate');
    expect(exitCode).toBe(0);
    expect(stdout.trim().split('\n')).toEqual(fixtureIds.map((id) => `${id}.json: ok`));
  });

  it('validate: a bad file exits 1 with one `file: path: message` line per problem', async () => {
    const dir = scratchDir('recipients-cli-');
    const websak = JSON.parse(readFileSync(join(fixturesDir, 'websak.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({
        ...websak,
        id: 'bad',
        processing: { country: 'US', dpaReference: 'X-1' },
        profile: { fields: ['name', 'nationality'] },
        override: { idTypes: ['personFIN'] },
      }),
    );
    const { stdout, exitCode } = await cli(
      'recipients',
      'validate',
      join(fixturesDir, 'websak.json'),
      join(dir, 'bad.json'),
      join(dir, 'missing.json'),
    );
    expect(exitCode).toBe(1);
    expect(stdout.trim().split('\n')).toEqual([
      'websak.json: ok',
      'bad.json: processing.country: "US" is not an EU/EEA country (ISO 3166-1 alpha-2): the hub refuses to transfer roster data outside the EU/EEA (docs/requirements.md#r6)',
      'bad.json: profile.fields.1: "nationality" is a proxy for ethnic origin (GDPR Art. 9) and is deny-listed (docs/requirements.md#r1)',
      'bad.json: override.reason: an override needs a written "reason"; it is shown in the disclosure log',
      'missing.json: (root): no such file',
    ]);
  });

  it('validate refuses exactly the schedules the scheduler refuses at start, and accepts what it fires', async () => {
    const dir = scratchDir('recipients-cli-');
    const websak = JSON.parse(readFileSync(join(fixturesDir, 'websak.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const write = (schedule: Record<string, string>) =>
      writeFileSync(join(dir, 'websak.json'), JSON.stringify({ ...websak, schedule }));
    const inDir = { ...env, PIFU_HUB_RECIPIENTS_DIR: dir };

    write({ full: '0 0 2 * * *', delta: '0 5 * * mon#2' });
    const refusal =
      'websak.json: schedule.full: schedule "0 0 2 * * *" has a seconds field; schedules have minute resolution: use five fields (minute hour day-of-month month day-of-week)';
    const validate = await runCli(['recipients', 'validate'], inDir);
    expect({ exitCode: validate.exitCode, stdout: validate.stdout }).toEqual({
      exitCode: 1,
      stdout: `${refusal}\n`,
    });
    const scheduler = await runCli(['scheduler', '--plan', '24'], inDir);
    expect({ exitCode: scheduler.exitCode, stderr: scheduler.stderr }).toEqual({
      exitCode: 1,
      stderr: `error: PIFU_RECIPIENT_INVALID: 1 problem(s): ${refusal}\n`,
    });

    write({ full: '0 5 L * *', delta: '0 5 * * mon#2' });
    expect((await runCli(['recipients', 'validate'], inDir)).stdout).toBe('websak.json: ok\n');
    const plan = await runCli(['scheduler', '--plan', '744', '--from', '2026-06-01T00:00:00Z'], inDir);
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toContain('2026-06-08T05:00+02:00');
    expect(plan.stdout).toContain('2026-06-30T05:00+02:00');
  });

  it("validate applies the environment's path rules and the strict JSON reader, one line per problem", async () => {
    const dir = scratchDir('recipients-cli-');
    const websak = JSON.parse(readFileSync(join(fixturesDir, 'websak.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    writeFileSync(
      join(dir, 'a.json'),
      JSON.stringify({
        ...websak,
        id: 'a',
        pseudonymKey: { file: '/etc/ssh/ssh_host_ed25519_key' },
        transport: { kind: 'file-drop', directory: `${dir}/drop/../../etc` },
      }),
    );
    writeFileSync(
      join(dir, 'b.json'),
      JSON.stringify({ ...websak, id: 'b', transport: { kind: 'file-drop', directory: '/srv/elsewhere' } }),
    );
    writeFileSync(join(dir, 'c.json'), '{ "id": "c",\n  "__proto__": {} }');
    const { stdout, exitCode } = await runCli(['recipients', 'validate', dir], {
      ...env,
      PIFU_HUB_DROP_ROOT: join(dir, 'drop'),
    });
    expect(exitCode).toBe(1);
    expect(stdout.trim().split('\n')).toEqual([
      'a.json: pseudonymKey.file: "/etc/ssh/ssh_host_ed25519_key" is inside the system directory /etc, where the host keeps its own files and credentials; ' +
        "keep the hub's secrets in a directory of their own (or /run/secrets, /run/credentials, /etc/pifu-hub), or set PIFU_HUB_SECRETS_DIR",
      `a.json: transport.directory: "${dir}/drop/../../etc" climbs with a ".." segment; write the path without it`,
      `b.json: transport.directory: "/srv/elsewhere" is outside the drop root ${join(dir, 'drop')} (PIFU_HUB_DROP_ROOT); use a directory inside it`,
      'c.json: (root): the key "__proto__" (line 2, column 3) is not allowed in a config file; remove it',
    ]);
  });

  it('diff: two configured recipients, key by key', async () => {
    const { stdout, exitCode } = await cli('recipients', 'diff', 'skole-sms', 'skoleplattform-messaging');
    expect(exitCode).toBe(0);
    expect(stdout).toContain('skole-sms (A) vs skoleplattform-messaging (B): 5 keys differ\n');
    expect(stdout).toMatch(/\nguardianIdTypes +only A: \(none\)\n +only B: personNIN\n/);
    expect(stdout).toMatch(
      /\nprocessing\.dpaReference +A: OSLO-UDE-DPA-2022-044\n +B: OSLO-UDE-DPA-2023-015\n/,
    );
  });

  it('diff: a configured recipient against a changed copy of its file, before it lands', async () => {
    const dir = scratchDir('recipients-cli-');
    const websak = JSON.parse(readFileSync(join(fixturesDir, 'websak.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    writeFileSync(
      join(dir, 'websak.json'),
      JSON.stringify({
        ...websak,
        legalBasis: 'GDPR Art. 6(1)(c); arkivlova § 6',
        processing: { country: 'SE', dpaReference: 'OSLO-UDE-DPA-2024-001' },
        profile: { guardians: 'none', idTypes: ['sisID'] },
      }),
    );
    const { stdout, exitCode } = await cli(
      'recipients',
      'diff',
      'websak',
      join(dir, 'websak.json'),
      '--json',
    );
    expect(exitCode).toBe(0);
    const diff = JSON.parse(stdout) as { scalars: unknown[]; lists: unknown[]; identical: boolean };
    expect(diff.identical).toBe(false);
    expect(diff.scalars).toEqual([
      {
        key: 'legalBasis',
        a: 'GDPR Art. 6(1)(c) and (e); arkivlova § 6; opplæringslova',
        b: 'GDPR Art. 6(1)(c); arkivlova § 6',
      },
      { key: 'processing.country', a: 'NO', b: 'SE' },
      { key: 'processing.dpaReference', a: 'OSLO-UDE-DPA-2021-007', b: 'OSLO-UDE-DPA-2024-001' },
      { key: 'guardians', a: 'viaPupils', b: 'none' },
    ]);
    expect(diff.lists).toEqual([{ key: 'idTypes', onlyA: ['personNIN'], onlyB: [] }]);
  });
});

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openRuntime } from '../../../jobs/runtime.js';
import { startHttpServer } from '../../../jobs/server.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { runCli } from './run-cli.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

describe('pifu-hub tokens and serve', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
    const dir = scratchDir('pifu-tokens-');
    const recipients = join(dir, 'recipients');
    mkdirSync(recipients);
    const base = {
      kind: 'portal',
      purpose: 'Synthetic recipient for the token test',
      legalBasis: 'GDPR Art. 6(1)(e)',
      processing: { country: 'NO', dpaReference: 'TEST-DPA-3' },
      contact: { name: 'Test operator', email: 'drift@example.org' },
    };
    writeFileSync(
      join(recipients, 'portal.json'),
      JSON.stringify({ ...base, id: 'portal', name: 'Portal', transport: { kind: 'pull' } }),
    );
    writeFileSync(
      join(recipients, 'drop.json'),
      JSON.stringify({
        ...base,
        id: 'drop',
        name: 'Drop',
        transport: { kind: 'file-drop', directory: join(dir, 'drop') },
      }),
    );
    env = {
      DATABASE_URL: database.url,
      PIFU_HUB_RECIPIENTS_DIR: recipients,
      PIFU_HUB_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
    };
  });
  afterAll(async () => database.destroy());

  it('prints a new token once, as its last line, and stores only its sha-256', async () => {
    const created = await runCli(['tokens', 'create', '--role', 'operator', '--name', 'ops-board'], env);
    expect(created.exitCode).toBe(0);
    const lines = created.stdout.trimEnd().split('\n');
    const token = lines.at(-1)!;
    expect(token).toMatch(/^pifu_[A-Za-z0-9_-]{43}$/);
    expect(lines[0]).toBe('token ops-board created: role operator');
    const { rows } = await sql<{ row: string; sha: string }>`SELECT t::text AS row, token_sha256 AS sha
      FROM hub.api_token t`.execute(database.db);
    expect(rows.map((row) => row.sha)).toEqual([createHash('sha256').update(token).digest('hex')]);
    expect(rows[0]?.row).not.toContain(token);

    const pull = await runCli(['tokens', 'create', '--recipient', 'portal', '--name', 'portal-pull'], env);
    expect(pull.stdout.trimEnd().split('\n').at(-1)).toMatch(/^pifu_/);

    const listed = await runCli(['tokens', 'list'], env);
    expect(listed.stdout).toMatch(/ops-board\s+operator/);
    expect(listed.stdout).toMatch(/portal-pull\s+pull portal/);
    expect(listed.stdout).not.toContain('pifu_');
  });

  it('refuses a token for a recipient that does not pull, both a role and a recipient, and a reused name', async () => {
    const push = await runCli(['tokens', 'create', '--recipient', 'drop', '--name', 'drop-pull'], env);
    expect(push.stderr).toContain('PIFU_USAGE_INVALID: recipient: drop does not pull its feeds');
    const both = await runCli(
      ['tokens', 'create', '--role', 'viewer', '--recipient', 'portal', '--name', 'x'],
      env,
    );
    expect(both.stderr).toContain('PIFU_USAGE_INVALID: role: give either a role');
    const reused = await runCli(['tokens', 'create', '--role', 'viewer', '--name', 'ops-board'], env);
    expect(reused.stderr).toContain('PIFU_TOKEN_NAME_TAKEN');
    for (const result of [push, both, reused]) expect(result.stdout).not.toContain('pifu_');
  });

  it('lets only a config admin manage tokens', async () => {
    const rolesFile = join(env['PIFU_HUB_DATA_DIR']!, 'roles.json');
    writeFileSync(rolesFile, JSON.stringify({ [userInfo().username]: ['operator'] }));
    const refused = await runCli(['tokens', 'create', '--role', 'viewer', '--name', 'nope'], {
      ...env,
      PIFU_HUB_ROLES_FILE: rolesFile,
    });
    expect(refused.stderr).toContain('PIFU_FORBIDDEN');
    expect(refused.stderr).toContain('config-admin');
  });

  it('serves the API with the token until it is revoked', async () => {
    const created = await runCli(['tokens', 'create', '--role', 'viewer', '--name', 'board'], env);
    const token = created.stdout.trimEnd().split('\n').at(-1)!;
    const runtime = await openRuntime({ env });
    const server = await startHttpServer(runtime, { host: '127.0.0.1', port: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const get = (path: string) =>
        fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect((await get('/runs')).status).toBe(200);
      expect(await (await fetch(`${server.url}/readyz`)).json()).toMatchObject({
        ready: true,
        database: 'ok',
      });
      expect((await runCli(['tokens', 'revoke', 'board'], env)).stdout).toContain('token board revoked');
      expect((await get('/runs')).status).toBe(401);
      expect((await runCli(['tokens', 'revoke', 'board'], env)).stdout).toContain('already revoked');
    } finally {
      await server.close();
      await runtime.close();
    }
  });
});

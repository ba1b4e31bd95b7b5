import { userInfo } from 'node:os';
import { listAudit } from '../../../src/audit/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { testRedisUrl } from '../../setup/services.js';
import { runCli } from '../cli/run-cli.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const fixturesDir = new URL('../../../fixtures/recipients/', import.meta.url).pathname;

describe('against PostgreSQL without a roles file, every role-checked command is refused and audited', () => {
  let database: TestDatabase;
  let env: Record<string, string | undefined>;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
    env = {
      DATABASE_URL: database.url,
      PIFU_HUB_DATA_DIR: scratchDir('pifu-roles-'),
      PIFU_HUB_RECIPIENTS_DIR: fixturesDir,
      PIFU_HUB_ROLES_FILE: undefined,
      REDIS_URL: testRedisUrl(),
      LOG_LEVEL: 'silent',
    };
  });
  afterAll(async () => {
    database.pool.on('error', () => undefined);
    await database.destroy();
  });

  it.each([
    [['runs'], 'runs', 'viewer'],
    [['disclosures', '--person', '00000000-0000-4000-8000-000000000000'], 'disclosures', 'privacy-admin'],
    [['export', '--all'], 'export', 'operator'],
    [['worker'], 'worker', 'operator'],
    [['scheduler'], 'scheduler', 'operator'],
  ] as const)(
    '%j is refused (%s needs %s) and the denial is in the audit trail',
    async (args, action, role) => {
      const { stderr, exitCode } = await runCli(args, env);
      expect(exitCode).toBe(1);
      expect(stderr).toBe(
        `error: PIFU_FORBIDDEN: cli:${userInfo().username} lacks the ${role} role that ${action} needs; ` +
          'no roles file is set (PIFU_HUB_ROLES_FILE), and against PostgreSQL that grants no role; ' +
          'write one granting roles per OS user, e.g. { "alice": ["operator"] }\n',
      );
      const denials = (await listAudit(database.db, { limit: 100 })).filter(
        (entry) => entry.action === action && entry.outcome === 'denied',
      );
      expect(denials).toEqual([
        expect.objectContaining({ actor: `cli:${userInfo().username}`, detail: `needs the ${role} role` }),
      ]);
    },
  );
});

import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { runCli } from './run-cli.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

describe('operator roles (R4)', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
    const dir = scratchDir('roles-');
    const rolesFile = join(dir, 'roles.json');
    writeFileSync(rolesFile, JSON.stringify({ [userInfo().username]: ['viewer'] }));
    env = {
      DATABASE_URL: database.url,
      PIFU_HUB_ROLES_FILE: rolesFile,
      PIFU_HUB_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
    };
  });
  afterAll(async () => database.destroy());

  it('lets a viewer see transfers and refuses them a disclosure query, naming the missing role', async () => {
    expect((await runCli(['transfers'], env)).exitCode).toBe(0);
    const refused = await runCli(['disclosures', '--person', 'p-1'], env);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain('PIFU_FORBIDDEN');
    expect(refused.stderr).toContain('privacy-admin');
    const forget = await runCli(['forget', '--person', 'p-1', '--reason', 'test'], env);
    expect(forget.stderr).toContain('PIFU_FORBIDDEN');
  });

  it('refuses an unreadable or malformed roles file with the file named', async () => {
    const bad = join(scratchDir('roles-'), 'roles.json');
    writeFileSync(bad, JSON.stringify({ alice: ['superuser'] }));
    const result = await runCli(['transfers'], { ...env, PIFU_HUB_ROLES_FILE: bad });
    expect(result.stderr).toContain(`roles file ${bad}: alice.0`);
  });
});

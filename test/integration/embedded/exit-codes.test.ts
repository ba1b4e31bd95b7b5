import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../../../src/db/index.js';
import { embeddedEnv, fixturesRecipientsDir, runBin } from './support/hub-bin.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/**
 * On the embedded database a failure must still exit non-zero: PGlite 0.4's close() wrote 0 into
 * process.exitCode after the command had set 1, so scripts and cron saw success.
 */
describe('exit codes on the embedded default', () => {
  let base: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    base = scratchDir('pifu-exit-');
    const recipientsDir = join(base, 'recipients');
    mkdirSync(recipientsDir);
    const fixture = (id: string): Record<string, unknown> =>
      JSON.parse(readFileSync(join(fixturesRecipientsDir, `${id}.json`), 'utf8')) as Record<string, unknown>;
    writeFileSync(
      join(recipientsDir, 'itslearning.json'),
      JSON.stringify({
        ...fixture('itslearning'),
        transport: { kind: 'file-drop', directory: join(base, 'drop') },
      }),
    );
    // A drop directory under a regular file: every delivery fails, once (no retries to wait for).
    writeFileSync(join(base, 'a-file'), '');
    writeFileSync(
      join(recipientsDir, 'inspera.json'),
      JSON.stringify({
        ...fixture('inspera'),
        transport: { kind: 'file-drop', directory: join(base, 'a-file', 'drop') },
        delivery: { attempts: 1, backoffSeconds: 1 },
      }),
    );
    env = embeddedEnv(join(base, 'data'), { PIFU_HUB_RECIPIENTS_DIR: recipientsDir });
    const seeded = await runBin(['seed', '--scale', 'tiny', '--json'], { env, cwd: base });
    expect(seeded).toMatchObject({ exitCode: 0, stderr: '' });
    // --json: one object, what was seeded.
    expect(JSON.parse(seeded.stdout)).toEqual({
      scale: 'tiny',
      seed: 7,
      seconds: expect.any(Number),
      persons: expect.any(Number),
      groups: expect.any(Number),
      memberships: expect.any(Number),
    });
  }, 120_000);
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('a failed export exits 1', async () => {
    const exported = await runBin(['export', '--recipient', 'inspera'], { env, cwd: base });
    expect(exported.stdout).toMatch(/^inspera +failed +full /m);
    expect(exported.stdout).toMatch(/^run run-\S+ failed$/m);
    expect(exported.exitCode).toBe(1);
  }, 120_000);

  it('retention-check exits 1 when a recipient holds someone inactive for too long', async () => {
    const exported = await runBin(['export', '--recipient', 'itslearning'], { env, cwd: base });
    expect(exported.exitCode).toBe(0);
    // Everyone leaves (no end date recorded): what itslearning holds is now overdue.
    const hub = await openDatabase({ kind: 'pglite', dataDir: join(base, 'data', 'pglite') });
    try {
      await sql`UPDATE records.person SET status = 'inactive'`.execute(hub.db);
    } finally {
      await hub.close();
    }
    const checked = await runBin(['retention-check', '--months', '1'], { env, cwd: base });
    expect(checked.stdout).toMatch(/^recipient +person +inactive since$/m);
    expect(checked.stdout).toMatch(/^itslearning +\S+ +unknown$/m);
    expect(checked.exitCode).toBe(1);
  }, 120_000);
});

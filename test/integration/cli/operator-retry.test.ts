import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { runInProcess } from '../../../jobs/in-process-runner.js';
import { loadRecipientConfigs } from '../../../src/config/index.js';
import { findRun, runIds, startRun, type HubContext } from '../../../src/run/index.js';
import { findFeed } from '../../../src/feed/index.js';
import { findTransfer } from '../../../src/transfer/index.js';
import { disclosureManifestFiles } from '../../../src/disclosure/index.js';
import { hubContext, writeFileDropRecipients } from '../../helpers/hub-fixture.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { runCli } from './run-cli.js';
import { scratchDir } from '../../helpers/scratch-dir.js';
import { carriedByTransfer } from '../../helpers/register-carried.js';

/**
 * Failures are real: a recipient's file drop sits under a path that is a regular file, so the transport
 * cannot create its directory; removing that file repairs the drop.
 */
describe('pifu-hub retry TRANSFER', () => {
  let database: TestDatabase;
  let base: string;
  let ctx: HubContext;
  let env: Record<string, string>;
  const dropOf = (id: string) => join(base, `${id}-share`, 'drop');
  const block = (id: string) => {
    rmSync(join(base, `${id}-share`), { recursive: true, force: true });
    writeFileSync(join(base, `${id}-share`), 'not a directory');
  };
  const unblock = (id: string) => {
    rmSync(join(base, `${id}-share`), { force: true });
    mkdirSync(dropOf(id), { recursive: true });
  };
  const cli = (...args: string[]) => runCli(args, env);

  /** A full run of one recipient, in process; its one transfer id. */
  async function runFor(recipientId: string): Promise<{ runId: string; transferId: string }> {
    const runId = await startRun(ctx, { recipientIds: [recipientId], trigger: 'operator', feedType: 'full' });
    await runInProcess(ctx, runId);
    return { runId, transferId: runIds(runId).transferId(recipientId) };
  }

  beforeAll(async () => {
    database = await createTestDatabase({ seeded: 'tiny' });
    base = scratchDir('pifu-retry-');
    const recipientsDir = writeFileDropRecipients(
      base,
      [
        ['skole-sms', 'sms'],
        ['websak', 'archive'],
        ['itslearning', 'lms'],
      ],
      dropOf,
    );
    ctx = hubContext(database.db, { recipients: () => loadRecipientConfigs(recipientsDir) });
    env = {
      DATABASE_URL: database.url,
      PIFU_HUB_DATA_DIR: join(base, 'data'),
      PIFU_HUB_SPOOL_DIR: ctx.spoolDir,
      PIFU_HUB_RECIPIENTS_DIR: recipientsDir,
      LOG_LEVEL: 'silent',
    };
  });
  afterAll(async () => {
    database.pool.on('error', () => undefined); // see operator-runs.test.ts
    await database.destroy();
  });

  it('delivers a failed transfer again, same transfer id and file, and closes its run as completed', async () => {
    block('skole-sms');
    const { runId, transferId } = await runFor('skole-sms');
    expect((await findTransfer(ctx.db, transferId))?.status).toBe('failed');
    expect((await findRun(ctx.db, runId))?.status).toBe('failed');

    // Still broken: the retry fails too, and the transfer is failed again with the new error.
    const again = await cli('retry', transferId);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/^error: PIFU_TRANSPORT_FAILED: file drop for skole-sms: cannot write /);
    expect(await findTransfer(ctx.db, transferId)).toMatchObject({ status: 'failed', attempts: 2 });

    unblock('skole-sms');
    const { stdout, stderr, exitCode } = await cli('retry', transferId);
    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
    const transfer = await findTransfer(ctx.db, transferId);
    expect(transfer).toMatchObject({ status: 'delivered', attempts: 3, error: null });
    expect(stdout).toBe(`${transferId} delivered to ${transfer!.location}\nrun ${runId} completed\n`);
    expect(readdirSync(dropOf('skole-sms')).sort()).toEqual([
      runIds(runId).feedFileName('skole-sms', 'full'),
      `${runIds(runId).feedFileName('skole-sms', 'full')}.sha256`,
    ]);
    expect(await findRun(ctx.db, runId)).toMatchObject({ status: 'completed', error: null });
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM (${carriedByTransfer(transferId)}) c`.execute(ctx.db);
    expect(rows[0]!.n).toBeGreaterThan(0);

    const twice = await cli('retry', transferId);
    expect(twice.exitCode).toBe(1);
    expect(twice.stderr).toMatch(
      new RegExp(
        `^error: PIFU_RETRY_REFUSED: ${transferId} is already delivered \\(.+\\); nothing to retry\\n$`,
      ),
    );
  });

  it('refuses when the feed file is gone: PIFU_SPOOL_MISSING, and the transfer stays failed', async () => {
    block('websak');
    const { transferId } = await runFor('websak');
    const feed = (await findFeed(ctx.db, (await findTransfer(ctx.db, transferId))!.feedId))!;
    rmSync(feed.filePath!);
    unblock('websak');
    const { stderr, exitCode } = await cli('retry', transferId);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(
      new RegExp(
        `^error: PIFU_SPOOL_MISSING: ${transferId}: ${feed.filePath!} no longer exist .*export --recipient websak\\n$`,
      ),
    );
    expect(await findTransfer(ctx.db, transferId)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(readdirSync(dropOf('websak'))).toEqual([]);
  });

  it('refuses when a manifest of the feed is gone, naming it, and the transfer stays failed', async () => {
    block('websak');
    const { transferId } = await runFor('websak');
    const feed = (await findFeed(ctx.db, (await findTransfer(ctx.db, transferId))!.feedId))!;
    const members = disclosureManifestFiles(feed.filePath!).members;
    rmSync(members);
    unblock('websak');
    const { stderr, exitCode } = await cli('retry', transferId);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(
      new RegExp(
        `^error: PIFU_SPOOL_MISSING: ${transferId}: ${members} no longer exist .*export --recipient websak\\n$`,
      ),
    );
    expect(await findTransfer(ctx.db, transferId)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(readdirSync(dropOf('websak'))).toEqual([]);
  });

  it('refuses an out-of-date feed: the recipient received a later transfer since it was written', async () => {
    block('itslearning');
    const stale = await runFor('itslearning');
    unblock('itslearning');
    const later = await runFor('itslearning');
    expect((await findTransfer(ctx.db, later.transferId))?.status).toBe('delivered');
    const { stderr, exitCode } = await cli('retry', stale.transferId);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(
      new RegExp(
        `^error: PIFU_RETRY_REFUSED: ${stale.transferId}: itslearning received ${later.transferId} at \\S+Z, after this feed was written; ` +
          'delivering it now would send out-of-date data\\. Start a new run: pifu-hub export --recipient itslearning\\n$',
      ),
    );
    expect((await findTransfer(ctx.db, stale.transferId))?.status).toBe('failed');
    expect(readdirSync(dropOf('itslearning')).filter((name) => name.includes(stale.runId.slice(4)))).toEqual(
      [],
    );
  });

  it('refuses a transfer that is not failed, and an unknown one, saying what to do', async () => {
    const runId = await startRun(ctx, { recipientIds: ['websak'], trigger: 'operator', feedType: 'full' });
    const pending = await cli('retry', runIds(runId).transferId('websak'));
    expect(pending.exitCode).toBe(1);
    expect(pending.stderr).toBe(
      `error: PIFU_RETRY_REFUSED: ${runIds(runId).transferId('websak')} is pending: its run is still under way ` +
        `(see \`pifu-hub run show ${runId}\`); only a failed transfer can be retried\n`,
    );
    const unknown = await cli('retry', 'transfer-nope');
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toMatch(/^error: PIFU_TRANSFER_UNKNOWN: no transfer "transfer-nope"/);
    expect(existsSync(dropOf('websak'))).toBe(true);
  });
});

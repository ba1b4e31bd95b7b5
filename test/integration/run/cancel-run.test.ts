import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadRecipientConfigs } from '../../../src/config/index.js';
import { HubError } from '../../../src/errors/index.js';
import { writeRecipientFeed } from '../../../src/feed/index.js';
import {
  cancelRun,
  finishRun,
  findRun,
  runIds,
  startRun,
  takeSnapshot,
  type HubContext,
} from '../../../src/run/index.js';
import { deliverTransfer, listRunTransfers } from '../../../src/transfer/index.js';
import { hubContext, writeFileDropRecipients } from '../../helpers/hub-fixture.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { runCli } from '../cli/run-cli.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

async function refusal(promise: Promise<unknown>): Promise<HubError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof HubError)) throw new Error(`expected a HubError, got ${String(error)}`);
  return error;
}

describe('cancelling a run (real PostgreSQL)', () => {
  let database: TestDatabase;
  let base: string;
  let recipientsDir: string;
  let ctx: HubContext;
  const dropOf = (id: string) => join(base, 'drops', id);
  const recipients = ['websak', 'itslearning', 'skole-sms'];

  beforeAll(async () => {
    database = await createTestDatabase({ seeded: 'tiny' });
    base = scratchDir('pifu-cancel-');
    recipientsDir = writeFileDropRecipients(
      base,
      [
        ['websak', 'archive'],
        ['itslearning', 'lms'],
        ['skole-sms', 'sms'],
      ],
      dropOf,
    );
    ctx = hubContext(database.db, { recipients: () => loadRecipientConfigs(recipientsDir) });
  });
  afterAll(async () => {
    database.pool.on('error', () => undefined); // see cli/operator-runs.test.ts
    await database.destroy();
  });

  /** A run with websak delivered, itslearning held by an operator threshold, skole-sms written and pending. */
  async function halfwayRun(): Promise<string> {
    const runId = await startRun(ctx, { recipientIds: recipients, trigger: 'operator', feedType: 'full' });
    const ids = runIds(runId);
    await takeSnapshot(ctx, runId);
    for (const id of recipients) await writeRecipientFeed(ctx, ids.feedId(id));
    await deliverTransfer(ctx, ids.transferId('websak'));
    await ctx.db
      .updateTable('hub.transfer')
      .set({ status: 'held' })
      .where('id', '=', ids.transferId('itslearning'))
      .execute();
    return runId;
  }

  it('fails the run and its pending transfers with who and why; held stays held, delivered stays delivered', async () => {
    const runId = await halfwayRun();
    const outcome = await cancelRun(ctx, runId, {
      by: 'cli:ops',
      reason: ' the records store is being restored ',
    });

    expect(outcome).toEqual({
      runId,
      status: 'failed',
      delivered: 1,
      failed: 1,
      held: 1,
      offered: 0,
      skipped: 0,
    });
    const run = await findRun(ctx.db, runId);
    expect([run?.status, run?.error, run?.finishedAt]).toEqual([
      'failed',
      'cancelled by cli:ops: the records store is being restored',
      expect.any(Date),
    ]);
    expect((await listRunTransfers(ctx.db, runId)).map((t) => [t.recipientId, t.status, t.error])).toEqual([
      ['itslearning', 'held', null],
      ['skole-sms', 'failed', 'cancelled by cli:ops: the records store is being restored'],
      ['websak', 'delivered', null],
    ]);
  });

  it('a step of the cancelled run still under way delivers nothing, and its finish keeps the cancellation', async () => {
    const runId = await halfwayRun();
    await cancelRun(ctx, runId, { by: 'cli:ops', reason: 'wrong snapshot' });

    const late = await deliverTransfer(ctx, runIds(runId).transferId('skole-sms'));
    expect(late).toMatchObject({ alreadyDelivered: false, notDelivered: 'failed' });
    expect(existsSync(dropOf('skole-sms'))).toBe(false);
    expect((await finishRun(ctx, runId)).status).toBe('failed');
    expect((await findRun(ctx.db, runId))?.error).toBe('cancelled by cli:ops: wrong snapshot');
  });

  it('is refused for an unknown run, a finished run and without a reason, changing nothing', async () => {
    expect((await refusal(cancelRun(ctx, 'run-nope', { by: 'x', reason: 'y' }))).message).toBe(
      'PIFU_RUN_UNKNOWN: no run "run-nope"; list runs with `pifu-hub runs`',
    );
    const runId = await halfwayRun();
    const blank = await refusal(cancelRun(ctx, runId, { by: 'x', reason: '  ' }));
    expect(blank.code).toBe('PIFU_USAGE_INVALID');
    expect((await findRun(ctx.db, runId))?.status).toBe('running');
    await finishRun(ctx, runId);
    const finished = await refusal(cancelRun(ctx, runId, { by: 'x', reason: 'y' }));
    expect([finished.code, finished.message]).toEqual([
      'PIFU_RUN_FINISHED',
      `PIFU_RUN_FINISHED: run ${runId} has already finished (failed); only a running run can be cancelled`,
    ]);
    expect((await findRun(ctx.db, runId))?.error).toBe('not delivered to skole-sms');
  });

  it('pifu-hub run cancel ID --reason: one line, and a second cancel exits 1 with PIFU_RUN_FINISHED', async () => {
    const runId = await halfwayRun();
    const env = {
      DATABASE_URL: database.url,
      PIFU_HUB_DATA_DIR: join(base, 'data'),
      PIFU_HUB_SPOOL_DIR: ctx.spoolDir,
      PIFU_HUB_RECIPIENTS_DIR: recipientsDir,
      LOG_LEVEL: 'silent',
    };
    const first = await runCli(['run', 'cancel', runId, '--reason', 'stuck since the night'], env);
    expect(first).toEqual({
      stdout: `run ${runId} cancelled: 1 transfer(s) failed, 1 held\n`,
      stderr: '',
      exitCode: 0,
    });
    expect((await findRun(ctx.db, runId))?.error).toMatch(/^cancelled by cli:\S+: stuck since the night$/);
    const second = await runCli(['run', 'cancel', runId, '--reason', 'cancel it again'], env);
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(/^error: PIFU_RUN_FINISHED: run \S+ has already finished \(failed\)/);
  });
});

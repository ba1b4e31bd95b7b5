import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { retryTransfer, startExport } from '../../../src/operations/index.js';
import { recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import {
  actors,
  attempt,
  codeOf,
  expectDenied,
  expectRefused,
  faultAtCommit,
  operationsOver,
  seededDatabase,
  succeeds,
} from './operations-fixture.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/**
 * Failures are real: a recipient's file drop sits under a path that is a regular file, so the transport
 * cannot create its directory; removing that file repairs the drop.
 */
describe('retryTransfer', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  let base: string;
  const dropOf = (id: string) => join(base, `${id}-share`, 'drop');
  const block = (id: string) => {
    rmSync(join(base, `${id}-share`), { recursive: true, force: true });
    writeFileSync(join(base, `${id}-share`), 'not a directory');
  };
  const unblock = (id: string) => {
    rmSync(join(base, `${id}-share`), { recursive: true, force: true });
    mkdirSync(dropOf(id), { recursive: true });
  };
  const statusOf = async (transferId: string) =>
    (
      await sql<{ status: string; attempts: number }>`SELECT status, attempts FROM hub.transfer
        WHERE id = ${transferId}`.execute(database.db)
    ).rows[0];

  /** A full export of one recipient whose drop is blocked: its failed transfer. */
  async function failedExport(id: string): Promise<{ runId: string; transferId: string }> {
    block(id);
    const report = await startExport(ops, actors.operator, { recipients: [id] });
    expect(report.status).toBe('failed');
    return { runId: report.runId, transferId: report.feeds[0]?.transferId ?? '' };
  }

  beforeAll(async () => {
    database = await seededDatabase();
    base = scratchDir('pifu-retry-');
    ops = operationsOver(database.db, () => [
      recipient('sms', 'sms', dropOf('sms')),
      recipient('lms', 'lms', dropOf('lms')),
      recipient('arc', 'archive', dropOf('arc')),
    ]);
  });
  afterAll(async () => database.destroy());

  it('delivers a failed transfer again, closes its run, and claims it with its done row', async () => {
    const { runId, transferId } = await failedExport('sms');

    // Still broken: the attempt was made (done row with the claim), and the transfer is failed again.
    const broken = await attempt(database.db, () =>
      retryTransfer(ops, actors.operator, { transfer: transferId }),
    );
    expect(codeOf(broken)).toMatchObject({ code: 'PIFU_TRANSPORT_FAILED' });
    expect(broken.rows.map((row) => [row.outcome, row.subject])).toEqual([['done', transferId]]);
    expect(await statusOf(transferId)).toEqual({ status: 'failed', attempts: 2 });

    unblock('sms');
    const { result, rows } = await succeeds(database.db, () =>
      retryTransfer(ops, actors.operator, { transfer: transferId }),
    );
    expect(result.delivery.alreadyDelivered).toBe(false);
    expect(result.run).toMatchObject({ status: 'completed' });
    expect(await statusOf(transferId)).toEqual({ status: 'delivered', attempts: 3 });
    expect(readdirSync(dropOf('sms')).length).toBe(2); // the feed and its .sha256
    expect(rows).toEqual([
      {
        actor: 'test:olga',
        action: 'retry',
        outcome: 'done',
        subject: transferId,
        detail: 'sms',
        source: 'local',
      },
    ]);
    const { rows: runs } = await sql<{ status: string }>`SELECT status FROM hub.run
      WHERE id = ${runId}`.execute(database.db);
    expect(runs).toEqual([{ status: 'completed' }]);
  });

  it('a claim that does not commit leaves no done row, and the transfer failed', async () => {
    const { transferId } = await failedExport('lms');
    unblock('lms');
    const lift = await faultAtCommit(database.db, 'hub.transfer', 'UPDATE');
    let outcome;
    try {
      outcome = await attempt(database.db, () =>
        retryTransfer(ops, actors.operator, { transfer: transferId }),
      );
    } finally {
      await lift();
    }
    expect((outcome.error as Error).message).toContain('fault injected by the test at commit');
    expect(outcome.rows).toEqual([]);
    expect(await statusOf(transferId)).toEqual({ status: 'failed', attempts: 1 });
    expect(readdirSync(dropOf('lms'))).toEqual([]);
  });

  it('refuses a transfer that is not failed, leaving a refused row and the transfer as it was', async () => {
    unblock('lms');
    const report = await startExport(ops, actors.operator, { recipients: ['lms'] });
    const transferId = report.feeds[0]?.transferId ?? '';
    await expectRefused(database.db, () => retryTransfer(ops, actors.operator, { transfer: transferId }), {
      code: 'PIFU_RETRY_REFUSED',
      message: /is already delivered .*; nothing to retry/,
      row: { actor: 'test:olga', action: 'retry', subject: transferId, detail: 'lms (PIFU_RETRY_REFUSED)' },
    });
    expect(await statusOf(transferId)).toEqual({ status: 'delivered', attempts: 1 });
  });

  it('refuses when the feed file is gone (PIFU_SPOOL_MISSING), and the transfer stays failed', async () => {
    const { transferId } = await failedExport('arc');
    const { rows } = await sql<{ file_path: string }>`SELECT f.file_path FROM hub.feed f
      JOIN hub.transfer t ON t.feed_id = f.id WHERE t.id = ${transferId}`.execute(database.db);
    rmSync(rows[0]!.file_path);
    unblock('arc');
    await expectRefused(database.db, () => retryTransfer(ops, actors.operator, { transfer: transferId }), {
      code: 'PIFU_SPOOL_MISSING',
      row: { actor: 'test:olga', action: 'retry', subject: transferId },
    });
    expect(await statusOf(transferId)).toEqual({ status: 'failed', attempts: 1 });
    expect(readdirSync(dropOf('arc'))).toEqual([]);
  });

  it('refuses an unknown transfer and a malformed id, naming the field', async () => {
    await expectRefused(
      database.db,
      () => retryTransfer(ops, actors.operator, { transfer: 'transfer-20260101T000000Z-nope-sms' }),
      {
        code: 'PIFU_TRANSFER_UNKNOWN',
        message: /no transfer "transfer-20260101T000000Z-nope-sms"/,
        row: { actor: 'test:olga', action: 'retry', subject: null, detail: 'PIFU_TRANSFER_UNKNOWN' },
      },
    );
    await expectRefused(database.db, () => retryTransfer(ops, actors.operator, { transfer: "x'; drop" }), {
      code: 'PIFU_USAGE_INVALID',
      message: /transfer: a transfer id such as/,
      row: { actor: 'test:olga', action: 'retry', subject: null },
    });
  });

  it('refuses an actor without the operator role, audited as denied, touching nothing', async () => {
    const { transferId } = await failedExport('sms');
    unblock('sms');
    await expectDenied(database.db, () => retryTransfer(ops, actors.viewer, { transfer: transferId }), {
      actor: actors.viewer,
      action: 'retry',
      role: 'operator',
    });
    expect(await statusOf(transferId)).toEqual({ status: 'failed', attempts: 1 });
  });
});

import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { sql } from 'kysely';
import { enqueueRun } from '../../../jobs/workers.js';
import { loadRecipientConfigs } from '../../../src/config/index.js';
import { findRun, startRun } from '../../../src/run/index.js';
import { listRunTransfers } from '../../../src/transfer/index.js';
import { hubContext, seededDatabase } from '../../helpers/hub-fixture.js';
import { testRedisUrl } from '../../setup/services.js';
import { spawnWorker, toFileDrop, type ChildWorker } from '../faults/support/child-worker.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/**
 * One `mini` run to every seed recipient (fixtures/recipients, transports rewritten to file drops),
 * taken by one worker process and then by two. Both must deliver everything exactly once; the wall
 * times are printed for the record, never asserted (the machine decides them).
 */
describe('worker processes sharing one run', () => {
  const database = seededDatabase('mini', 120_000);
  const recipientsDir = resolve('fixtures/recipients');

  async function timedRun(processes: number): Promise<{ ms: number; runId: string; dropDir: string }> {
    const dropDir = scratchDir('pifu-scale-drop-');
    const spoolDir = scratchDir('pifu-scale-spool-');
    const ctx = hubContext(database.db, {
      recipients: () => toFileDrop(loadRecipientConfigs(recipientsDir), dropDir),
    });
    const spooled = { ...ctx, spoolDir };
    const connection = { redisUrl: testRedisUrl(), prefix: `scale-${randomUUID()}` };
    const workers: ChildWorker[] = await Promise.all(
      Array.from({ length: processes }, () =>
        spawnWorker({
          databaseUrl: database.url,
          redisUrl: connection.redisUrl,
          prefix: connection.prefix,
          spoolDir,
          recipientsDir: { dir: recipientsDir, dropDir },
          concurrency: 2,
        }),
      ),
    );
    try {
      const runId = await startRun(spooled, {
        recipientIds: [...spooled.recipients.keys()],
        trigger: 'operator',
        feedType: 'full',
      });
      const started = performance.now();
      await enqueueRun(connection, runId, { wait: true });
      const ms = Math.round(performance.now() - started);
      return { ms, runId, dropDir };
    } finally {
      const exits = await Promise.all(workers.map((worker) => worker.stop()));
      expect(exits.map((exit) => exit.code)).toEqual(workers.map(() => 0));
    }
  }

  async function expectDeliveredOnce(runId: string, recipientIds: readonly string[]): Promise<void> {
    expect((await findRun(database.db, runId))?.status).toBe('completed');
    const transfers = await listRunTransfers(database.db, runId);
    expect(transfers.map((transfer) => transfer.recipientId).sort()).toEqual([...recipientIds].sort());
    for (const transfer of transfers) {
      expect([transfer.recipientId, transfer.status]).toEqual([transfer.recipientId, 'delivered']);
      const file = transfer.location!;
      expect(readdirSync(dirname(file)).sort()).toEqual([basename(file), `${basename(file)}.sha256`]);
      expect(readFileSync(`${file}.sha256`, 'utf8')).toBe(`${transfer.sha256Hex}  ${basename(file)}\n`);
    }
    const { rows } = await sql<{ recipient_id: string; transfer_id: string }>`
      SELECT recipient_id, transfer_id FROM hub.recipient_state WHERE transfer_id IN (
        SELECT id FROM hub.transfer WHERE run_id = ${runId})`.execute(database.db);
    expect(rows).toHaveLength(recipientIds.length);
  }

  it('delivers every recipient exactly once with one worker process and with two', async () => {
    const recipientIds = loadRecipientConfigs(recipientsDir).map((recipient) => recipient.id);
    const one = await timedRun(1);
    await expectDeliveredOnce(one.runId, recipientIds);
    const two = await timedRun(2);
    await expectDeliveredOnce(two.runId, recipientIds);
    console.log(
      `worker scaling (mini, ${recipientIds.length} recipients, full feeds, concurrency 2 per queue): ` +
        `1 process ${one.ms} ms, 2 processes ${two.ms} ms`,
    );
  }, 120_000);
});

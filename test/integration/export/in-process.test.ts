import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { migrateRecordsStore } from '../../../connectors/sources/records-db/index.js';
import { isValidNationalIdentityNumber } from '../../../fixtures/generator/index.js';
import { runInProcess } from '../../../jobs/in-process-runner.js';
import { migrateHub } from '../../../src/db/index.js';
import { HubError } from '../../../src/errors/index.js';
import { validateFeedFile } from '../../../src/pifu/index.js';
import type { Transport } from '../../../src/ports/index.js';
import { startRun } from '../../../src/run/index.js';
import { listRunTransfers } from '../../../src/transfer/index.js';
import { captureLogger, hubContext, recipient, seed } from '../../helpers/hub-fixture.js';
import { carriedByTransfer } from '../../helpers/register-carried.js';

/** The embedded default: PGlite holding records store and hub schema, jobs run in this process. */
async function loadedStore(): Promise<PGlite> {
  const pglite = new PGlite();
  const db = new Kysely<unknown>({ dialect: new PGliteDialect(pglite) });
  await migrateRecordsStore(db);
  await migrateHub(db);
  await seed({ kind: 'pglite', pglite }, 'tiny');
  return pglite;
}

function kyselyOver(pglite: PGlite): Kysely<unknown> {
  return new Kysely<unknown>({ dialect: new PGliteDialect(pglite) });
}

describe('the embedded default (PGlite, no Redis)', () => {
  // Migrating and seeding PGlite costs seconds: tests start from a copy of one loaded store.
  let loaded: PGlite;
  beforeAll(async () => {
    loaded = await loadedStore();
  }, 120_000);
  afterAll(async () => {
    await loaded.close();
  });
  async function embeddedDatabase(): Promise<{ db: Kysely<unknown> }> {
    return { db: kyselyOver((await loaded.clone()) as PGlite) };
  }

  it('delivers a valid feed to each recipient in-process and records a completed run', async () => {
    const { db } = await embeddedDatabase();
    try {
      const ctx = hubContext(db, {
        recipients: (dir) => [
          recipient('inspera', 'assessment', join(dir, 'a')),
          recipient('ad', 'directory', join(dir, 'd')),
        ],
      });
      const runId = await startRun(ctx, {
        recipientIds: ['inspera', 'ad'],
        trigger: 'operator',
        feedType: 'full',
      });
      const outcome = await runInProcess(ctx, runId);
      expect(outcome).toEqual({
        runId,
        status: 'completed',
        delivered: 2,
        failed: 0,
        held: 0,
        skipped: 0,
        offered: 0,
      });
      for (const transfer of await listRunTransfers(ctx.db, runId)) {
        expect(await validateFeedFile(transfer.location!)).toEqual({ valid: true, errors: [] });
      }
    } finally {
      await db.destroy();
    }
  });

  it('gives byte-identical feeds for the same seed, however often the store is loaded and exported', async () => {
    const hashes: string[] = [];
    // The store loaded for this file, and another loaded afresh from the same seed.
    for (const pglite of [(await loaded.clone()) as PGlite, await loadedStore()]) {
      const db = kyselyOver(pglite);
      try {
        const ctx = hubContext(db, { recipients: (dir) => [recipient('websak', 'archive', dir)] });
        const runId = await startRun(ctx, {
          recipientIds: ['websak'],
          trigger: 'operator',
          feedType: 'full',
        });
        await runInProcess(ctx, runId);
        const [transfer] = await listRunTransfers(ctx.db, runId);
        hashes.push(transfer!.sha256Hex!);
      } finally {
        await db.destroy();
      }
    }
    expect(hashes[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(hashes[1]).toBe(hashes[0]);
  });

  it('marks a transfer failed, with no disclosures, when the transport fails; other recipients still get theirs', async () => {
    const { db } = await embeddedDatabase();
    try {
      const failing: Transport = {
        kind: 'file-drop',
        deliver: async () => {
          throw new HubError('PIFU_TRANSPORT_FAILED', 'recipient down');
        },
      };
      const ctx = hubContext(db, {
        recipients: (dir) => [
          recipient('down', 'lms', join(dir, 'down')),
          recipient('up', 'lms', join(dir, 'up')),
        ],
        transportFor: (config, recipientId) =>
          recipientId === 'down'
            ? failing
            : hubContext(db, { recipients: () => [] }).transportFor(config, recipientId),
      });
      const runId = await startRun(ctx, {
        recipientIds: ['down', 'up'],
        trigger: 'operator',
        feedType: 'full',
      });
      const outcome = await runInProcess(ctx, runId);
      expect(outcome.status).toBe('failed');
      const transfers = await listRunTransfers(ctx.db, runId);
      expect(transfers.map((t) => [t.recipientId, t.status])).toEqual([
        ['down', 'failed'],
        ['up', 'delivered'],
      ]);
      expect(transfers[0]!.error).toContain('PIFU_TRANSPORT_FAILED: recipient down');
      const { rows } = await sql<{ transfer_id: string; n: number }>`
        SELECT t.id AS transfer_id, (SELECT count(*)::int FROM (${carriedByTransfer(sql.ref('t.id'))}) c) AS n
        FROM hub.transfer t ORDER BY t.recipient_id`.execute(db);
      expect(rows).toEqual([
        { transfer_id: transfers[0]!.id, n: 0 },
        { transfer_id: transfers[1]!.id, n: expect.any(Number) },
      ]);
      expect(rows[1]!.n).toBeGreaterThan(0);
    } finally {
      await db.destroy();
    }
  });

  it('never logs a fødselsnummer, even at debug level through a whole run', async () => {
    const { db } = await embeddedDatabase();
    try {
      const { logger, lines } = captureLogger('trace');
      const ctx = hubContext(db, { recipients: (dir) => [recipient('websak', 'archive', dir)], logger });
      const runId = await startRun(ctx, { recipientIds: ['websak'], trigger: 'operator', feedType: 'full' });
      await runInProcess(ctx, runId);
      expect(lines.length).toBeGreaterThan(3);
      const text = lines.join('\n');
      const elevenDigitRuns = text.match(/(?<!\d)\d{11}(?!\d)/g) ?? [];
      expect(elevenDigitRuns.filter((run) => isValidNationalIdentityNumber(run))).toEqual([]);
      // The feed itself does carry them, so the scan above is not vacuous.
      const [transfer] = await listRunTransfers(ctx.db, runId);
      const feed = readFileSync(transfer!.location!, 'utf8');
      expect(
        (feed.match(/(?<!\d)\d{11}(?!\d)/g) ?? []).some((run) => isValidNationalIdentityNumber(run)),
      ).toBe(true);
    } finally {
      await db.destroy();
    }
  });
});

import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { runInProcess } from '../../../jobs/in-process-runner.js';
import { enqueueRun, startWorkers } from '../../../jobs/workers.js';
import type { SchoolCounts } from '../../../src/spool/index.js';
import {
  findRun,
  runSpoolPaths,
  startRun,
  type HubContext,
  type RunRequest,
} from '../../../src/run/index.js';
import { listRunTransfers } from '../../../src/transfer/index.js';
import { hubContext, recipient } from '../../helpers/hub-fixture.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { testRedisUrl } from '../../setup/services.js';
import { fixtureRecipientsDelivering } from '../../helpers/recipients-dir.js';
import { runCli } from '../cli/run-cli.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/**
 * Deletes persons from the records store outright, with every row that refers to them (found from the
 * foreign keys, so a new child table needs no change here): a source that silently lost them.
 */
async function deletePersons(db: Kysely<unknown>, ids: readonly string[]): Promise<void> {
  const { rows: references } = await sql<{ table: string; column: string }>`
    select c.conrelid::regclass::text as table, a.attname as column
    from pg_constraint c
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
    where c.contype = 'f' and c.confrelid = 'records.person'::regclass`.execute(db);
  await db.transaction().execute(async (trx) => {
    for (const { table, column } of references) {
      await sql`delete from ${sql.table(table)} where ${sql.ref(column)} in (${sql.join(ids)})`.execute(trx);
    }
    await sql`delete from records.person where id in (${sql.join(ids)})`.execute(trx);
  });
}

/** `count` pupils with an open enrolment at the school with organisation number `org`. */
async function pupilsAt(db: Kysely<unknown>, org: string, count: number): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    select e.person_id::text as id from records.pupil_enrolment e
    join records.school s on s.id = e.school_id
    where s.organization_number = ${org} and e.ends is null
    order by e.person_id limit ${count}`.execute(db);
  if (rows.length < count) throw new Error(`only ${rows.length} pupils at ${org}`);
  return rows.map((row) => row.id);
}

/** What a stopped run must leave untouched: the drop, the delivered state and the register. */
async function deliveredEvidence(ctx: HubContext & { dropDir: string }) {
  const files = readdirSync(ctx.dropDir, { recursive: true }).map(String).sort();
  const { rows } = await sql<{ state: string; objects: string; disclosures: string }>`
    select
      (select coalesce(string_agg(recipient_id || ':' || transfer_id, ',' order by recipient_id), '')
         from hub.recipient_state) as state,
      (select md5(coalesce(string_agg(recipient_id || object_key || hash, ',' order by recipient_id, object_type, object_key), ''))
         from hub.delivered_object) as objects,
      (select count(*)::text from hub.disclosure) as disclosures`.execute(ctx.db);
  return { files, ...rows[0] };
}

describe('the source sanity guard, on real PostgreSQL', () => {
  let database: TestDatabase;
  let ctx: HubContext & { dropDir: string };
  let schoolCounts: Record<string, SchoolCounts>;
  let totalPersons: number;
  /** The two schools the test takes persons from, by organisation number. */
  let hit: { org: string; persons: number };
  let grazed: { org: string; persons: number };

  async function run(request: Partial<RunRequest> = {}): Promise<string> {
    const runId = await startRun(ctx, {
      recipientIds: ['lms'],
      trigger: 'operator',
      feedType: 'delta',
      ...request,
    });
    await runInProcess(ctx, runId);
    return runId;
  }

  beforeAll(async () => {
    database = await createTestDatabase({ seeded: 'mini' });
    // The recipient's own safety valve is another test's business: here it lets every delta through.
    const safety = { maxDeletePercent: 100, maxChangePercent: 100 };
    ctx = hubContext(database.db, {
      recipients: (dir) => [recipient('lms', 'lms', join(dir, 'lms'), { feed: { safety } })],
    });
  }, 180_000);
  afterAll(async () => {
    database.pool.on('error', () => undefined);
    await database.destroy();
  });

  it('lets the first run through (nothing to compare with) and keeps its counts per school', async () => {
    const runId = await run({ feedType: 'full' });
    const row = await findRun(ctx.db, runId);
    expect(row).toMatchObject({ status: 'completed', sourceCheck: 'passed', sourceDrop: null });
    schoolCounts = row?.schoolCounts as Record<string, SchoolCounts>;
    totalPersons = row?.persons ?? 0;
    const schools = Object.values(schoolCounts).sort((a, b) => b.persons - a.persons);
    expect(schools).toHaveLength(5);
    for (const school of schools) {
      expect(school.label).toMatch(/^\d{9}$/);
      expect(school.persons).toBeGreaterThan(0);
      expect(school.memberships).toBeGreaterThan(school.persons);
    }
    const [second, smallest] = schools.slice(-2);
    hit = { org: second!.label, persons: second!.persons };
    grazed = { org: smallest!.label, persons: smallest!.persons };
  }, 180_000);

  it('lets a drop under the limits through, and that snapshot is the next baseline', async () => {
    const removed = Math.ceil(grazed.persons * 0.05);
    await deletePersons(database.db, await pupilsAt(database.db, grazed.org, removed));
    const runId = await run();
    expect(await findRun(ctx.db, runId)).toMatchObject({ status: 'completed', sourceCheck: 'passed' });
    const [transfer] = await listRunTransfers(ctx.db, runId);
    expect(transfer?.status).toBe('delivered');
  }, 180_000);

  it('stops the run when one school loses more than its limit, before any feed: no file, no state, no spool', async () => {
    const before = await deliveredEvidence(ctx);
    const removed = Math.ceil(hit.persons * 0.3);
    expect(removed / totalPersons).toBeLessThan(0.1);
    await deletePersons(database.db, await pupilsAt(database.db, hit.org, removed));

    const runId = await run();
    const row = await findRun(ctx.db, runId);
    expect(row?.status).toBe('failed');
    expect(row?.sourceCheck).toBe('stopped');
    const error = row?.error ?? '';
    expect(error).toMatch(
      /^snapshot failed: PIFU_SOURCE_DROP: the source's snapshot shrank since the last good one/,
    );
    expect(error).toContain(`school ${hit.org} persons ${hit.persons} → ${hit.persons - removed} (−`);
    expect(error).not.toMatch(/(^|; )persons \d+ →/); // the whole stayed under its 10 %
    expect(error).toContain('pifu-hub export … --accept-source-drop --reason TEXT');
    expect(error).not.toContain('\n');
    expect(error).toContain(row?.sourceDrop ?? 'missing');

    const transfers = await listRunTransfers(ctx.db, runId);
    expect(transfers.map((transfer) => [transfer.status, transfer.location])).toEqual([['failed', null]]);
    // The run's error is the transfer's, followed by the recipients it did not reach.
    expect(error).toBe(`${transfers[0]?.error ?? ''}; not delivered to lms`);
    expect(await deliveredEvidence(ctx)).toEqual(before);
    expect(existsSync(runSpoolPaths(ctx.spoolDir, runId).rosterDir)).toBe(false);
  }, 180_000);

  it('stops the same snapshot on the queue path too: the snapshot job fails without a retry', async () => {
    const before = await deliveredEvidence(ctx);
    const connection = { redisUrl: testRedisUrl(), prefix: `test-${randomUUID()}` };
    const workers = startWorkers(ctx, connection);
    try {
      const runId = await startRun(ctx, { recipientIds: ['lms'], trigger: 'schedule', feedType: 'delta' });
      await expect(enqueueRun(connection, runId, { wait: true })).rejects.toThrow(/PIFU_SOURCE_DROP/);
      const row = await findRun(ctx.db, runId);
      expect(row).toMatchObject({ status: 'failed', sourceCheck: 'stopped' });
      expect(row?.error).toContain(`school ${hit.org} persons ${hit.persons} →`);
      const [transfer] = await listRunTransfers(ctx.db, runId);
      expect(transfer).toMatchObject({ status: 'failed', attempts: 0 });
      expect(existsSync(runSpoolPaths(ctx.spoolDir, runId).rosterDir)).toBe(false);
    } finally {
      await workers.close();
    }
    expect(await deliveredEvidence(ctx)).toEqual(before);
  }, 180_000);

  it('lets the drop through once an operator accepts it with a reason; it is the new baseline', async () => {
    await expect(run({ acceptSourceDrop: { reason: '  ' } })).rejects.toMatchObject({
      code: 'PIFU_USAGE_INVALID',
    });
    const accepted = await run({
      acceptSourceDrop: { reason: 'pupils moved to a new school, case 2026/114' },
    });
    const row = await findRun(ctx.db, accepted);
    expect(row).toMatchObject({
      status: 'completed',
      sourceCheck: 'accepted',
      acceptSourceDropReason: 'pupils moved to a new school, case 2026/114',
    });
    expect(row?.sourceDrop).toContain(`school ${hit.org} persons ${hit.persons} →`);
    const [transfer] = await listRunTransfers(ctx.db, accepted);
    expect(transfer?.status).toBe('delivered');

    // A full, so the run takes a snapshot (a delta with nothing to send reads none) for the guard to see.
    const next = await run({ feedType: 'full' });
    expect(await findRun(ctx.db, next)).toMatchObject({ status: 'completed', sourceCheck: 'passed' });
  }, 180_000);

  it('export says so on the command line, wants a reason with --accept-source-drop, and run show tells', async () => {
    const dataDir = scratchDir('pifu-guard-cli-');
    const env = {
      DATABASE_URL: database.url,
      PIFU_HUB_DATA_DIR: dataDir,
      PIFU_HUB_SPOOL_DIR: join(dataDir, 'spool'),
      PIFU_HUB_RECIPIENTS_DIR: fixtureRecipientsDelivering(join(dataDir, 'out')),
      REDIS_URL: testRedisUrl(),
      PIFU_HUB_QUEUE_PREFIX: `test-${randomUUID()}`,
      LOG_LEVEL: 'silent',
      // Any lost pupil now stops the run: the per-school limit comes from the environment.
      PIFU_HUB_SOURCE_MAX_SCHOOL_DROP_PERCENT: '0',
      PIFU_HUB_SOURCE_MIN_DROP: '1',
    };
    const [pupil] = await pupilsAt(database.db, grazed.org, 1);
    await deletePersons(database.db, [pupil!]);
    const out = join(dataDir, 'out');

    const refused = await runCli(['export', '--recipient', 'websak', '--accept-source-drop'], env);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(
      'PIFU_USAGE_INVALID: --accept-source-drop and --reason TEXT go together',
    );

    const stopped = await runCli(['export', '--recipient', 'websak'], env);
    expect(stopped.exitCode).toBe(1);
    expect(stopped.stderr).toMatch(
      new RegExp(`PIFU_SOURCE_DROP: .*school ${grazed.org} persons \\d+ → \\d+`),
    );
    expect(existsSync(join(out, 'websak'))).toBe(false);

    const passed = await runCli(
      ['export', '--recipient', 'websak', '--accept-source-drop', '--reason', 'pupil left'],
      env,
    );
    expect(passed.exitCode).toBe(0);
    const runId = /run (run-\S+) completed/.exec(passed.stdout)![1]!;
    const shown = await runCli(['run', 'show', runId], env);
    expect(shown.stdout).toMatch(
      new RegExp(`^source +accepted: school ${grazed.org} persons \\d+ → \\d+`, 'm'),
    );
    expect(shown.stdout).toMatch(/^drop reason +pupil left$/m);
    const json = JSON.parse((await runCli(['run', 'show', runId, '--json'], env)).stdout) as Record<
      string,
      unknown
    >;
    expect(json).toMatchObject({ sourceCheck: 'accepted', acceptSourceDrop: { reason: 'pupil left' } });
  }, 180_000);
});

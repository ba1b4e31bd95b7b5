import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { runInProcess } from '../../../jobs/in-process-runner.js';
import { findRun, runSpoolPaths, startRun, takeSnapshot, type HubContext } from '../../../src/run/index.js';
import { writeRosterSpool } from '../../../src/spool/index.js';
import { hubContext, recipient, seededDatabase } from '../../helpers/hub-fixture.js';
import { commitRecordsChange } from '../../helpers/records-change.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const frameFiles = ['persons.frames', 'groups.frames', 'memberships.frames'];

/**
 * A run's snapshot from the change log (src/spool/incremental-spool.ts) as runs take it: the latest
 * run's spool is kept where it was written, as the base (src/run/kept-spools.ts), the next run reads only what changed since, and without a base it
 * reads the snapshot whole.
 */
describe('a run snapshot that starts from the last one', () => {
  const database = seededDatabase('mini');
  let ctx: HubContext;
  beforeAll(() => {
    ctx = hubContext(database.db, { recipients: (dir) => [recipient('lms', 'lms', join(dir, 'lms'))] });
  });

  const run = (feedType: 'full' | 'delta') =>
    startRun(ctx, { recipientIds: ['lms'], trigger: 'operator', feedType });
  const baseOf = (runId: string) => runSpoolPaths(ctx.spoolDir, runId).rosterDir;

  /** Commits one change to an enrolled pupil, dated a second after the store's latest. */
  async function changeOnePupil(): Promise<void> {
    await commitRecordsChange(database.db, async (trx) => {
      await sql`update records.person set family_name = family_name || 'x'
        where id = (select p.id from records.person p
          join records.pupil_enrolment e on e.person_id = p.id and e.ends is null
          where p.status = 'active' order by p.id limit 1)`.execute(trx);
    });
  }

  it('keeps the latest run spool as the base and reads only the changed persons into the next', async () => {
    const first = await run('full');
    expect((await takeSnapshot(ctx, first)).incremental).toBeUndefined();
    await runInProcess(ctx, first);
    expect(existsSync(join(baseOf(first), 'manifest.json'))).toBe(true);
    expect((await findRun(ctx.db, first))?.spoolPath).toBe(baseOf(first));

    await changeOnePupil();
    const second = await run('delta');
    const counts = await takeSnapshot(ctx, second);
    expect(counts.incremental).toEqual({ persons: 1 });
    const { rosterDir } = runSpoolPaths(ctx.spoolDir, second);
    const manifest = JSON.parse(readFileSync(join(rosterDir, 'manifest.json'), 'utf8')) as object;
    expect(manifest).toMatchObject({ incremental: { sinceRunId: first, persons: 1 } });
    // Nothing changed since: a full read now is the same snapshot's, byte for byte.
    const full = join(scratchDir('pifu-full-'), 'roster');
    const snapshot = await ctx.source.openSnapshot();
    await writeRosterSpool(snapshot, full).finally(() => snapshot.close());
    for (const file of frameFiles)
      expect(readFileSync(join(rosterDir, file)).equals(readFileSync(join(full, file)))).toBe(true);

    // The retried step reuses the complete spool; the run's end makes it the base and drops the first.
    const outcome = await runInProcess(ctx, second);
    expect(outcome).toMatchObject({ status: 'completed', delivered: 1 });
    expect(existsSync(baseOf(second))).toBe(true);
    expect(existsSync(baseOf(first))).toBe(false);
  }, 120_000);

  it('reads the snapshot whole when retention removed the base', async () => {
    const [latest] = (
      await sql<{ id: string }>`select id from hub.run order by created_at desc limit 1`.execute(ctx.db)
    ).rows;
    await rm(baseOf(latest?.id ?? ''), { recursive: true, force: true });
    await changeOnePupil();
    const runId = await run('delta');
    expect((await takeSnapshot(ctx, runId)).incremental).toBeUndefined();
    await runInProcess(ctx, runId);
  }, 120_000);
});

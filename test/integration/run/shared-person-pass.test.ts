import { readFileSync } from 'node:fs';
import { runInProcess } from '../../../jobs/in-process-runner.js';
import { writeRecipientFeed } from '../../../src/feed/index.js';
import type { Group } from '../../../src/model/index.js';
import { runIds, runSpoolPaths, startRun, takeSnapshot, type HubContext } from '../../../src/run/index.js';
import { openRosterSpool } from '../../../src/spool/index.js';
import { listRunTransfers } from '../../../src/transfer/index.js';
import { captureLogger, hubContext, recipient, seededDatabase } from '../../helpers/hub-fixture.js';

/** One full run of `recipientIds`: each one's feed bytes. */
async function fullRun(ctx: HubContext, recipientIds: string[]): Promise<Map<string, string>> {
  const runId = await startRun(ctx, { recipientIds, trigger: 'operator', feedType: 'full' });
  const outcome = await runInProcess(ctx, runId);
  expect(outcome).toMatchObject({ status: 'completed', delivered: recipientIds.length });
  const feeds = new Map<string, string>();
  for (const transfer of await listRunTransfers(ctx.db, runId))
    feeds.set(transfer.recipientId, readFileSync(transfer.location ?? '', 'utf8'));
  return feeds;
}

/** What each recipient's `feed written` line says of its pass over the persons, in the order written. */
function personPasses(lines: readonly string[]): [string, unknown][] {
  const passes: [string, unknown][] = [];
  for (const line of lines) {
    const entry = JSON.parse(line) as { msg?: string; recipientId?: string; personPass?: unknown };
    if (entry.msg === 'feed written' && entry.recipientId !== undefined)
      passes.push([entry.recipientId, entry.personPass]);
  }
  return passes;
}

/**
 * Recipients of one run whose profiles see the same persons in the same roles share one pass over
 * the persons (issue 14): the first leaves it for the second, written right after it (a recipient of
 * another scope between them by id comes after both, so the pass is never held through its feed), and
 * the second's feed is byte for byte the feed it gets alone.
 */
describe('a run’s recipients with the same person scope', () => {
  const database = seededDatabase('tiny');

  it('make the pass over the persons once between them, and get the feeds they get alone', async () => {
    const captured = captureLogger('info');
    const recipients = (dir: string) => [
      recipient('directory', 'directory', dir),
      recipient('learning', 'lms', dir),
      // Sends less of each person than directory, to the same persons.
      recipient('portal', 'directory', dir, {
        profile: { fields: ['name'], staffFields: ['name'], idTypes: ['sisID'], staffIdTypes: ['sisID'] },
      }),
    ];
    const shared = {
      ...hubContext(database.db, { recipients, logger: captured.logger }),
      scopeClock: 'source' as const,
    };
    const together = await fullRun(shared, ['directory', 'learning', 'portal']);
    expect(personPasses(captured.lines)).toEqual([
      ['directory', 'kept'],
      ['portal', 'taken'],
      ['learning', 'own'],
    ]);

    const aloneLog = captureLogger('info');
    const alone = {
      ...hubContext(database.db, { recipients, logger: aloneLog.logger }),
      scopeClock: 'source' as const,
    };
    const feeds = await fullRun(alone, ['portal']);
    expect(personPasses(aloneLog.lines)).toEqual([['portal', 'own']]);
    const sharedFeed = together.get('portal') ?? '';
    expect(sharedFeed).toContain('<person');
    expect(sharedFeed).toBe(feeds.get('portal'));
  }, 120_000);

  it('make it once when their feeds are written at the same time, as a worker takes two jobs', async () => {
    const captured = captureLogger('info');
    const ctx = {
      ...hubContext(database.db, {
        recipients: (dir) => [
          recipient('directory', 'directory', dir),
          recipient('portal', 'directory', dir, { profile: { fields: ['name'], staffFields: ['name'] } }),
        ],
        logger: captured.logger,
      }),
      scopeClock: 'source' as const,
    };
    const runId = await startRun(ctx, {
      recipientIds: ['directory', 'portal'],
      trigger: 'operator',
      feedType: 'full',
    });
    await takeSnapshot(ctx, runId);
    const ids = runIds(runId);
    await Promise.all(['directory', 'portal'].map((id) => writeRecipientFeed(ctx, ids.feedId(id))));
    // Which one starts first is the database's doing; either way one makes it and the other takes it.
    const outcomes = personPasses(captured.lines).map(([, pass]) => pass);
    expect(outcomes.sort()).toEqual(['kept', 'taken']);
  }, 120_000);
});

/**
 * The run's groups are decoded once per process and shared by every view of the run (issue 14), and
 * let go once the run's last feed is written: not held through the deliveries and the next run's
 * snapshot until that run's groups replace them.
 */
describe('a run’s shared groups', () => {
  const database = seededDatabase('tiny');

  it('are the same decoded groups for every feed of the run, and let go after its last', async () => {
    const ctx = hubContext(database.db, {
      recipients: (dir) => [recipient('directory', 'directory', dir), recipient('learning', 'lms', dir)],
    });
    const runId = await startRun(ctx, {
      recipientIds: ['directory', 'learning'],
      trigger: 'operator',
      feedType: 'full',
    });
    await takeSnapshot(ctx, runId);
    const rosterDir = runSpoolPaths(ctx.spoolDir, runId).rosterDir;
    const firstGroup = async (): Promise<Group | undefined> => {
      for await (const group of (await openRosterSpool(rosterDir)).groups()) return group;
      return undefined;
    };
    const ids = runIds(runId);
    await writeRecipientFeed(ctx, ids.feedId('directory'));
    const shared = await firstGroup();
    expect(shared).toBeDefined();
    // A feed of the run is still to be written: its groups are kept.
    expect(await firstGroup()).toBe(shared);
    await writeRecipientFeed(ctx, ids.feedId('learning'));
    // None is left: a reader now decodes them afresh (equal, but not the objects kept before).
    const afresh = await firstGroup();
    expect(afresh).toEqual(shared);
    expect(afresh).not.toBe(shared);
  }, 120_000);
});

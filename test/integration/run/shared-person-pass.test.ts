import { readFileSync } from 'node:fs';
import { runInProcess } from '../../../jobs/in-process-runner.js';
import { startRun, type HubContext } from '../../../src/run/index.js';
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
});

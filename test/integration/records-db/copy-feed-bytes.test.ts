import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { createRecordsDbSource, type SourceDatabase } from '../../../connectors/sources/records-db/index.js';
import { runInProcess } from '../../../jobs/in-process-runner.js';
import { loadRecipientConfigs, type RecipientConfig } from '../../../src/config/index.js';
import { startRun, type HubContext } from '../../../src/run/index.js';
import { listRunTransfers } from '../../../src/transfer/index.js';
import { hubContext, seededDatabase } from '../../helpers/hub-fixture.js';

const shipped = loadRecipientConfigs(new URL('../../../fixtures/recipients', import.meta.url).pathname);

/** The bytes of every feed one full run delivers, by recipient. */
async function fullRun(ctx: HubContext): Promise<Map<string, string>> {
  const runId = await startRun(ctx, {
    recipientIds: [...ctx.recipients.keys()],
    trigger: 'operator',
    feedType: 'full',
  });
  const outcome = await runInProcess(ctx, runId);
  expect(outcome.failed).toBe(0);
  const feeds = new Map<string, string>();
  for (const transfer of await listRunTransfers(ctx.db, runId))
    feeds.set(transfer.recipientId, readFileSync(transfer.location ?? '', 'utf8'));
  return feeds;
}

describe('reading the records store by COPY instead of keyset pages', () => {
  const database = seededDatabase('tiny');

  it('leaves the feed bytes of every shipped recipient unchanged', async () => {
    const recipients = (dir: string): RecipientConfig[] =>
      shipped.map((config) => ({
        ...config,
        transport: { kind: 'file-drop', directory: join(dir, config.id) },
      }));
    const byCopy = hubContext(database.db, { recipients });
    const byPages: HubContext = {
      ...hubContext(database.db, { recipients }),
      source: createRecordsDbSource(database.db as Kysely<SourceDatabase>, { source: 'pifu-hub' }),
    };
    const paged = await fullRun(byPages);
    const copied = await fullRun(byCopy);
    expect([...copied.keys()].sort()).toEqual(shipped.map((config) => config.id).sort());
    expect([...paged.values()].filter((feed) => feed.includes('<person>')).length).toBeGreaterThan(10);
    for (const [id, feed] of paged) expect({ id, same: copied.get(id) === feed }).toEqual({ id, same: true });
  }, 180_000);
});

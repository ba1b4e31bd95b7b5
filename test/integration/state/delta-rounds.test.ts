import { readFileSync } from 'node:fs';
import { mutateMunicipality } from '../../../fixtures/generator/index.js';
import { runInProcess } from '../../../jobs/in-process-runner.js';
import { loadRecipientConfigs, type RecipientConfig } from '../../../src/config/index.js';
import { writePreviewFeeds } from '../../../src/operations/index.js';
import { startRun } from '../../../src/run/index.js';
import { listRunTransfers } from '../../../src/transfer/index.js';
import { hubContext, operationContext, testActor } from '../../helpers/hub-fixture.js';
import { applyFeed, expectSameHolding, type RecipientHolding } from '../../helpers/recipient-holding.js';
import { shippedRecipients } from '../../helpers/recipients-dir.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const shipped = loadRecipientConfigs(new URL('../../../fixtures/recipients', import.meta.url).pathname);
const rounds = 5;

const nextDay = (day: string): string =>
  new Date(Date.parse(`${day}T08:00:00Z`) + 86_400_000).toISOString().replace(/\.000Z$/, 'Z');

/**
 * Deltas reconcile over many rounds at `small` scale (issue 14): every shipped recipient gets a full,
 * then five deltas, each after 1 % of the municipality changed (every mutation category: moves, leavers,
 * new pupils, name and contact changes, guardian changes, …). After each round, what the recipient holds —
 * the full with every delta applied by the PIFU rules, as its system applies them — equals, object by
 * object, the full feed it would get from the same source now.
 */
describe(`${rounds} rounds of 1 % change at small scale: previous + delta = full, for every shipped recipient`, () => {
  let database: TestDatabase;
  let ctx: ReturnType<typeof hubContext>;
  const holdings = new Map<string, RecipientHolding>();

  async function exportRun(
    feedType: 'full' | 'delta',
  ): Promise<Map<string, { status: string; xml?: string }>> {
    const runId = await startRun(ctx, {
      recipientIds: [...ctx.recipients.keys()],
      trigger: 'operator',
      feedType,
    });
    const outcome = await runInProcess(ctx, runId);
    expect(outcome.failed).toBe(0);
    const delivered = new Map<string, { status: string; xml?: string }>();
    for (const transfer of await listRunTransfers(ctx.db, runId)) {
      delivered.set(transfer.recipientId, {
        status: transfer.status,
        ...(transfer.status === 'delivered' ? { xml: readFileSync(transfer.location ?? '', 'utf8') } : {}),
      });
    }
    return delivered;
  }

  beforeAll(async () => {
    database = await createTestDatabase({ seeded: 'small' });
    ctx = hubContext(database.db, {
      recipients: (dir) =>
        shippedRecipients(dir).map((config): RecipientConfig => ({
          ...config,
          // The rounds are about reconciliation; a 1 % change set must not wait for an operator.
          feed: { ...config.feed, safety: { maxDeletePercent: 100, maxChangePercent: 100 } },
        })),
    });
    for (const [id, { xml }] of await exportRun('full')) {
      if (xml === undefined) throw new Error(`${id}: the first full was not delivered`);
      holdings.set(id, await applyFeed(undefined, xml));
    }
  }, 300_000);
  afterAll(async () => {
    await database.destroy();
  });

  it('holds after every round', async () => {
    let asOf: string | undefined;
    const changedRecipients = new Set<string>();
    for (let round = 1; round <= rounds; round++) {
      const report = await mutateMunicipality(database.db, {
        percent: 1,
        seed: 1000 + round,
        ...(asOf === undefined ? {} : { asOf }),
      });
      expect(report.total).toBeGreaterThan(50);
      asOf = nextDay(report.asOf);
      for (const [id, { status, xml }] of await exportRun('delta')) {
        // Nothing held or failed: each recipient got its delta, or had nothing to get.
        expect([id, ['delivered', 'skipped'].includes(status)]).toEqual([id, true]);
        if (xml === undefined) continue;
        changedRecipients.add(id);
        holdings.set(id, await applyFeed(holdings.get(id), xml));
      }
      const outDir = scratchDir(`pifu-rounds-${round}-`);
      const fulls = await writePreviewFeeds(operationContext(ctx), testActor(), {
        all: true,
        feedType: 'full',
        outDir,
      });
      expect(fulls).toHaveLength(shipped.length);
      for (const full of fulls) {
        const fresh = await applyFeed(undefined, readFileSync(full.filePath, 'utf8'));
        const held = holdings.get(full.recipient);
        if (held === undefined) throw new Error(`${full.recipient}: holds nothing`);
        try {
          expectSameHolding(held, fresh);
        } catch (error) {
          throw new Error(`${full.recipient}, round ${round}: ${(error as Error).message}`, {
            cause: error,
          });
        }
      }
    }
    // Every recipient sent persons saw changes in some round, so no comparison was between two empty
    // deltas; the ones sent the school structure only (no population) saw none, as no school changed.
    const sentPersons = [...ctx.recipients.values()]
      .filter((config) => config.resolvedProfile.populations.length > 0)
      .map((config) => config.id);
    expect(sentPersons.length).toBeGreaterThanOrEqual(12);
    expect([...changedRecipients].sort()).toEqual(sentPersons.sort());
  }, 900_000);
});

import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { createTransport } from '../../../connectors/transports/registry.js';
import type { HubDatabase } from '../../../src/db/index.js';
import { writeRecipientFeed } from '../../../src/feed/index.js';
import type { DeliveryReceipt, TransportFactory } from '../../../src/ports/index.js';
import { runIds, startRun, takeSnapshot } from '../../../src/run/index.js';
import { deliverTransfer, findTransfer } from '../../../src/transfer/index.js';
import { hubContext, recipient, seededDatabase } from '../../helpers/hub-fixture.js';
import { carriedByTransfer } from '../../helpers/register-carried.js';

/** What the acknowledgement committed for a transfer, as another connection sees it. */
async function committed(db: Kysely<HubDatabase>, transferId: string) {
  const { rows } = await sql<{ disclosures: number; spans: number; objects: number; states: number }>`
    SELECT
      (SELECT count(*)::int FROM (${carriedByTransfer(transferId)}) carried) AS disclosures,
      (SELECT count(*)::int FROM hub.disclosure_span WHERE opened_by = ${transferId}) AS spans,
      (SELECT count(*)::int FROM hub.delivered_object WHERE transfer_id = ${transferId}) AS objects,
      (SELECT count(*)::int FROM hub.recipient_state WHERE transfer_id = ${transferId}) AS states`.execute(
    db,
  );
  return rows[0]!;
}

/**
 * The acknowledgement is written while the transport sends (deliverTransfer): nothing of it may be
 * visible, let alone committed, before the transport's receipt, and a transport that fails after the
 * manifests went in leaves nothing delivered (docs/requirements.md#d2).
 */
describe('an acknowledgement written beside its transport', () => {
  const database = seededDatabase('tiny');

  async function gatedDelivery(outcome: 'fails' | 'succeeds') {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let called!: () => void;
    const transportCalled = new Promise<void>((resolve) => (called = resolve));
    const transportFor: TransportFactory = (config, recipientId) => {
      const real = createTransport(config, recipientId);
      return {
        kind: real.kind,
        deliver: async (feed, options): Promise<DeliveryReceipt> => {
          called();
          await gate;
          if (outcome === 'fails') throw new Error('the recipient hung up');
          return real.deliver(feed, options);
        },
      };
    };
    const ctx = hubContext(database.db, {
      recipients: (dir) => [recipient('itslearning', 'lms', join(dir, 'lms'))],
      transportFor,
    });
    const runId = await startRun(ctx, {
      recipientIds: ['itslearning'],
      trigger: 'operator',
      feedType: 'full',
    });
    await takeSnapshot(ctx, runId);
    await writeRecipientFeed(ctx, runIds(runId).feedId('itslearning'));
    const transferId = runIds(runId).transferId('itslearning');
    const delivering = deliverTransfer(ctx, transferId);
    delivering.catch(() => undefined);
    await transportCalled;
    // Long enough for the acknowledgement to write a tiny municipality's manifests and wait.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const whileSending = await committed(ctx.db, transferId);
    const statusWhileSending = (await findTransfer(ctx.db, transferId))?.status;
    release();
    return { ctx, transferId, delivering, whileSending, statusWhileSending };
  }

  it('commits nothing before the receipt, and nothing at all when the transport fails', async () => {
    const { ctx, transferId, delivering, whileSending, statusWhileSending } = await gatedDelivery('fails');
    expect(whileSending).toEqual({ disclosures: 0, spans: 0, objects: 0, states: 0 });
    expect(statusWhileSending).toBe('pending');
    await expect(delivering).rejects.toThrow('the recipient hung up');
    expect(await committed(ctx.db, transferId)).toEqual({ disclosures: 0, spans: 0, objects: 0, states: 0 });
    expect((await findTransfer(ctx.db, transferId))?.status).toBe('pending');
  }, 60_000);

  it('commits everything once the transport succeeded', async () => {
    const { ctx, transferId, delivering, whileSending } = await gatedDelivery('succeeds');
    expect(whileSending).toEqual({ disclosures: 0, spans: 0, objects: 0, states: 0 });
    const outcome = await delivering;
    expect(outcome.alreadyDelivered).toBe(false);
    const after = await committed(ctx.db, transferId);
    expect(after.disclosures).toBeGreaterThan(0);
    expect(after.spans).toBe(after.disclosures);
    expect(after.objects).toBeGreaterThan(0);
    expect(after.states).toBe(1);
    expect((await findTransfer(ctx.db, transferId))?.status).toBe('delivered');
  }, 60_000);
});

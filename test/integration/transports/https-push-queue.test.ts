import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { enqueueRun, startWorkers } from '../../../jobs/workers.js';
import { startRun } from '../../../src/run/index.js';
import { listRunTransfers } from '../../../src/transfer/index.js';
import { captureLogger, hubContext, recipient } from '../../helpers/hub-fixture.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { testRedisUrl } from '../../setup/services.js';
import { makeTestPki, startRecipient, type Recipient, type TestPki } from './https-fixture.js';
import { carriedByTransfer } from '../../helpers/register-carried.js';

const token = `tok-${randomUUID()}`;
const tokenVariable = 'PIFU_TEST_HTTPS_QUEUE_TOKEN';

describe('https-push through the BullMQ queues, retried by the queue', () => {
  let database: TestDatabase;
  let pki: TestPki;
  let server: Recipient;

  beforeAll(async () => {
    database = await createTestDatabase({ seeded: 'tiny' });
    pki = makeTestPki();
    server = await startRecipient(pki);
    process.env[tokenVariable] = token;
  });
  afterAll(async () => {
    delete process.env[tokenVariable];
    await server.close();
    await database.destroy();
  });
  beforeEach(() => {
    server.requests.length = 0;
  });

  /** One lms recipient pushing to the test server, run through real workers; returns its transfer. */
  async function runOnce(id: string, attempts: number) {
    const { logger, lines } = captureLogger();
    const ctx = hubContext(database.db, {
      logger,
      recipients: (dir) => [
        recipient(id, 'lms', dir, {
          transport: {
            kind: 'https-push',
            url: server.url,
            ca: { file: pki.caCert },
            bearerToken: { env: tokenVariable },
            // Generous: under a loaded CI runner a TLS handshake and upload may take seconds, and a timeout
            // would be one more (retryable) attempt than the two 500s this test counts.
            timeoutSeconds: 30,
          },
          delivery: { attempts, backoffSeconds: 0.2 },
        }),
      ],
    });
    const connection = { redisUrl: testRedisUrl(), prefix: `test-${randomUUID()}` };
    const workers = startWorkers(ctx, connection);
    try {
      const runId = await startRun(ctx, { recipientIds: [id], trigger: 'operator', feedType: 'full' });
      await enqueueRun(connection, runId, { wait: true });
      const [transfer] = await listRunTransfers(ctx.db, runId);
      return { transfer: transfer!, lines };
    } finally {
      await workers.close();
    }
  }

  it('delivers on attempt 3 after two 500s, with the same Idempotency-Key every time', async () => {
    server.respond = (_request, index) =>
      index < 2 ? { status: 500, body: 'database restarting' } : { status: 200 };
    const { transfer, lines } = await runOnce('lms-flaky', 5);

    expect([transfer.status, transfer.attempts]).toEqual(['delivered', 3]);
    expect(transfer.location).toBe(server.url);
    expect(server.requests.map((request) => request.headers['idempotency-key'])).toEqual([
      transfer.id,
      transfer.id,
      transfer.id,
    ]);
    expect(new Set(server.requests.map((request) => request.bodySha256Hex))).toEqual(
      new Set([transfer.sha256Hex]),
    );
    expect(server.requests.every((request) => request.headers.authorization === `Bearer ${token}`)).toBe(
      true,
    );
    const { rows } = await sql<{ n: string }>`
      SELECT count(*) AS n FROM (${carriedByTransfer(transfer.id)}) c`.execute(database.db);
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toContain(token);
  });

  it('fails the transfer when the recipient stays down: error recorded, nothing disclosed, no delivered state', async () => {
    server.respond = () => ({ status: 500, body: `down for maintenance (token ${token})` });
    const { transfer, lines } = await runOnce('lms-down', 2);

    expect([transfer.status, transfer.attempts]).toEqual(['failed', 2]);
    expect(transfer.error).toMatch(
      /^PIFU_TRANSPORT_FAILED: https push for lms-down to https:\/\/127\.0\.0\.1:\d+\/pifu\/inbound: answered 500: "down for maintenance \(token \[redacted\]\)"$/,
    );
    expect(server.requests).toHaveLength(2);
    const disclosures = await sql<{ n: string }>`
      SELECT count(*) AS n FROM (${carriedByTransfer(transfer.id)}) c`.execute(database.db);
    expect(Number(disclosures.rows[0]!.n)).toBe(0);
    const delivered = await sql<{ n: string }>`
      SELECT count(*) AS n FROM hub.delivered_object WHERE recipient_id = 'lms-down'`.execute(database.db);
    expect(Number(delivered.rows[0]!.n)).toBe(0);
    expect(lines.some((line) => line.includes('PIFU_TRANSPORT_FAILED'))).toBe(true);
    for (const line of lines) expect(line).not.toContain(token);
  });
});

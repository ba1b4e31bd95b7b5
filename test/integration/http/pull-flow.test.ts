import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { sql } from 'kysely';
import { mutateMunicipality } from '../../../fixtures/generator/index.js';
import { bullmqQueueInspector, queueRunExecutor } from '../../../jobs/run-executors.js';
import type { OperationContext } from '../../../src/operations/index.js';
import { readFeed } from '../../../src/pifu/index.js';
import { hubContext, recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import { testRedisUrl } from '../../setup/services.js';
import { seededDatabase } from '../operations/operations-fixture.js';
import {
  auditSince,
  call,
  lastAuditId,
  makeTokens,
  startApi,
  type TestApi,
  type Tokens,
} from './api-fixture.js';

/**
 * A pull recipient end to end on real PostgreSQL and Redis: runs go through the BullMQ queues, the
 * recipient fetches over HTTP with its own token, and only its acknowledgement makes a feed delivered.
 */
describe('the pull flow on real PostgreSQL and Redis', () => {
  let database: TestDatabase;
  let ops: OperationContext;
  let api: TestApi;
  let tokens: Tokens;

  const transfer = async (id: string) =>
    (
      await sql<{
        status: string;
        error: string | null;
      }>`SELECT status, error FROM hub.transfer WHERE id = ${id}`.execute(database.db)
    ).rows[0];
  const counts = async () =>
    (
      await sql<{ disclosures: number; objects: number; state: string | null; updated: string | null }>`
        SELECT ((SELECT count(*) FROM hub.disclosure WHERE recipient_id = 'portal')
                + (SELECT count(*) FROM hub.disclosure_span WHERE recipient_id = 'portal'))::int AS disclosures,
               (SELECT count(*)::int FROM hub.delivered_object WHERE recipient_id = 'portal') AS objects,
               (SELECT transfer_id FROM hub.recipient_state WHERE recipient_id = 'portal') AS state,
               (SELECT updated_at::text FROM hub.recipient_state WHERE recipient_id = 'portal') AS updated`.execute(
        database.db,
      )
    ).rows[0]!;
  const pull = (path: string, headers: Record<string, string> = {}) =>
    call(api, 'GET', path, { token: tokens.pull['portal']!, headers });
  const ack = (transferId: string) =>
    call(api, 'POST', `/feeds/portal/${transferId}/ack`, { token: tokens.pull['portal']! });

  beforeAll(async () => {
    database = await seededDatabase();
    const ctx = hubContext(database.db, {
      recipients: (dir) => [
        recipient('portal', 'portal', join(dir, 'portal'), { transport: { kind: 'pull' } }),
        recipient('lms', 'lms', join(dir, 'lms')),
      ],
    });
    const connection = { redisUrl: testRedisUrl(), prefix: `test-${randomUUID()}` };
    ops = {
      ...ctx,
      executor: queueRunExecutor(ctx, async () => connection, { shared: false }),
      queues: bullmqQueueInspector(connection),
      stuckRuns: new Map(),
    };
    tokens = await makeTokens(ops, ['portal']);
    api = await startApi(ops);
  });
  afterAll(async () => {
    await api.close();
    await database.destroy();
  });

  it('offers, re-offers, defers, survives a crash, acknowledges once, and offers the next delta', async () => {
    // A full for both: the push recipient is delivered, the pull recipient's feed is only offered.
    const exported = await call(api, 'POST', '/exports', {
      token: tokens.operator,
      body: { recipients: ['portal', 'lms'], wait: true },
    });
    expect(exported.status).toBe(200);
    expect(exported.json()).toMatchObject({ status: 'completed' });
    const feeds = Object.fromEntries(
      exported.json().feeds.map((feed: { recipient: string }) => [feed.recipient, feed]),
    ) as Record<string, { transferId: string; status: string; sha256: string; persons: number }>;
    expect([feeds['lms']?.status, feeds['portal']?.status]).toEqual(['delivered', 'offered']);
    const first = feeds['portal']!;
    expect(await counts()).toEqual({ disclosures: 0, objects: 0, state: null, updated: null });

    // next: the feed, streamed, named by its sha-256.
    const next = await pull('/feeds/portal/next');
    expect(next.status).toBe(200);
    const sha256 = createHash('sha256').update(next.body, 'utf8').digest('hex');
    expect(sha256).toBe(first.sha256);
    expect(next.headers.get('etag')).toBe(`"${sha256}"`);
    expect(next.headers.get('content-digest')).toBe(
      `sha-256=:${Buffer.from(sha256, 'hex').toString('base64')}:`,
    );
    expect(next.headers.get('content-location')).toBe(`/feeds/portal/${first.transferId}`);
    expect(next.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    const document = await readFeed(next.body);
    let persons = 0;
    for await (const _ of document.persons()) persons += 1;
    expect(persons).toBe(first.persons);

    // The same again with If-None-Match: 304, no body; by its transfer id too.
    const etag = next.headers.get('etag')!;
    const unchanged = await pull('/feeds/portal/next', { 'if-none-match': etag });
    expect([unchanged.status, unchanged.body, unchanged.headers.get('etag')]).toEqual([304, '', etag]);
    expect((await pull(`/feeds/portal/${first.transferId}`, { 'if-none-match': etag })).status).toBe(304);

    // A delta run while the full waits: deferred, and next still offers the full.
    await mutateMunicipality(database.db, { percent: 5, seed: 41 });
    const delta = await call(api, 'POST', '/exports', {
      token: tokens.operator,
      body: { recipients: ['portal'], feedType: 'delta', wait: true },
    });
    expect(delta.json()).toMatchObject({
      status: 'completed',
      feeds: [{ recipient: 'portal', status: 'deferred' }],
    });
    const deferred = delta.json().feeds[0].transferId as string;
    expect((await pull('/feeds/portal/next')).headers.get('content-location')).toBe(
      `/feeds/portal/${first.transferId}`,
    );

    // A crash between download and acknowledgement: the download is cut off, the server dies.
    await cutDownloadShort(api.url, tokens.pull['portal']!);
    await api.close();
    api = await startApi(ops);
    expect(await transfer(first.transferId)).toMatchObject({ status: 'offered' });
    const again = await pull('/feeds/portal/next');
    expect([again.status, again.headers.get('etag')]).toEqual([200, etag]);
    expect(await counts()).toMatchObject({ disclosures: 0, state: null });

    // The acknowledgement makes it delivered, in one transaction, and catches the deferred delta up.
    const before = await lastAuditId(database.db);
    const acknowledged = await ack(first.transferId);
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.json()).toMatchObject({
      acknowledged: true,
      feed: { transferId: first.transferId, status: 'delivered' },
      catchUp: { status: 'completed', feeds: [{ recipient: 'portal', status: 'offered', type: 'delta' }] },
    });
    const catchUp = acknowledged.json().catchUp.feeds[0].transferId as string;
    const afterAck = await counts();
    expect(afterAck).toMatchObject({ disclosures: first.persons, state: first.transferId });
    expect(afterAck.objects).toBeGreaterThan(0);
    expect(await transfer(first.transferId)).toMatchObject({ status: 'delivered' });
    expect(await transfer(deferred)).toEqual({
      status: 'skipped',
      error: expect.stringMatching(new RegExp(`^deferred behind ${first.transferId}; caught up by run-`)),
    });
    expect(await auditSince(database.db, before)).toEqual([
      {
        actor: 'token:pull-portal',
        action: 'pull-ack',
        outcome: 'done',
        subject: first.transferId,
        source: '127.0.0.1',
      },
    ]);

    // Two acknowledgements change nothing twice.
    const twice = await ack(first.transferId);
    expect([twice.status, twice.json().acknowledged]).toEqual([200, false]);
    expect(await counts()).toEqual(afterAck);

    // next now offers the delta, computed against what the recipient acknowledged.
    const deltaNext = await pull('/feeds/portal/next');
    expect(deltaNext.status).toBe(200);
    expect(deltaNext.headers.get('content-location')).toBe(`/feeds/portal/${catchUp}`);
    expect(deltaNext.headers.get('x-pifu-feed-type')).toBe('delta');
    const { rows } = await sql<{ based_on_transfer_id: string }>`SELECT f.based_on_transfer_id FROM hub.feed f
      JOIN hub.transfer t ON t.feed_id = f.id WHERE t.id = ${catchUp}`.execute(database.db);
    expect(rows).toEqual([{ based_on_transfer_id: first.transferId }]);
    expect((await ack(catchUp)).json()).toMatchObject({ acknowledged: true });
    expect((await counts()).state).toBe(catchUp);

    // Nothing waits now; the acknowledged feeds stay fetchable by id.
    expect((await pull('/feeds/portal/next')).status).toBe(204);
    expect((await pull(`/feeds/portal/${first.transferId}`)).status).toBe(200);
  });
});

/** Starts downloading the offered feed and hangs up after the first chunk, as a crashed client would. */
function cutDownloadShort(base: string, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}/feeds/portal/next`, {
      headers: { authorization: `Bearer ${token}` },
    });
    request.on('response', (response) => {
      response.once('data', () => {
        request.destroy();
        resolve();
      });
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET') resolve();
      else reject(error);
    });
    request.end();
  });
}

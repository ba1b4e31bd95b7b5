import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { queueNames } from '../../../src/queue/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { testRedisUrl } from '../../setup/services.js';
import {
  auditSince,
  call,
  lastAuditId,
  makeTokens,
  startApi,
  type TestApi,
  type Tokens,
} from '../http/api-fixture.js';
import { operationsOver } from '../operations/operations-fixture.js';
import { DashboardClient } from './dashboard-client.js';

describe('the queue board at /queues/ (bull-board): operator and up, read-only, offline', () => {
  let database: TestDatabase;
  let api: TestApi;
  let tokens: Tokens;
  let redis: Redis;
  let queues: Queue[];

  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
    const ops = operationsOver(database.db, () => []);
    tokens = await makeTokens(ops, []);
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const prefix = `board-${randomUUID()}`;
    queues = Object.values(queueNames).map((name) => new Queue(name, { connection: redis, prefix }));
    await queues[0]!.add('snapshot', { runId: 'run-board-test' }, { jobId: 'snapshot-run-board-test' });
    api = await startApi(ops, { boardQueues: queues });
  });
  afterAll(async () => {
    await api.close();
    for (const queue of queues) await queue.obliterate({ force: true });
    await Promise.all(queues.map((queue) => queue.close()));
    redis.disconnect();
    await database.destroy();
  });

  it('shows an operator the board, without a link to another origin', async () => {
    const client = new DashboardClient(api.url);
    await client.signIn(tokens.operator);
    const board = await client.get('/queues/');
    expect(board.status).toBe(200);
    expect(board.body).toContain('<base href="/queues/"');
    expect(board.body).not.toMatch(/https?:\/\//);
    const listed = await client.get('/queues/api/queues?activeQueue=run&status=waiting&page=1');
    expect(listed.status).toBe(200);
    const names = (JSON.parse(listed.body) as { queues: { name: string; readOnlyMode: boolean }[] }).queues;
    expect(names.map((queue) => queue.name).sort()).toEqual(Object.values(queueNames).sort());
    expect(names.every((queue) => queue.readOnlyMode)).toBe(true);
    // The JSON counts stay at /queues for API clients.
    const counts = await call(api, 'GET', '/queues', { token: tokens.operator });
    expect(counts.status).toBe(503); // this API has no QueueInspector: the board is wired apart from it
  });

  it('refuses to change jobs behind the hub’s back', async () => {
    const client = new DashboardClient(api.url);
    await client.signIn(tokens['config-admin']);
    const before = await queues[0]!.getJobCounts('waiting');
    const answer = await client.request('PUT', '/queues/api/queues/run/empty');
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(await queues[0]!.getJobCounts('waiting')).toEqual(before);
  });

  it('sends a visitor without a session to sign in, and refuses a viewer with 403, audited', async () => {
    const anonymous = new DashboardClient(api.url);
    expect((await anonymous.get('/queues/')).location).toBe('/sign-in');
    const viewer = new DashboardClient(api.url);
    await viewer.signIn(tokens.viewer);
    const before = await lastAuditId(database.db);
    const refused = await viewer.get('/queues/');
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).code).toBe('PIFU_FORBIDDEN');
    expect((await viewer.get('/queues/api/queues')).status).toBe(403);
    expect(await auditSince(database.db, before)).toEqual([
      expect.objectContaining({ actor: 'token:api-viewer', action: 'queue-board', outcome: 'denied' }),
      expect.objectContaining({ actor: 'token:api-viewer', action: 'queue-board', outcome: 'denied' }),
    ]);
    // A bearer token works too (an operator's script).
    expect((await call(api, 'GET', '/queues/api/queues', { token: tokens.operator })).status).toBe(200);
  });
});

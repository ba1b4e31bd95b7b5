import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import { operationsOver, seededDatabase } from '../operations/operations-fixture.js';
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
 * `POST /transfers/{transfer}/retry` on a transfer that really failed: the recipient's file drop sits
 * under a path that is a regular file, so the transport cannot make its directory; removing the file
 * repairs it (as test/integration/cli/operator-retry.test.ts does for the CLI).
 */
describe('POST /transfers/{transfer}/retry: a failed transfer delivered again over the API', () => {
  let database: TestDatabase;
  let api: TestApi;
  let tokens: Tokens;
  let share: string;

  beforeAll(async () => {
    database = await seededDatabase();
    const ops = operationsOver(database.db, (dir) => {
      share = join(dir, 'flaky-share');
      return [recipient('flaky', 'lms', join(share, 'drop'))];
    });
    tokens = await makeTokens(ops, []);
    api = await startApi(ops);
  });
  afterAll(async () => {
    await api.close();
    await database.destroy();
  });

  const status = async (transferId: string) =>
    (
      await sql<{ status: string; attempts: number }>`SELECT status, attempts FROM hub.transfer
        WHERE id = ${transferId}`.execute(database.db)
    ).rows[0];

  it('fails while the drop is broken, delivers once it is repaired, audited; then refuses a second retry', async () => {
    rmSync(share, { recursive: true, force: true });
    writeFileSync(share, 'not a directory');
    const exported = await call(api, 'POST', '/exports', {
      token: tokens.operator,
      body: { recipients: ['flaky'], reason: 'first delivery to a new recipient' },
    });
    expect(exported.status).toBe(200);
    const transferId = exported.json().feeds[0].transferId as string;
    expect(await status(transferId)).toEqual({ status: 'failed', attempts: 1 });

    const stillBroken = await call(api, 'POST', `/transfers/${transferId}/retry`, { token: tokens.operator });
    expect([stillBroken.status, stillBroken.json().code]).toEqual([502, 'PIFU_TRANSPORT_FAILED']);
    expect(stillBroken.body).not.toMatch(/\n\s+at /); // no stack trace
    expect(await status(transferId)).toEqual({ status: 'failed', attempts: 2 });

    rmSync(share, { force: true });
    mkdirSync(join(share, 'drop'), { recursive: true });
    const before = await lastAuditId(database.db);
    const retried = await call(api, 'POST', `/transfers/${transferId}/retry`, { token: tokens.operator });
    expect(retried.status).toBe(200);
    expect(await status(transferId)).toEqual({ status: 'delivered', attempts: 3 });
    expect(readdirSync(join(share, 'drop')).length).toBeGreaterThan(0);
    expect(await auditSince(database.db, before)).toEqual([
      expect.objectContaining({
        actor: 'token:api-operator',
        action: 'retry',
        outcome: 'done',
        subject: transferId,
        source: '127.0.0.1',
      }),
    ]);

    const again = await call(api, 'POST', `/transfers/${transferId}/retry`, { token: tokens.operator });
    expect([again.status, again.json().code]).toEqual([409, 'PIFU_RETRY_REFUSED']);
  });
});

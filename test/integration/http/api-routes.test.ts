import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { mutateMunicipality } from '../../../fixtures/generator/index.js';
import { failedSignIns } from '../../../jobs/http/failed-sign-ins.js';
import { bullmqQueueInspector } from '../../../jobs/run-executors.js';
import { createApiToken, revokeApiToken, type OperatorRole } from '../../../src/operations/index.js';
import { recipient, testActor } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import { testRedisUrl } from '../../setup/services.js';
import {
  activePupils,
  identityNumberOf,
  operationsOver,
  seededDatabase,
} from '../operations/operations-fixture.js';
import {
  auditSince,
  call,
  lastAuditId,
  makeTokens,
  startApi,
  type TestApi,
  type Tokens,
} from './api-fixture.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const roles: OperatorRole[] = ['viewer', 'operator', 'privacy-admin', 'config-admin'];
const validRecipient = {
  id: 'checked',
  name: 'Checked',
  kind: 'lms',
  purpose: 'Synthetic recipient for the API test',
  legalBasis: 'GDPR Art. 6(1)(e)',
  processing: { country: 'NO', dpaReference: 'TEST-DPA-2' },
  contact: { name: 'Test operator', email: 'drift@example.org' },
  transport: { kind: 'pull' },
};

interface OpenApiOperation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
}

describe('the HTTP API: every route, every role', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  let api: TestApi;
  let tokens: Tokens;
  let runId: string;
  let deliveredTransfer: string;
  const holds: string[] = [];
  let pupil: string;
  let pupilName: string;

  beforeAll(async () => {
    database = await seededDatabase();
    const guarded = { feed: { safety: { maxDeletePercent: 0, maxChangePercent: 0 } } };
    ops = operationsOver(database.db, (dir) => [
      recipient('lms', 'lms', join(dir, 'lms')),
      recipient('hr', 'staff', join(dir, 'hr')),
      recipient('guard-a', 'lms', join(dir, 'ga'), guarded),
      recipient('guard-b', 'lms', join(dir, 'gb'), guarded),
      recipient('portal', 'portal', join(dir, 'p'), { transport: { kind: 'pull' } }),
      recipient('ruter', 'transport', join(dir, 'r'), { transport: { kind: 'pull' } }),
    ]);
    tokens = await makeTokens(ops, ['portal', 'ruter']);
    api = await startApi(ops);
    const first = await call(api, 'POST', '/exports', { token: tokens.operator, body: { all: true } });
    expect(first.status).toBe(200);
    runId = first.json().runId;
    deliveredTransfer = first
      .json()
      .feeds.find((feed: { recipient: string }) => feed.recipient === 'lms').transferId;
    await mutateMunicipality(database.db, { percent: 5, seed: 31 });
    const delta = await call(api, 'POST', '/exports', {
      token: tokens.operator,
      body: { recipients: ['guard-a', 'guard-b'], feedType: 'delta' },
    });
    for (const feed of delta.json().feeds) {
      expect(feed.status).toBe('held');
      holds.push(feed.transferId);
    }
    pupil = (await activePupils(database.db))[0]!;
    const { rows } = await sql<{ name: string }>`SELECT given_name || ' ' || family_name AS name
      FROM records.person WHERE id = ${pupil!}`.execute(database.db);
    pupilName = rows[0]!.name;
  });
  afterAll(async () => {
    await api.close();
    await database.destroy();
  });

  it('answers health, readiness and the OpenAPI document without a token', async () => {
    expect((await call(api, 'GET', '/healthz')).json()).toEqual({ status: 'ok' });
    expect((await call(api, 'GET', '/readyz')).json()).toEqual({
      ready: true,
      database: 'ok',
      queue: 'not configured',
      spool: 'ok',
    });
    const document = (await call(api, 'GET', '/openapi.json')).json();
    expect(Object.keys(document.paths).sort()).toEqual([
      '/audit',
      '/exports',
      '/feeds/{recipient}/next',
      '/feeds/{recipient}/{transfer}',
      '/feeds/{recipient}/{transfer}/ack',
      '/healthz',
      '/holds',
      '/holds/{transfer}',
      '/holds/{transfer}/approve',
      '/holds/{transfer}/reject',
      '/metrics',
      '/persons/{person}/access-report',
      '/persons/{person}/disclosures',
      '/queues',
      '/readyz',
      '/recipients',
      '/recipients/validate',
      '/recipients/{recipient}',
      '/recipients/{recipient}/diff/{other}',
      '/recipients/{recipient}/resync',
      '/reports/recipients',
      '/runs',
      '/runs/{run}',
      '/runs/{run}/cancel',
      '/transfers',
      '/transfers/{transfer}/retry',
    ]);
    // Every route but the public ones declares the bearer token.
    expect(document.paths['/runs'].get.security).toEqual([{ bearer: [] }]);
    // A schema on every route: each operation describes its success answer, every path parameter, and
    // the body it takes.
    const missing: string[] = [];
    let operationCount = 0;
    for (const [path, operations] of Object.entries<Record<string, OpenApiOperation>>(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        operationCount += 1;
        const where = `${method.toUpperCase()} ${path}`;
        const success = Object.entries(operation.responses ?? {}).filter(([status]) => /^2/.test(status));
        if (success.length === 0) missing.push(`${where}: no 2xx response`);
        for (const [status, response] of success) {
          const described = status === '204' || Object.values(response.content ?? {}).some((c) => c.schema);
          if (!described) missing.push(`${where}: ${status} has no schema`);
        }
        const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
        const declared = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        if (inPath.some((name) => !declared.includes(name))) missing.push(`${where}: path parameters`);
        if (method === 'post' && operation.requestBody === undefined && !/\/(retry|ack)$/.test(path)) {
          missing.push(`${where}: no request body schema`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(operationCount).toBeGreaterThanOrEqual(Object.keys(document.paths).length);
  });

  it('answers /readyz with 503 naming the failed check: Redis not answering, a spool that takes no file', async () => {
    const readiness = async (context: typeof ops) => {
      const server = await startApi(context);
      try {
        const answer = await call(server, 'GET', '/readyz');
        return { status: answer.status, ...answer.json() };
      } finally {
        await server.close();
      }
    };
    const queue = (redisUrl: string) => bullmqQueueInspector({ redisUrl, prefix: `ready-${randomUUID()}` });
    expect(await readiness({ ...ops, queues: queue(testRedisUrl()) })).toEqual({
      status: 200,
      ready: true,
      database: 'ok',
      queue: 'ok',
      spool: 'ok',
    });
    expect(await readiness({ ...ops, queues: queue('redis://127.0.0.1:1') })).toEqual({
      status: 503,
      ready: false,
      database: 'ok',
      queue: 'failed',
      spool: 'ok',
    });
    // A spool directory under a regular file cannot be made, whoever runs the test (root too).
    const file = join(scratchDir('pifu-ready-'), 'a-file');
    writeFileSync(file, '');
    expect(await readiness({ ...ops, spoolDir: join(file, 'spool') })).toEqual({
      status: 503,
      ready: false,
      database: 'ok',
      queue: 'not configured',
      spool: 'failed',
    });
  });

  it('refuses a request without a valid token with 401, never echoing the token', async () => {
    const missing = await call(api, 'GET', '/runs');
    expect(missing.status).toBe(401);
    expect(missing.json()).toEqual({
      code: 'PIFU_UNAUTHENTICATED',
      message: expect.stringContaining('no API token'),
      hint: expect.any(String),
    });
    const forged = `pifu_${'A'.repeat(43)}`;
    const unknown = await call(api, 'GET', '/runs', { token: forged });
    expect(unknown.status).toBe(401);
    expect(unknown.body).not.toContain(forged);
    expect((await call(api, 'GET', '/runs', { token: 'not-a-token' })).status).toBe(401);

    const admin = testActor(['config-admin'], 'test:token-admin');
    const spare = await makeSpareToken();
    expect((await call(api, 'GET', '/runs', { token: spare })).status).toBe(200);
    await revokeApiToken(ops, admin, { name: 'spare' });
    expect((await call(api, 'GET', '/runs', { token: spare })).json().code).toBe('PIFU_UNAUTHENTICATED');
  });

  async function makeSpareToken(): Promise<string> {
    const admin = testActor(['config-admin'], 'test:token-admin');
    return (await createApiToken(ops, admin, { name: 'spare', role: 'viewer' })).token;
  }

  it('turns an address away after too many failed sign-ins, for the rest of the window', async () => {
    const limited = await startApi(ops, {
      failedSignIns: failedSignIns({ maxFailures: 3, windowMs: 60_000 }),
    });
    try {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        expect((await call(limited, 'GET', '/runs', { token: 'wrong' })).status).toBe(401);
      }
      const refused = await call(limited, 'GET', '/runs', { token: tokens.viewer });
      expect(refused.status).toBe(429);
      expect(refused.json().code).toBe('PIFU_AUTH_RATE_LIMITED');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // Public routes stay open.
      expect((await call(limited, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  describe('role checks: each read route for each role, denials audited with the token and address', () => {
    const reads = (): [string, string, OperatorRole][] => [
      ['GET', '/runs', 'viewer'],
      ['GET', `/runs/${runId}`, 'viewer'],
      ['GET', '/transfers', 'viewer'],
      ['GET', '/recipients', 'viewer'],
      ['GET', '/recipients/lms', 'viewer'],
      ['GET', '/recipients/lms/diff/hr', 'viewer'],
      ['GET', '/holds', 'viewer'],
      ['GET', `/holds/${holds[0]}`, 'viewer'],
      ['GET', '/metrics', 'viewer'],
      ['GET', `/persons/${pupil}/disclosures`, 'privacy-admin'],
      ['GET', `/persons/${pupil}/access-report?format=json`, 'privacy-admin'],
      ['GET', '/reports/recipients', 'viewer'],
      ['GET', '/audit', 'privacy-admin'],
      ['POST', '/recipients/validate', 'config-admin'],
    ];

    it('lets every role that holds the route’s role in, and refuses the others with 403', async () => {
      for (const [method, path, needed] of reads()) {
        for (const role of roles) {
          const allowed = needed === 'viewer' || role === needed;
          const before = await lastAuditId(database.db);
          const answer = await call(api, method, path, {
            token: tokens[role],
            ...(method === 'POST' ? { body: validRecipient } : {}),
          });
          expect([path, role, answer.status]).toEqual([path, role, allowed ? 200 : 403]);
          if (!allowed) {
            expect(answer.json().code).toBe('PIFU_FORBIDDEN');
            expect(await auditSince(database.db, before)).toEqual([
              expect.objectContaining({ actor: `token:api-${role}`, outcome: 'denied', source: '127.0.0.1' }),
            ]);
          }
        }
        // A recipient's pull token holds no operator role at all.
        const pull = await call(api, method, path, {
          token: tokens.pull['portal']!,
          ...(method === 'POST' ? { body: validRecipient } : {}),
        });
        expect([path, pull.status]).toEqual([path, 403]);
      }
    });

    it('answers the queue counts with 503 when there is no shared queue, for any role', async () => {
      const answer = await call(api, 'GET', '/queues', { token: tokens.viewer });
      expect(answer.status).toBe(503);
      expect(answer.json().code).toBe('PIFU_QUEUE_UNAVAILABLE');
    });
  });

  it('refuses a viewer (and the other non-operators) starting a resync, an export, a retry or a hold decision', async () => {
    const actions: [string, string, unknown][] = [
      ['POST', '/recipients/lms/resync', { reason: 'case 2026/7: recipient lost its data' }],
      ['POST', '/exports', { recipients: ['lms'] }],
      ['POST', `/transfers/${deliveredTransfer}/retry`, undefined],
      ['POST', `/runs/${runId}/cancel`, { reason: 'operator asked to stop it' }],
      ['POST', `/holds/${holds[0]}/approve`, { reason: 'expected change after the term start' }],
      ['POST', `/holds/${holds[0]}/reject`, { reason: 'expected change after the term start' }],
    ];
    const runsBefore = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM hub.run`.execute(database.db))
      .rows[0]!.n;
    for (const [method, path, body] of actions) {
      for (const role of ['viewer', 'privacy-admin', 'config-admin'] as const) {
        const answer = await call(api, method, path, {
          token: tokens[role],
          ...(body === undefined ? {} : { body }),
        });
        expect([path, role, answer.status, answer.json().code]).toEqual([path, role, 403, 'PIFU_FORBIDDEN']);
      }
    }
    const runsAfter = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM hub.run`.execute(database.db))
      .rows[0]!.n;
    expect(runsAfter).toBe(runsBefore);
  });

  it('lets an operator resync with a reason, audited with the token name and the client address', async () => {
    const before = await lastAuditId(database.db);
    const answer = await call(api, 'POST', '/recipients/lms/resync', {
      token: tokens.operator,
      body: { reason: `case 2026/7: ${pupilName} moved between classes`, person: pupil },
    });
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({
      status: 'completed',
      feeds: [{ recipient: 'lms', status: 'delivered' }],
    });
    expect(await auditSince(database.db, before)).toEqual([
      { actor: 'token:api-operator', action: 'resync', outcome: 'done', subject: pupil, source: '127.0.0.1' },
    ]);
    const { rows } = await sql<{
      trigger: string;
      requested_by: string;
    }>`SELECT trigger, requested_by FROM hub.run
      WHERE id = ${answer.json().runId}`.execute(database.db);
    expect(rows).toEqual([{ trigger: 'resync', requested_by: 'token:api-operator' }]);
  });

  it("gives a viewer counts and statuses but no person's name, national identity number, or operator text", async () => {
    const { rows: persons } = await sql<{ given: string; family: string; nin: string | null }>`
      SELECT given_name AS given, family_name AS family, national_identity_number AS nin
      FROM records.person`.execute(database.db);
    const paths = [
      '/runs',
      `/runs/${runId}`,
      '/transfers',
      '/recipients',
      '/recipients/lms',
      '/recipients/lms/diff/hr',
      '/holds?all=true',
      `/holds/${holds[0]}`,
      '/metrics',
      '/reports/recipients',
    ];
    const bodies: string[] = [];
    for (const path of paths) {
      const answer = await call(api, 'GET', path, { token: tokens.viewer });
      expect([path, answer.status]).toEqual([path, 200]);
      bodies.push(answer.body);
    }
    const everything = bodies.join('\n');
    for (const person of persons) {
      if (person.nin !== null) expect(everything).not.toContain(person.nin);
      expect(everything).not.toContain(`${person.given} ${person.family}`);
    }
    expect(everything).not.toContain(pupilName);
    expect(everything).toContain('[withheld: needs the operator or privacy-admin role]');
    // The held delta: counts for the viewer, no objects; an operator sees them with names masked.
    const forViewer = (await call(api, 'GET', `/holds/${holds[0]}`, { token: tokens.viewer })).json();
    expect(forViewer.objects).toEqual([]);
    expect(Object.keys(forViewer.counts).length).toBeGreaterThan(0);
    const forOperator = (await call(api, 'GET', `/holds/${holds[0]}`, { token: tokens.operator })).json();
    expect(forOperator.objects.length).toBeGreaterThan(0);
    // The operator who typed the reason reads it; the recipient's contact is for operator roles too.
    expect((await call(api, 'GET', '/runs', { token: tokens.operator })).body).toContain(pupilName);
    expect((await call(api, 'GET', '/recipients/lms', { token: tokens.viewer })).json().contact).toBeNull();
    expect((await call(api, 'GET', '/recipients/lms', { token: tokens.operator })).json().contact).toEqual({
      name: 'Test operator',
      email: 'drift@example.org',
    });
  });

  it('answers bad input with 400 naming the field, never echoing a national identity number', async () => {
    const cases: [string, string, unknown, RegExp][] = [
      ['GET', '/runs?limit=0', undefined, /^querystring\.limit: must be >= 1$/],
      ['GET', '/runs?limits=5', undefined, /^querystring\.limits: not a known field$/],
      ['GET', '/transfers?status=lost', undefined, /^querystring\.status: must be equal to one of/],
      ['GET', '/transfers?since=yesterday', undefined, /^querystring\.since: must match format "date-time"/],
      ['POST', '/exports', { recipients: ['lms'], bogus: 1 }, /^body\.bogus: not a known field$/],
      ['POST', '/exports', { recipients: 'lms' }, /^body\.recipients: must be array$/],
      ['POST', '/exports', {}, /^recipients: choose with --recipient ID/],
      ['POST', '/recipients/lms/resync', {}, /^body\.reason: must have required property 'reason'$/],
      ['POST', '/recipients/lms/resync', { reason: 'x' }, /^reason: say why in words/],
      ['POST', `/holds/${holds[0]}/approve`, { reason: 7 }, /^body\.reason: must be string$/],
      ['GET', '/runs/not-a-run', undefined, /^run: a run id such as/],
      ['GET', '/transfers?recipient=Bad%20Id', undefined, /^recipient: a recipient id/],
    ];
    for (const [method, path, body, message] of cases) {
      const answer = await call(api, method, path, {
        token: tokens.operator,
        ...(body === undefined ? {} : { body }),
      });
      expect([path, answer.status, answer.json().code]).toEqual([path, 400, 'PIFU_USAGE_INVALID']);
      expect(answer.json().message).toMatch(message);
    }
    const nin = await identityNumberOf(database.db, pupil);
    const typed = await call(api, 'GET', `/persons/${nin}/disclosures`, { token: tokens['privacy-admin'] });
    expect(typed.status).toBe(400);
    expect(typed.json().message).toMatch(/^person: that is a national identity number/);
    expect(typed.body).not.toContain(nin);
    const audit = await call(api, 'GET', '/audit?limit=5', { token: tokens['privacy-admin'] });
    expect(audit.body).not.toContain(nin);
  });

  it('answers a privacy admin who received what, and the audit trail with token names and addresses', async () => {
    const answer = await call(api, 'GET', `/persons/${pupil}/disclosures`, {
      token: tokens['privacy-admin'],
    });
    expect(answer.status).toBe(200);
    expect(answer.json().personKey).toBe(pupil);
    expect(answer.json().disclosures.map((d: { recipientId: string }) => d.recipientId)).toContain('lms');
    const audit = (
      await call(api, 'GET', `/audit?subject=${pupil}`, { token: tokens['privacy-admin'] })
    ).json();
    expect(audit[0]).toMatchObject({
      actor: 'token:api-privacy-admin',
      action: 'disclosures',
      outcome: 'done',
      source: '127.0.0.1',
    });
  });

  it('answers a person’s Art. 15 request over the API as the CLI does: HTML, PDF or JSON, audited', async () => {
    const path = `/persons/${pupil}/access-report`;
    const json = await call(api, 'GET', `${path}?format=json`, { token: tokens['privacy-admin'] });
    expect(json.status).toBe(200);
    const disclosed = (
      await call(api, 'GET', `/persons/${pupil}/disclosures`, { token: tokens['privacy-admin'] })
    ).json();
    const reported = json.json();
    expect(reported.recipients.map((r: { recipientId: string }) => r.recipientId).sort()).toEqual(
      [...new Set(disclosed.disclosures.map((d: { recipientId: string }) => d.recipientId))].sort(),
    );
    expect(json.body).not.toContain(pupilName);

    const html = await call(api, 'GET', `${path}?lang=en`, { token: tokens['privacy-admin'] });
    expect([html.status, html.headers.get('content-type'), html.headers.get('cache-control')]).toEqual([
      200,
      'text/html; charset=utf-8',
      'no-store',
    ]);
    expect(html.body).toMatch(/^<!DOCTYPE html>/i);
    expect(html.body).not.toContain(pupilName);
    const withValues = await call(api, 'GET', `${path}?values=true`, { token: tokens['privacy-admin'] });
    expect(withValues.body).toContain(pupilName.split(' ')[0]!);

    const pdf = await fetch(`${api.url}${path}?format=pdf`, {
      headers: { authorization: `Bearer ${tokens['privacy-admin']}` },
    });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');

    const audit = (
      await call(api, 'GET', `/audit?subject=${pupil}&limit=4`, { token: tokens['privacy-admin'] })
    ).json();
    expect(audit[0]).toMatchObject({
      actor: 'token:api-privacy-admin',
      action: 'report-access',
      outcome: 'done',
      source: '127.0.0.1',
    });
    const wrongFormat = await call(api, 'GET', `${path}?format=docx`, { token: tokens['privacy-admin'] });
    expect([wrongFormat.status, wrongFormat.json().code]).toEqual([400, 'PIFU_USAGE_INVALID']);
  });

  it('publishes the live recipient list to operators, never to a recipient’s pull token', async () => {
    const list = (await call(api, 'GET', '/reports/recipients', { token: tokens.viewer })).json();
    expect(list.recipients.map((r: { id: string }) => r.id).sort()).toEqual([
      'guard-a',
      'guard-b',
      'hr',
      'lms',
      'portal',
      'ruter',
    ]);
    const markdown = await call(api, 'GET', '/reports/recipients?format=md&lang=en', {
      token: tokens.viewer,
    });
    expect(markdown.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(markdown.body).toContain('lms');
    const pulled = await call(api, 'GET', '/reports/recipients', { token: tokens.pull['portal']! });
    expect([pulled.status, pulled.json().code]).toEqual([403, 'PIFU_FORBIDDEN']);
  });

  it('filters transfers by recipient, status and time', async () => {
    const offered = (await call(api, 'GET', '/transfers?status=offered', { token: tokens.viewer })).json();
    expect(offered.map((t: { recipientId: string }) => t.recipientId).sort()).toEqual(['portal', 'ruter']);
    const held = (
      await call(api, 'GET', '/transfers?status=held&recipient=guard-a', { token: tokens.viewer })
    ).json();
    expect(held.map((t: { id: string }) => t.id)).toEqual([holds[0]]);
    const future = (
      await call(api, 'GET', '/transfers?since=2999-01-01T00:00:00Z', { token: tokens.viewer })
    ).json();
    expect(future).toEqual([]);
  });

  it('lets an operator decide holds: reject delivers nothing, approve delivers, a second decision is a 409', async () => {
    const reason = 'expected class changes after the term start';
    const rejected = await call(api, 'POST', `/holds/${holds[0]}/reject`, {
      token: tokens.operator,
      body: { reason },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.json().hold.decision).toBe('rejected');
    const approved = await call(api, 'POST', `/holds/${holds[1]}/approve`, {
      token: tokens.operator,
      body: { reason },
    });
    expect(approved.status).toBe(200);
    expect(approved.json().delivery).toMatchObject({ transferId: holds[1], alreadyDelivered: false });
    const again = await call(api, 'POST', `/holds/${holds[1]}/approve`, {
      token: tokens.operator,
      body: { reason },
    });
    expect([again.status, again.json().code]).toEqual([409, 'PIFU_HOLD_DECIDED']);
  });

  it('refuses retrying a delivered transfer with 409, and names unknown things with 404', async () => {
    const retry = await call(api, 'POST', `/transfers/${deliveredTransfer}/retry`, {
      token: tokens.operator,
    });
    expect([retry.status, retry.json().code]).toEqual([409, 'PIFU_RETRY_REFUSED']);
    const unknownRun = await call(api, 'GET', '/runs/run-20260101T000000Z-abc123', { token: tokens.viewer });
    expect([unknownRun.status, unknownRun.json().code]).toEqual([404, 'PIFU_RUN_UNKNOWN']);
    const unknownRecipient = await call(api, 'GET', '/recipients/nope', { token: tokens.viewer });
    expect([unknownRecipient.status, unknownRecipient.json().code]).toEqual([404, 'PIFU_RECIPIENT_UNKNOWN']);
    const unknownRoute = await call(api, 'GET', '/nowhere', { token: tokens.viewer });
    expect([unknownRoute.status, unknownRoute.json().code]).toEqual([404, 'PIFU_ROUTE_UNKNOWN']);
    for (const answer of [retry, unknownRun, unknownRecipient, unknownRoute]) {
      expect(Object.keys(answer.json()).sort()).toEqual(['code', 'hint', 'message']);
      expect(answer.body).not.toMatch(/\bat .+\.(ts|js):\d+/);
    }
  });

  it('checks a recipient config as the hub would load it, for a config admin, writing nothing', async () => {
    const ok = await call(api, 'POST', '/recipients/validate?name=checked.json', {
      token: tokens['config-admin'],
      body: validRecipient,
    });
    expect(ok.json()).toEqual({ valid: true, id: 'checked', problems: [] });
    const duplicate = await call(api, 'POST', '/recipients/validate', {
      token: tokens['config-admin'],
      body: `{"id": "a", "id": "b"}`,
    });
    expect(duplicate.json().valid).toBe(false);
    expect(duplicate.json().problems.join('\n')).toMatch(/recipient\.json: .*duplicate/i);
    const badTransport = await call(api, 'POST', '/recipients/validate', {
      token: tokens['config-admin'],
      body: { ...validRecipient, transport: { kind: 'pull', url: 'https://x.example' } },
    });
    expect(badTransport.json().problems).toEqual([expect.stringContaining('transport.url')]);
    expect(ops.recipients.has('checked')).toBe(false);
  });

  it("gives another recipient's token, and an operator's, 404 on a recipient's feeds, audited as denied", async () => {
    const offered = (
      await call(api, 'GET', '/transfers?status=offered&recipient=portal', { token: tokens.viewer })
    ).json();
    const transfer = offered[0].id as string;
    for (const token of [tokens.pull['ruter']!, tokens.operator]) {
      const before = await lastAuditId(database.db);
      for (const [method, path] of [
        ['GET', '/feeds/portal/next'],
        ['GET', `/feeds/portal/${transfer}`],
        ['POST', `/feeds/portal/${transfer}/ack`],
      ] as const) {
        const answer = await call(api, method, path, { token });
        expect([path, answer.status, answer.json().code]).toEqual([path, 404, 'PIFU_FEED_UNKNOWN']);
      }
      expect((await auditSince(database.db, before)).map((row) => row.outcome)).toEqual([
        'denied',
        'denied',
        'denied',
      ]);
    }
    const own = await call(api, 'GET', '/feeds/portal/next', { token: tokens.pull['portal']! });
    expect([own.status, own.headers.get('content-location')]).toEqual([200, `/feeds/portal/${transfer}`]);
    // A recipient that does not pull has no feeds here, whoever asks.
    expect((await call(api, 'GET', '/feeds/lms/next', { token: tokens.pull['portal']! })).status).toBe(404);
  });
});

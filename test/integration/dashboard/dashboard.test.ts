import { join } from 'node:path';
import { sql } from 'kysely';
import { mutateMunicipality } from '../../../fixtures/generator/index.js';
import { failedSignIns } from '../../../jobs/http/failed-sign-ins.js';
import { startExport } from '../../../src/operations/index.js';
import { recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import {
  auditSince,
  call,
  lastAuditId,
  makeTokens,
  startApi,
  type TestApi,
  type Tokens,
} from '../http/api-fixture.js';
import { actors, activePupils, operationsOver, seededDatabase } from '../operations/operations-fixture.js';
import { DashboardClient, csrfOf } from './dashboard-client.js';

describe('the web dashboard: sign-in, pages and forms over the operations', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  let api: TestApi;
  let tokens: Tokens;
  let runId: string;
  const holds: string[] = [];
  let pupil: string;
  let pupilName: string;

  beforeAll(async () => {
    database = await seededDatabase();
    const guarded = { feed: { safety: { maxDeletePercent: 0, maxChangePercent: 0 } } };
    ops = operationsOver(database.db, (dir) => [
      recipient('lms', 'lms', join(dir, 'lms')),
      recipient('guard-a', 'lms', join(dir, 'ga'), guarded),
      recipient('guard-b', 'lms', join(dir, 'gb'), guarded),
      recipient('portal', 'portal', join(dir, 'p'), { transport: { kind: 'pull' } }),
    ]);
    tokens = await makeTokens(ops, ['portal']);
    api = await startApi(ops);
    runId = (await startExport(ops, actors.operator, { all: true })).runId;
    await mutateMunicipality(database.db, { percent: 5, seed: 31 });
    const delta = await startExport(ops, actors.operator, {
      recipients: ['guard-a', 'guard-b'],
      feedType: 'delta',
    });
    for (const feed of delta.feeds) holds.push(feed.transferId);
    pupil = (await activePupils(database.db))[0]!;
    const { rows } = await sql<{ name: string }>`SELECT given_name || ' ' || family_name AS name
      FROM records.person WHERE id = ${pupil}`.execute(database.db);
    pupilName = rows[0]!.name;
  });
  afterAll(async () => {
    await api.close();
    await database.destroy();
  });

  async function signedIn(role: keyof Omit<Tokens, 'pull'>): Promise<DashboardClient> {
    const client = new DashboardClient(api.url);
    const answer = await client.signIn(tokens[role]);
    expect([answer.status, answer.location]).toEqual([303, '/']);
    return client;
  }

  it('sends a visitor without a session to the sign-in page, and signs in with a token into a strict cookie', async () => {
    const client = new DashboardClient(api.url);
    const first = await client.get('/');
    expect([first.status, first.location]).toEqual([303, '/sign-in']);
    const form = await client.get('/sign-in');
    expect(form.status).toBe(200);
    expect(form.headers.get('content-security-policy')).toContain("default-src 'none'");
    const signIn = await client.post('/sign-in', { token: tokens.viewer }, csrfOf(form.body));
    expect(signIn.status).toBe(303);
    const setCookie = signIn.headers.getSetCookie().find((line) => line.startsWith('pifu_session='));
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    const overview = await client.get('/');
    expect(overview.status).toBe(200);
    expect(overview.body).toContain('token:api-viewer');
    // The session cookie opens dashboard pages only: the JSON API keeps to the Authorization header.
    const apiCall = await fetch(`${api.url}/runs`, {
      headers: { cookie: `pifu_session=${client.cookie('pifu_session')}` },
    });
    expect(apiCall.status).toBe(401);
    // Signing out clears the session.
    const out = await client.post('/sign-out', {}, csrfOf(overview.body));
    expect([out.status, out.location]).toEqual([303, '/sign-in']);
    expect(client.cookie('pifu_session')).toBeUndefined();
    expect((await client.get('/')).location).toBe('/sign-in');
  });

  it('refuses a form without its CSRF token, a wrong token and a pull token, never echoing the token', async () => {
    const client = new DashboardClient(api.url);
    await client.get('/sign-in');
    const noCsrf = await client.post('/sign-in', { token: tokens.operator });
    expect(noCsrf.status).toBe(403);
    expect(client.cookie('pifu_session')).toBeUndefined();
    const forged = `pifu_${'B'.repeat(43)}`;
    const wrong = await client.post(
      '/sign-in',
      { token: forged },
      csrfOf((await client.get('/sign-in')).body),
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('PIFU_UNAUTHENTICATED');
    expect(wrong.body).not.toContain(forged);
    const pull = await client.post(
      '/sign-in',
      { token: tokens.pull['portal']! },
      csrfOf((await client.get('/sign-in')).body),
    );
    expect(pull.status).toBe(403);
    expect(client.cookie('pifu_session')).toBeUndefined();
    // A session cookie with a forged token is no session.
    client.setCookie('pifu_session', forged);
    expect((await client.get('/ui/holds')).location).toBe('/sign-in');
  });

  it('opens every page for an operator, through the operations', async () => {
    const client = await signedIn('operator');
    const overview = await client.get('/');
    expect(overview.body).toContain('Recipients');
    for (const id of ['lms', 'guard-a', 'guard-b', 'portal']) expect(overview.body).toContain(id);
    expect(overview.body).toContain(runId);
    expect(overview.body).toContain('Start an export');
    const pages = [
      `/ui/runs/${runId}`,
      '/ui/transfers',
      '/ui/transfers?recipient=lms&status=delivered&since=2000-01-01T00:00',
      '/ui/holds',
      '/ui/holds?all=true',
      `/ui/holds/${holds[0]}`,
      '/ui/recipients/lms',
    ];
    for (const path of pages) {
      const answer = await client.get(path);
      expect([path, answer.status]).toEqual([path, 200]);
      expect(answer.headers.get('content-type')).toContain('text/html');
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
    }
    // No CDN, works offline: every page loads its scripts, styles, images and forms from this server.
    for (const path of ['/', ...pages]) {
      const body = (await client.get(path)).body;
      const references = [...body.matchAll(/\b(?:src|href|action)\s*=\s*["']([^"']*)["']/gi)].map(
        (match) => match[1]!,
      );
      expect(references.length).toBeGreaterThan(0);
      expect([
        path,
        references.filter((reference) => /^(?:[a-z][a-z0-9+.-]*:)?\/\//i.test(reference)),
      ]).toEqual([path, []]);
    }
    const filtered = await client.get('/ui/transfers?recipient=lms&status=delivered');
    expect(filtered.body).toContain('lms');
    expect(filtered.body).not.toContain('guard-a</a></td>');
    const unknown = await client.get('/ui/transfers?recipient=nobody-here');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('PIFU_RECIPIENT_UNKNOWN');
    const style = await client.get('/ui/style.css');
    expect(style.headers.get('content-type')).toContain('text/css');
  });

  it('shows a viewer counts and statuses but no name, and refuses its forms with 403, audited', async () => {
    const client = await signedIn('viewer');
    const review = await client.get(`/ui/holds/${holds[1]}`);
    expect(review.status).toBe(200);
    expect(review.body).toContain('What the held delta would do');
    expect(review.body).not.toContain('Approve');
    const overview = await client.get('/');
    expect(overview.body).not.toContain('Start an export');
    expect(overview.body).not.toContain('/queues/');
    for (const path of ['/', `/ui/holds/${holds[1]}`, `/ui/runs/${runId}`, '/ui/transfers']) {
      const body = (await client.get(path)).body;
      expect(body).not.toContain(pupilName);
      expect(body).not.toContain(pupil);
    }
    const before = await lastAuditId(database.db);
    const resync = await client.post(
      '/ui/recipients/lms/resync',
      { reason: 'case 2026/9: check the feed' },
      csrfOf(overview.body),
    );
    expect(resync.status).toBe(403);
    expect(resync.body).toContain('PIFU_FORBIDDEN');
    const decide = await client.post(
      `/ui/holds/${holds[1]}/decision`,
      { decision: 'approve', reason: 'case 2026/9: expected change' },
      csrfOf(overview.body),
    );
    expect(decide.status).toBe(403);
    expect((await client.get('/ui/disclosures')).status).toBe(403);
    expect(await auditSince(database.db, before)).toEqual([
      expect.objectContaining({
        actor: 'token:api-viewer',
        action: 'resync',
        outcome: 'denied',
        source: '127.0.0.1',
      }),
      expect.objectContaining({ actor: 'token:api-viewer', action: 'hold-approve', outcome: 'denied' }),
    ]);
  });

  it('approves a hold from its review page with a reason: delivered, decided and audited as the API does', async () => {
    const client = await signedIn('operator');
    const review = await client.get(`/ui/holds/${holds[0]}`);
    expect(review.body).toContain('Approve and deliver');
    // An operator sees the objects, names masked.
    expect(review.body).not.toContain(pupilName);
    const short = await client.post(
      `/ui/holds/${holds[0]}/decision`,
      { decision: 'approve', reason: 'ok' },
      csrfOf(review.body),
    );
    expect(short.status).toBe(400);
    expect(short.body).toContain('reason');
    const before = await lastAuditId(database.db);
    const approved = await client.post(
      `/ui/holds/${holds[0]}/decision`,
      { decision: 'approve', reason: 'case 2026/131: school merger, deletions expected' },
      csrfOf(review.body),
    );
    expect([approved.status, approved.location]).toEqual([303, `/ui/holds/${holds[0]}?done=approved`]);
    const after = await client.get(approved.location!);
    expect(after.body).toContain('Hold approved');
    expect(after.body).toContain('approved');
    const { rows } = await sql<{ status: string; decision: string; decided_by: string }>`
      SELECT t.status, h.decision, h.decided_by FROM hub.transfer t JOIN hub.hold h ON h.transfer_id = t.id
      WHERE t.id = ${holds[0]!}`.execute(database.db);
    expect(rows).toEqual([{ status: 'delivered', decision: 'approved', decided_by: 'token:api-operator' }]);
    // The decision, then the look at the decided hold's objects (names masked) on the page it lands on.
    expect(await auditSince(database.db, before)).toEqual([
      expect.objectContaining({
        actor: 'token:api-operator',
        action: 'hold-approve',
        outcome: 'done',
        subject: holds[0],
      }),
      expect.objectContaining({ actor: 'token:api-operator', action: 'hold-show', subject: holds[0] }),
    ]);
  });

  it('starts a resync and an export with a reason, landing on the run', async () => {
    const client = await signedIn('operator');
    const page = await client.get('/ui/recipients/lms');
    expect(page.body).toContain('Start resync');
    const resync = await client.post(
      '/ui/recipients/lms/resync',
      { reason: 'case 2026/140: school asked for a fresh feed', school: '', person: '' },
      csrfOf(page.body),
    );
    expect(resync.status).toBe(303);
    const runPage = await client.get(resync.location!);
    expect(runPage.body).toContain('Resync started');
    expect(runPage.body).toContain('case 2026/140: school asked for a fresh feed');
    const overview = await client.get('/');
    const exported = await client.post(
      '/ui/exports',
      { recipients: ['lms'], feedType: 'delta', reason: 'case 2026/141: catch up after outage' },
      csrfOf(overview.body),
    );
    expect(exported.status).toBe(303);
    const exportPage = await client.get(exported.location!);
    expect(exportPage.body).toContain('Export started');
    const { rows } = await sql<{ trigger: string; reason: string; requested_by: string }>`
      SELECT trigger, reason, requested_by FROM hub.run ORDER BY created_at DESC LIMIT 2`.execute(
      database.db,
    );
    expect(rows).toEqual([
      {
        trigger: 'operator',
        reason: 'case 2026/141: catch up after outage',
        requested_by: 'token:api-operator',
      },
      {
        trigger: 'resync',
        reason: 'case 2026/140: school asked for a fresh feed',
        requested_by: 'token:api-operator',
      },
    ]);
  });

  it("shows a person's disclosure history to a privacy admin only, posted and audited", async () => {
    const client = await signedIn('privacy-admin');
    const form = await client.get('/ui/disclosures');
    expect(form.status).toBe(200);
    const before = await lastAuditId(database.db);
    const answer = await client.post('/ui/disclosures', { person: pupil }, csrfOf(form.body));
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('lms');
    expect(await auditSince(database.db, before)).toEqual([
      expect.objectContaining({
        actor: 'token:api-privacy-admin',
        action: 'disclosures',
        outcome: 'done',
        subject: pupil,
      }),
    ]);
    const operator = await signedIn('operator');
    expect((await operator.get('/ui/disclosures')).status).toBe(403);
    expect((await operator.get('/')).body).not.toContain('/ui/disclosures');
  });

  it('does not count a request for a route that does not exist (a browser’s /favicon.ico) as a failed sign-in', async () => {
    const limited = await startApi(ops, {
      failedSignIns: failedSignIns({ maxFailures: 2, windowMs: 60_000 }),
    });
    try {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        expect((await fetch(`${limited.url}/favicon.ico`)).status).toBe(404);
      }
      const client = new DashboardClient(limited.url);
      expect((await client.signIn(tokens.viewer)).status).toBe(303);
    } finally {
      await limited.close();
    }
  });

  it('keeps the dashboard out of the OpenAPI document', async () => {
    const document = (await call(api, 'GET', '/openapi.json')).json();
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/ui') || path === '/')).toEqual([]);
  });
});

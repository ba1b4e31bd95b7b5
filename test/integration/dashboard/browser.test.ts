import { existsSync, mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { chromium, type Browser, type Page } from 'playwright-core';
import { mutateMunicipality } from '../../../fixtures/generator/index.js';
import { startExport } from '../../../src/operations/index.js';
import { queueNames } from '../../../src/queue/index.js';
import { recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import { testRedisUrl } from '../../setup/services.js';
import { makeTokens, startApi, type TestApi, type Tokens } from '../http/api-fixture.js';
import { actors, activePupils, operationsOver, seededDatabase } from '../operations/operations-fixture.js';

/**
 * The dashboard in a real browser: Debian's chromium, driven by playwright-core (no browser download).
 * Without chromium the test is skipped with a note, except in CI (CI=true), where it must run:
 * `.ci/run` installs chromium.
 */
const executablePath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const haveChromium = existsSync(executablePath);
const inCi = process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false';
const artifacts = new URL('../../../test-artifacts/', import.meta.url).pathname;

if (!haveChromium && !inCi) {
  console.warn(
    `browser test skipped: no chromium at ${executablePath} (apt-get install chromium, or set CHROMIUM_PATH); in CI it runs`,
  );
}
const describeInBrowser = haveChromium || inCi ? describe : describe.skip;

describeInBrowser('the dashboard in chromium: sign in, every page, a hold approved, a resync started', () => {
  let database: TestDatabase;
  let api: TestApi;
  let tokens: Tokens;
  let browser: Browser;
  let page: Page;
  let redis: Redis;
  let queues: Queue[];
  let hold: string;
  let pupil: string;

  beforeAll(async () => {
    database = await seededDatabase();
    const guarded = { feed: { safety: { maxDeletePercent: 0, maxChangePercent: 0 } } };
    const ops = operationsOver(database.db, (dir) => [
      recipient('lms', 'lms', join(dir, 'lms')),
      recipient('archive', 'archive', join(dir, 'archive')),
      recipient('guarded', 'lms', join(dir, 'guarded'), guarded),
      recipient('portal', 'portal', join(dir, 'p'), { transport: { kind: 'pull' } }),
    ]);
    tokens = await makeTokens(ops, []);
    await startExport(ops, actors.operator, { all: true });
    await mutateMunicipality(database.db, { percent: 5, seed: 31 });
    const delta = await startExport(ops, actors.operator, { recipients: ['guarded'], feedType: 'delta' });
    hold = delta.feeds[0]!.transferId;
    pupil = (await activePupils(database.db))[0]!;
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const prefix = `browser-${randomUUID()}`;
    queues = Object.values(queueNames).map((name) => new Queue(name, { connection: redis, prefix }));
    api = await startApi(ops, { boardQueues: queues });
    browser = await chromium.launch({
      executablePath,
      headless: true,
      // As root (CI, containers) chromium needs its sandbox off; it only ever loads this loopback server.
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
    });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(10_000);
    mkdirSync(artifacts, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
    for (const queue of queues ?? []) await queue.obliterate({ force: true });
    await Promise.all((queues ?? []).map((queue) => queue.close()));
    redis?.disconnect();
    await database?.destroy();
  });

  async function signIn(token: string): Promise<void> {
    await page.goto(`${api.url}/`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await page.fill('input[name=token]', token);
    await page.click('button:has-text("Sign in")');
    await page.waitForURL(`${api.url}/`);
  }

  it('signs an operator in and shows the overview; every page opens from the navigation', async () => {
    await signIn(tokens.operator);
    await expect(page.locator('h1').textContent()).resolves.toBe('Overview');
    for (const id of ['lms', 'archive', 'guarded', 'portal']) {
      await expect(page.locator(`a[href="/ui/recipients/${id}"]`).count()).resolves.toBe(1);
    }
    await page.screenshot({ path: join(artifacts, 'dashboard-overview.png'), fullPage: true });

    await page.click('nav a:has-text("Transfers")');
    await expect(page.locator('h1').textContent()).resolves.toBe('Transfers');
    await page.selectOption('select[name=recipient]', 'lms');
    await page.selectOption('select[name=status]', 'delivered');
    await page.click('button:has-text("Filter")');
    await expect(page.locator('table tr').count()).resolves.toBe(2);

    await page.click('table a.id');
    await expect(page.locator('h1').textContent()).resolves.toMatch(/^Run run-/);

    await page.click('nav a:has-text("Queues")');
    await page.waitForURL(`${api.url}/queues/`);
    await page.getByText('deliver', { exact: true }).first().waitFor();
    await page.goto(`${api.url}/`);
  });

  it('reviews the held delta and approves it with a reason', async () => {
    await page.click('nav a:has-text("Holds")');
    await page.click(`a[href="/ui/holds/${hold}"]`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Hold review: guarded');
    await expect(page.locator('h2:has-text("Objects")').count()).resolves.toBe(1);
    await page.screenshot({ path: join(artifacts, 'dashboard-hold-review.png'), fullPage: false });
    await page.fill('input[name=reason]', 'case 2026/131: school merger, deletions expected');
    await page.click('button:has-text("Approve and deliver")');
    await page.waitForURL(/done=approved/);
    await expect(page.locator('.notice').textContent()).resolves.toContain('Hold approved');
    await expect(page.locator('dd .badge.approved').count()).resolves.toBe(1);
  });

  it('starts a resync of a recipient with a reason and lands on its run', async () => {
    await page.goto(`${api.url}/ui/recipients/archive`);
    await page.fill('input[name=reason]', 'case 2026/140: archive asked for a fresh feed');
    await page.click('button:has-text("Start resync")');
    await page.waitForURL(/\/ui\/runs\/run-.*done=resync/);
    await expect(page.locator('.notice').textContent()).resolves.toBe('Resync started.');
    await expect(page.locator('dd', { hasText: 'case 2026/140' }).count()).resolves.toBe(1);
  });

  it("shows a privacy admin a person's disclosures, and signs out", async () => {
    await page.click('button:has-text("Sign out")');
    await page.waitForURL(`${api.url}/sign-in`);
    await signIn(tokens['privacy-admin']);
    await page.click('nav a:has-text("Disclosures")');
    await page.fill('input[name=person]', pupil);
    await page.click('button:has-text("Show disclosures")');
    await expect(page.locator('table td', { hasText: 'archive' }).count()).resolves.toBeGreaterThan(0);
    await page.click('button:has-text("Sign out")');
    await page.waitForURL(`${api.url}/sign-in`);
  });
});

import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { sql } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { createTransport } from '../../../connectors/transports/registry.js';
import { mutateMunicipality } from '../../../fixtures/generator/index.js';
import { emailChannel } from '../../../jobs/notifications/email.js';
import { operatorNotifier } from '../../../jobs/notifications/index.js';
import { webhookChannel, webhookHeaders, webhookSignature } from '../../../jobs/notifications/webhook.js';
import { HubError } from '../../../src/errors/index.js';
import { decideHold, startExport } from '../../../src/operations/index.js';
import type { Transport } from '../../../src/ports/index.js';
import { recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import { actors, operationsOver, seededDatabase } from '../operations/operations-fixture.js';
import { createLogger } from '../../../src/log/index.js';

const secret = 'test-webhook-secret-of-forty-characters!';

interface Posted {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A loopback webhook receiver: records each POST, answers `status` (200 unless told). */
async function webhookReceiver(): Promise<{
  url: string;
  posts: Posted[];
  answer: { status: number };
  server: Server;
}> {
  const posts: Posted[] = [];
  const answer = { status: 200 };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      posts.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(answer.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/pifu`, posts, answer, server };
}

/** A loopback SMTP server (smtp-server) keeping every message it accepts, as raw text. */
async function mailReceiver(): Promise<{
  url: string;
  messages: { to: string[]; raw: string }[];
  server: SMTPServer;
}> {
  const messages: { to: string[]; raw: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({
          to: session.envelope.rcptTo.map((address) => address.address),
          raw: readable(Buffer.concat(chunks).toString('utf8')),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, messages, server };
}

/** A message as a reader sees it: header lines unfolded, quoted-printable soft breaks and escapes undone. */
function readable(raw: string): string {
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/\r\n[ \t]+/g, ' ')
    .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

describe('operator notifications: webhook and e-mail on loopback servers', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  let webhook: Awaited<ReturnType<typeof webhookReceiver>>;
  let mail: Awaited<ReturnType<typeof mailReceiver>>;
  let notify: (at: Date) => Promise<unknown>;
  let held: string;
  let failedTransfer: string;
  let names: string[];

  beforeAll(async () => {
    database = await seededDatabase();
    const failing: Transport = {
      kind: 'file-drop',
      deliver: async () => {
        throw new HubError('PIFU_TRANSPORT_FAILED', 'recipient down');
      },
    };
    const guarded = { feed: { safety: { maxDeletePercent: 0, maxChangePercent: 0 } } };
    ops = operationsOver(
      database.db,
      (dir) => [
        recipient('lms', 'lms', join(dir, 'lms')),
        recipient('down', 'lms', join(dir, 'down')),
        recipient('guard', 'lms', join(dir, 'guard'), guarded),
      ],
      { transportFor: (config, id) => (id === 'down' ? failing : createTransport(config, id)) },
    );
    const first = await startExport(ops, actors.operator, { all: true });
    failedTransfer = first.feeds.find((feed) => feed.recipient === 'down')!.transferId;
    await mutateMunicipality(database.db, { percent: 5, seed: 31 });
    held = (await startExport(ops, actors.operator, { recipients: ['guard'], feedType: 'delta' })).feeds[0]!
      .transferId;
    webhook = await webhookReceiver();
    mail = await mailReceiver();
    notify = operatorNotifier({
      ctx: ops,
      settings: { staleHours: 26 },
      hub: 'test-hub',
      queues: undefined,
      logger: createLogger({ level: 'silent' }),
      channels: [
        webhookChannel({ url: webhook.url, secret }),
        emailChannel({ smtpUrl: mail.url, from: 'hub@example.org', to: ['drift@example.org'] }),
      ],
    })!;
    const { rows } = await sql<{ given_name: string; family_name: string }>`
      SELECT given_name, family_name FROM records.person`.execute(database.db);
    names = rows.flatMap((row) => [row.given_name, row.family_name]).filter((name) => name.length > 3);
  });
  afterAll(async () => {
    await new Promise((resolve) => webhook.server.close(resolve));
    await new Promise<void>((resolve) => mail.server.close(() => resolve()));
    await database.destroy();
  });

  it('sends one signed digest and one e-mail with the failed transfer, the hold and stale recipients, ids only', async () => {
    // 30 hours on: lms and guard have had no delivery since the first export.
    const at = new Date(Date.now() + 30 * 3_600_000);
    await notify(at);
    expect(webhook.posts).toHaveLength(1);
    const [post] = webhook.posts;
    const timestamp = post!.headers[webhookHeaders.timestamp] as string;
    expect(post!.headers[webhookHeaders.signature]).toBe(webhookSignature(secret, timestamp, post!.body));
    // What a receiver checks, computed here from the documented recipe (HMAC-SHA256 over
    // `TIMESTAMP.BODY`, hex), not through the hub's own function: the key matters, and the time is now.
    expect(post!.headers[webhookHeaders.signature]).toBe(
      `sha256=${createHmac('sha256', secret).update(`${timestamp}.${post!.body}`).digest('hex')}`,
    );
    expect(post!.headers[webhookHeaders.signature]).not.toBe(
      `sha256=${createHmac('sha256', 'another-secret').update(`${timestamp}.${post!.body}`).digest('hex')}`,
    );
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
    expect(post!.headers['content-type']).toBe('application/json');
    const digest = JSON.parse(post!.body);
    expect(post!.headers['idempotency-key']).toBe(digest.id);
    expect(digest).toMatchObject({ hub: 'test-hub', sentAt: at.toISOString() });
    expect(digest.events.map((event: { kind: string }) => event.kind).sort()).toEqual([
      'hold-waiting',
      'recipient-stale',
      'recipient-stale',
      'transfer-failed',
    ]);
    expect(digest.events).toContainEqual(
      expect.objectContaining({ kind: 'transfer-failed', transferId: failedTransfer, recipientId: 'down' }),
    );
    expect(digest.events).toContainEqual(
      expect.objectContaining({ kind: 'hold-waiting', transferId: held, recipientId: 'guard' }),
    );
    // Nothing about a person: only the known id, count and time fields, and no name anywhere.
    for (const event of digest.events) {
      for (const key of Object.keys(event)) {
        expect([
          'kind',
          'key',
          'transferId',
          'recipientId',
          'runId',
          'attempts',
          'added',
          'changed',
          'deleted',
          'queue',
          'jobId',
          'lastDeliveredAt',
          'hours',
        ]).toContain(key);
      }
    }
    for (const name of names) expect(post!.body).not.toContain(name);

    expect(mail.messages).toHaveLength(1);
    const [message] = mail.messages;
    expect(message!.to).toEqual(['drift@example.org']);
    expect(message!.raw).toMatch(
      /Subject: \[test-hub\] 1 failed transfer, 1 hold waiting, 2 recipients not delivered/,
    );
    expect(message!.raw).toContain(`pifu-hub retry ${failedTransfer}`);
    for (const name of names) expect(message!.raw).not.toContain(name);

    // The next tick finds the same events: nothing is sent twice.
    await notify(new Date(at.getTime() + 60_000));
    expect(webhook.posts).toHaveLength(1);
    expect(mail.messages).toHaveLength(1);
  });

  it('keeps what a failing channel did not take for the next tick, without holding up the other', async () => {
    webhook.answer.status = 503;
    const dead = [{ queue: 'deliver' as const, jobId: 'deliver-transfer-x' }];
    const withDeadLetter = operatorNotifier({
      ctx: ops,
      settings: { staleHours: 26 },
      hub: 'test-hub',
      queues: { counts: async () => [], deadLetters: async () => dead },
      logger: createLogger({ level: 'silent' }),
      channels: [
        webhookChannel({ url: webhook.url, secret }),
        emailChannel({ smtpUrl: mail.url, from: 'hub@example.org', to: ['drift@example.org'] }),
      ],
    })!;
    const at = new Date(Date.now() + 31 * 3_600_000);
    await withDeadLetter(at);
    expect(webhook.posts).toHaveLength(2);
    expect(mail.messages).toHaveLength(2);
    expect(mail.messages[1]!.raw).toContain('dead letter: job deliver-transfer-x in queue deliver');
    const { rows } = await sql<{
      channel: string;
      attempts: number;
      last_error: string | null;
      sent: boolean;
    }>`
      SELECT channel, attempts, last_error, sent_at IS NOT NULL AS sent FROM hub.notification
      WHERE kind = 'dead-letter' ORDER BY channel`.execute(database.db);
    expect(rows).toEqual([
      { channel: 'email', attempts: 1, last_error: null, sent: true },
      { channel: 'webhook', attempts: 1, last_error: expect.stringContaining('answered 503'), sent: false },
    ]);
    expect(rows[1]!.last_error).not.toContain('/hooks/pifu');

    // The receiver is back: the same digest (same id) goes out, and only to the webhook.
    webhook.answer.status = 200;
    await withDeadLetter(new Date(at.getTime() + 60_000));
    expect(webhook.posts).toHaveLength(3);
    expect(webhook.posts[2]!.headers['idempotency-key']).toBe(webhook.posts[1]!.headers['idempotency-key']);
    expect(mail.messages).toHaveLength(2);
  });

  it('tells nothing of a hold decided before its notification went out', async () => {
    webhook.answer.status = 500;
    await mutateMunicipality(database.db, { percent: 5, seed: 32 });
    await decideHold(ops, actors.operator, {
      transfer: held,
      decision: 'reject',
      reason: 'case 2026/9: not now',
    });
    const second = (await startExport(ops, actors.operator, { recipients: ['guard'], feedType: 'delta' }))
      .feeds[0]!.transferId;
    const at = new Date(Date.now() + 32 * 3_600_000);
    await notify(at);
    expect(webhook.posts).toHaveLength(4); // refused
    await decideHold(ops, actors.operator, {
      transfer: second,
      decision: 'reject',
      reason: 'case 2026/9: not now',
    });
    webhook.answer.status = 200;
    await notify(new Date(at.getTime() + 60_000));
    expect(webhook.posts).toHaveLength(4); // nothing left to tell: the hold is decided
  });
});

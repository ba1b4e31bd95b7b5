import { randomUUID } from 'node:crypto';
import { createTransport } from '../../../connectors/transports/registry.js';
import type { HubError } from '../../../src/errors/index.js';
import type { FeedFile, Transport } from '../../../src/ports/index.js';
import { hubFailure, spooledFeed } from '../../helpers/spooled-feed.js';
import { makeTestPki, startRecipient, type Recipient, type TestPki } from './https-fixture.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const token = `tok-${randomUUID()}`;
const tokenVariable = 'PIFU_TEST_HTTPS_PUSH_TOKEN';

/** A feed file in a spool directory: a few MB so the body crosses many socket writes. */
function writeFeed(dir: string, transferId?: string): FeedFile {
  const person = (n: number) =>
    `<person recstatus="1"><sourcedid><source>pifu-hub</source><id>p${n}</id></sourcedid></person>\n`;
  const content = `<?xml version="1.0" encoding="UTF-8"?>\n<enterprise>\n${Array.from({ length: 40_000 }, (_, n) => person(n)).join('')}</enterprise>\n`;
  return spooledFeed(dir, content, transferId);
}

describe('https-push transport against a real HTTPS server on loopback', () => {
  let pki: TestPki;
  let spool: string;
  let recipient: Recipient;
  let mtlsRecipient: Recipient;
  /** Every error message any test saw; none may contain the token. */
  const messages: string[] = [];

  const transport = (extra: Record<string, unknown> = {}, url = recipient.url): Transport =>
    createTransport(
      {
        kind: 'https-push',
        url,
        ca: { file: pki.caCert },
        bearerToken: { env: tokenVariable },
        ...extra,
      } as { kind: string },
      'lms',
    );
  const rejected = (promise: Promise<unknown>) => hubFailure(promise, messages);

  beforeAll(async () => {
    pki = makeTestPki();
    spool = scratchDir('pifu-https-spool-');
    process.env[tokenVariable] = `${token}\n`;
    recipient = await startRecipient(pki);
    mtlsRecipient = await startRecipient(pki, { requireClientCert: true });
  });
  afterAll(async () => {
    delete process.env[tokenVariable];
    await recipient.close();
    await mtlsRecipient.close();
    expect(messages.length).toBeGreaterThan(5);
    for (const message of messages) expect(message).not.toContain(token);
  });
  beforeEach(() => {
    recipient.requests.length = 0;
    recipient.respond = () => ({ status: 200 });
  });

  it('POSTs the file streamed, with type, length, RFC 9530 digest, idempotency key and bearer token', async () => {
    const feed = writeFeed(spool);
    const receipt = await transport().deliver(feed);

    expect(receipt).toEqual({ location: recipient.url });
    expect(recipient.requests).toHaveLength(1);
    const [seen] = recipient.requests;
    expect(seen!.method).toBe('POST');
    expect(seen!.path).toBe('/pifu/inbound');
    expect(seen!.bodySha256Hex).toBe(feed.sha256Hex);
    expect(seen!.body.length).toBe(feed.sizeBytes);
    expect(seen!.headers).toMatchObject({
      'content-type': 'application/xml',
      'content-length': String(feed.sizeBytes),
      'content-digest': `sha-256=:${seen!.bodySha256Base64}:`,
      'idempotency-key': feed.transferId,
      authorization: `Bearer ${token}`,
      'content-disposition': `attachment; filename="${feed.fileName}"`,
    });
  });

  it("reports the recipient's Location header, resolved against the URL, and sends extra headers", async () => {
    recipient.respond = () => ({ status: 201, headers: { Location: '/pifu/feeds/42' } });
    const receipt = await transport({ headers: { 'X-Customer': 'oslo' } }).deliver(writeFeed(spool));
    expect(receipt.location).toBe(`${new URL(recipient.url).origin}/pifu/feeds/42`);
    expect(recipient.requests[0]!.headers['x-customer']).toBe('oslo');
  });

  it('does not count a 409 to the first delivery of a transfer as delivered (another conflict): retry later', async () => {
    recipient.respond = () => ({ status: 409, body: 'an import is already running' });
    const failure = transport()
      .deliver({ ...writeFeed(spool), attempt: 1 })
      .catch((error: unknown) => error);
    expect(await failure).toMatchObject({ code: 'PIFU_TRANSPORT_FAILED', retryable: true });
    expect(String(await failure)).toContain('answered 409 to the first delivery');
  });

  it('counts a 409 to a repeated Idempotency-Key as delivered', async () => {
    const seenKeys = new Set<string>();
    recipient.respond = (request) => {
      const key = String(request.headers['idempotency-key']);
      if (seenKeys.has(key)) return { status: 409, body: 'already have this one' };
      seenKeys.add(key);
      return { status: 200 };
    };
    const feed = writeFeed(spool);
    await expect(transport().deliver({ ...feed, attempt: 1 })).resolves.toEqual({ location: recipient.url });
    await expect(transport().deliver({ ...feed, attempt: 2 })).resolves.toEqual({ location: recipient.url });
    expect(
      recipient.requests.map((request) => [request.headers['idempotency-key'], request.bodySha256Hex]),
    ).toEqual([
      [feed.transferId, feed.sha256Hex],
      [feed.transferId, feed.sha256Hex],
    ]);
  });

  it.each([500, 503, 408, 429])(
    'turns %i into a retryable PIFU_TRANSPORT_FAILED with a short excerpt',
    async (status) => {
      recipient.respond = () => ({ status, body: `temporarily unavailable\nyour token was ${token}` });
      const error = await rejected(transport().deliver(writeFeed(spool)));
      expect(error.code).toBe('PIFU_TRANSPORT_FAILED');
      expect(error.retryable).toBe(true);
      expect(error.message).toContain(
        `answered ${status}: "temporarily unavailable your token was [redacted]"`,
      );
    },
  );

  it.each([400, 401, 403, 413, 422])(
    'turns %i into a non-retryable PIFU_TRANSPORT_REJECTED with status and excerpt',
    async (status) => {
      recipient.respond = () => ({
        status,
        body: `{"error":"schema violation at person 01017012345","auth":"Bearer ${token}"}`,
      });
      const error = await rejected(transport().deliver(writeFeed(spool)));
      expect(error.code).toBe('PIFU_TRANSPORT_REJECTED');
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(
        new RegExp(
          `^PIFU_TRANSPORT_REJECTED: https push for lms to https://127\\.0\\.0\\.1:\\d+/pifu/inbound: refused with ${status}: "`,
        ),
      );
      expect(error.message).toContain('schema violation at person [number]');
      expect(error.message).not.toContain('01017012345');
    },
  );

  it('does not follow a redirect', async () => {
    recipient.respond = () => ({ status: 302, headers: { Location: 'https://elsewhere.example/' } });
    const error = await rejected(transport().deliver(writeFeed(spool)));
    expect(error.code).toBe('PIFU_TRANSPORT_REJECTED');
    expect(error.message).toContain('redirects are not followed');
  });

  it('gives up on a recipient that never answers: a retryable timeout, promptly', async () => {
    recipient.respond = () => 'hang';
    const started = Date.now();
    const error = await rejected(transport({ timeoutSeconds: 0.5 }).deliver(writeFeed(spool)));
    expect(error.code).toBe('PIFU_TRANSPORT_FAILED');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('no progress for timeoutSeconds (0.5 s)');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('enforces the overall deadline even while the recipient keeps the connection alive', async () => {
    recipient.respond = () => 'hang';
    const error = await rejected(
      transport({ timeoutSeconds: 30, deadlineSeconds: 0.5 }).deliver(writeFeed(spool)),
    );
    expect(error.code).toBe('PIFU_TRANSPORT_FAILED');
    expect(error.message).toContain('not finished within deadlineSeconds (0.5 s)');
  });

  it('stops when the signal aborts while it is still reading its secrets, before any connection', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = transport({ timeoutSeconds: 60 }).deliver(writeFeed(spool), {
      signal: controller.signal,
    });
    // deliver() has checked the signal and is awaiting its secrets: the abort fires with no listener yet.
    controller.abort();
    const error = await rejected(pending);
    expect(error.code).toBe('PIFU_TRANSPORT_FAILED');
    expect(error.message).toMatch(/: aborted$/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('stops when the signal aborts', async () => {
    recipient.respond = () => 'hang';
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const error = await rejected(transport().deliver(writeFeed(spool), { signal: controller.signal }));
    expect(error.code).toBe('PIFU_TRANSPORT_FAILED');
    expect(error.message).toMatch(/: aborted$/);
  });

  it('treats a refused connection as retryable', async () => {
    const closed = await startRecipient(pki);
    await closed.close();
    const error = await rejected(transport({}, closed.url).deliver(writeFeed(spool)));
    expect(error.code).toBe('PIFU_TRANSPORT_FAILED');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('refuses a server whose certificate it cannot trust, for good, saying to set transport.ca', async () => {
    const untrusting = createTransport({ kind: 'https-push', url: recipient.url } as { kind: string }, 'lms');
    const error = await rejected(untrusting.deliver(writeFeed(spool)));
    expect(error.code).toBe('PIFU_TRANSPORT_REJECTED');
    expect(error.message).toContain('set transport.ca');
    expect(recipient.requests).toHaveLength(0);
  });

  it('presents the client certificate for mutual TLS', async () => {
    const feed = writeFeed(spool);
    const mtls = transport(
      { clientCertificate: { cert: { file: pki.clientCert }, key: { file: pki.clientKey } } },
      mtlsRecipient.url,
    );
    await expect(mtls.deliver(feed)).resolves.toEqual({ location: mtlsRecipient.url });
    expect(mtlsRecipient.requests.map((request) => [request.clientCn, request.bodySha256Hex])).toEqual([
      ['pifu-hub', feed.sha256Hex],
    ]);
  });

  it.each([
    [
      'an unknown client certificate',
      { clientCertificate: { cert: { file: 'stranger.crt' }, key: { file: 'stranger.key' } } },
    ],
    ['no client certificate', {}],
  ])('is refused by an mTLS recipient with %s, and nothing is received', async (_name, extra) => {
    mtlsRecipient.requests.length = 0;
    const config = JSON.parse(
      JSON.stringify(extra).replaceAll('stranger.', `${pki.dir}/stranger.`),
    ) as Record<string, unknown>;
    const error = await rejected(transport(config, mtlsRecipient.url).deliver(writeFeed(spool)));
    // TLS 1.3 checks the client certificate after the handshake: the alert or the reset may arrive first.
    expect(error.message).toMatch(
      /the server refused the TLS handshake \(ERR_SSL_\w+\); check transport\.clientCertificate|the server closed the connection right after the TLS handshake \((ECONNRESET|EPIPE)\); if it requires a client certificate, check transport\.clientCertificate/,
    );
    expect(error.code).toBe(
      error.message.includes('refused') ? 'PIFU_TRANSPORT_REJECTED' : 'PIFU_TRANSPORT_FAILED',
    );
    expect(mtlsRecipient.requests).toHaveLength(0);
  });

  it('names a missing token variable, not a value, and sends nothing', async () => {
    const error = await rejected(
      transport({ bearerToken: { env: 'PIFU_TEST_NO_SUCH_TOKEN' } }).deliver(writeFeed(spool)),
    );
    expect(error.code).toBe('PIFU_CONFIG_INVALID');
    expect(error.message).toBe(
      'PIFU_CONFIG_INVALID: recipient "lms": transport.bearerToken: environment variable PIFU_TEST_NO_SUCH_TOKEN is not set or empty; set it to the secret',
    );
    expect(recipient.requests).toHaveLength(0);
  });

  it('refuses http:// and literal secrets when the transport is built from config', () => {
    const build = (config: Record<string, unknown>) => {
      try {
        createTransport({ kind: 'https-push', ...config }, 'lms');
      } catch (error) {
        messages.push((error as Error).message);
        return (error as HubError).message;
      }
      throw new Error('expected the config to be refused');
    };
    expect(build({ url: recipient.url.replace('https:', 'http:') })).toContain(
      'PIFU_RECIPIENT_INVALID: recipient "lms": transport.url: plain http:// is refused: feeds travel encrypted only (docs/requirements.md#r7)',
    );
    expect(build({ url: recipient.url, bearerToken: token })).toContain(
      'transport.bearerToken: a secret never goes in the config file: put it in an environment variable or a file and use { "env": "VARIABLE_NAME" } or { "file": "/path/to/secret" }',
    );
    expect(build({ url: recipient.url, token })).toContain('transport.token: "token" looks like a secret');
  });
});

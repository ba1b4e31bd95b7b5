import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createTransport } from '../../../connectors/transports/registry.js';
import type { FeedFile, Transport } from '../../../src/ports/index.js';
import { hubFailure, spooledFeed } from '../../helpers/spooled-feed.js';
import { makeKey, startSftpServer, type TestKey, type TestSftpServer } from './sftp-fixture.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const passphrase = `pass-${randomUUID()}`;
const passphraseVariable = 'PIFU_TEST_SFTP_PASSPHRASE';

function writeFeed(dir: string): FeedFile {
  return spooledFeed(
    dir,
    `<?xml version="1.0" encoding="UTF-8"?>\n<enterprise>\n${'<person recstatus="1"/>\n'.repeat(60_000)}</enterprise>\n`,
  );
}

describe('sftp transport against an in-process SSH server on loopback', () => {
  let hostKey: TestKey;
  let clientKey: TestKey;
  let server: TestSftpServer;
  let inbound: string;
  let spool: string;
  const messages: string[] = [];

  const transport = (extra: Record<string, unknown> = {}): Transport =>
    createTransport(
      {
        kind: 'sftp',
        host: '127.0.0.1',
        port: server.port,
        username: 'pifu',
        privateKey: { file: clientKey.privateKeyPath },
        passphrase: { env: passphraseVariable },
        hostKey: hostKey.fingerprint,
        directory: '/inbound',
        timeoutSeconds: 5,
        ...extra,
      } as { kind: string },
      'lms',
    );
  const rejected = (promise: Promise<unknown>) => hubFailure(promise, messages);

  beforeAll(async () => {
    hostKey = makeKey('host');
    clientKey = makeKey('client', passphrase);
    process.env[passphraseVariable] = passphrase;
    server = await startSftpServer({ hostKey, user: 'pifu', authorizedKey: clientKey });
    inbound = join(server.root, 'inbound');
    mkdirSync(inbound);
    spool = scratchDir('pifu-sftp-spool-');
  });
  afterAll(async () => {
    delete process.env[passphraseVariable];
    await server.close();
    const privateKey = readFileSync(clientKey.privateKeyPath, 'utf8');
    expect(messages.length).toBeGreaterThan(4);
    for (const message of messages) {
      expect(message).not.toContain(passphrase);
      expect(message).not.toContain(privateKey.split('\n')[1]);
    }
  });
  beforeEach(() => {
    server.requests.length = 0;
    for (const name of readdirSync(inbound)) rmSync(join(inbound, name));
  });

  it('uploads under a temporary name, checks the size, renames, then writes the .sha256 beside it', async () => {
    const feed = writeFeed(spool);
    const receipt = await transport().deliver(feed);

    expect(receipt).toEqual({ location: `sftp://127.0.0.1:${server.port}/inbound/${feed.fileName}` });
    expect(readdirSync(inbound).sort()).toEqual([feed.fileName, `${feed.fileName}.sha256`]);
    expect(readFileSync(join(inbound, feed.fileName)).equals(readFileSync(feed.path))).toBe(true);
    expect(readFileSync(join(inbound, `${feed.fileName}.sha256`), 'utf8')).toBe(
      `${feed.sha256Hex}  ${feed.fileName}\n`,
    );
    const temporary = `/inbound/.${feed.fileName}.`;
    const order = server.requests.filter((request) => /^(OPEN|RENAME) /.test(request));
    expect(order).toEqual([
      expect.stringMatching(new RegExp(`^OPEN ${escape(temporary)}[0-9a-f]{8}\\.partial$`)),
      expect.stringMatching(
        new RegExp(`^RENAME ${escape(temporary)}[0-9a-f]{8}\\.partial /inbound/${escape(feed.fileName)}$`),
      ),
      `OPEN /inbound/${feed.fileName}.sha256`, // the read of an existing checksum, which fails
      expect.stringMatching(new RegExp(`^OPEN ${escape(temporary)}sha256\\.[0-9a-f]{8}\\.partial$`)),
      expect.stringMatching(new RegExp(`^RENAME .* /inbound/${escape(feed.fileName)}\\.sha256$`)),
    ]);
  });

  it('is idempotent: a repeated delivery finds the file in place and uploads nothing', async () => {
    const feed = writeFeed(spool);
    await transport().deliver(feed);
    const before = statSync(join(inbound, feed.fileName)).mtimeMs;
    server.requests.length = 0;

    await expect(transport().deliver(feed)).resolves.toEqual({
      location: `sftp://127.0.0.1:${server.port}/inbound/${feed.fileName}`,
    });
    expect(server.requests.filter((request) => /^(RENAME|REMOVE) /.test(request))).toEqual([]);
    expect(server.requests.filter((request) => request.startsWith('OPEN '))).toEqual([
      `OPEN /inbound/${feed.fileName}.sha256`,
    ]);
    expect(readdirSync(inbound).sort()).toEqual([feed.fileName, `${feed.fileName}.sha256`]);
    expect(statSync(join(inbound, feed.fileName)).mtimeMs).toBe(before);
  });

  it('completes a delivery cut short after the rename: only the checksum file is written', async () => {
    const feed = writeFeed(spool);
    await transport().deliver(feed);
    rmSync(join(inbound, `${feed.fileName}.sha256`));
    server.requests.length = 0;

    await transport().deliver(feed);
    expect(
      server.requests.some((request) => request.startsWith(`RENAME /inbound/.${feed.fileName}.sha256.`)),
    ).toBe(true);
    expect(server.requests.some((request) => /\.partial \/inbound\/[^ ]+\.xml$/.test(request))).toBe(false);
    expect(readFileSync(join(inbound, `${feed.fileName}.sha256`), 'utf8')).toBe(
      `${feed.sha256Hex}  ${feed.fileName}\n`,
    );
  });

  it('replaces a truncated copy under the final name and clears temporary files of earlier attempts', async () => {
    const feed = writeFeed(spool);
    writeFileSync(join(inbound, feed.fileName), '<?xml version="1.0"?><enter');
    writeFileSync(join(inbound, `.${feed.fileName}.0badf00d.partial`), 'half');
    writeFileSync(join(inbound, 'someone-elses-file.xml'), 'keep me');

    await transport().deliver(feed);
    expect(readdirSync(inbound).sort()).toEqual(
      [feed.fileName, `${feed.fileName}.sha256`, 'someone-elses-file.xml'].sort(),
    );
    expect(readFileSync(join(inbound, feed.fileName)).equals(readFileSync(feed.path))).toBe(true);
  });

  it('refuses a changed host key for good, naming the expected and the received fingerprint', async () => {
    const pinned = makeKey('old-host').fingerprint;
    const error = await rejected(transport({ hostKey: pinned }).deliver(writeFeed(spool)));
    expect(error.code).toBe('PIFU_TRANSPORT_REJECTED');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      `PIFU_TRANSPORT_REJECTED: sftp for lms to 127.0.0.1:${server.port}: host key mismatch: expected ${pinned}, received ${hostKey.fingerprint}; the server may have been replaced or intercepted: confirm the new fingerprint with the recipient out of band before changing transport.hostKey`,
    );
    expect(server.requests).toEqual([]);
    expect(readdirSync(inbound)).toEqual([]);
  });

  it('accepts any of several pinned fingerprints (key rotation)', async () => {
    const feed = writeFeed(spool);
    await transport({ hostKey: [makeKey('next-host').fingerprint, hostKey.fingerprint] }).deliver(feed);
    expect(readdirSync(inbound)).toContain(feed.fileName);
  });

  it('is refused for good with a key the server does not know', async () => {
    const stranger = makeKey('stranger');
    const error = await rejected(
      transport({ privateKey: { file: stranger.privateKeyPath }, passphrase: undefined }).deliver(
        writeFeed(spool),
      ),
    );
    expect(error.code).toBe('PIFU_TRANSPORT_REJECTED');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('the server refused public-key login as "pifu"');
    expect(readdirSync(inbound)).toEqual([]);
  });

  it('says the key cannot be read when the passphrase is wrong, without a word of key or passphrase', async () => {
    process.env['PIFU_TEST_SFTP_WRONG_PASSPHRASE'] = 'not-it';
    try {
      const error = await rejected(
        transport({ passphrase: { env: 'PIFU_TEST_SFTP_WRONG_PASSPHRASE' } }).deliver(writeFeed(spool)),
      );
      expect(error.code).toBe('PIFU_CONFIG_INVALID');
      expect(error.message).toBe(
        'PIFU_CONFIG_INVALID: recipient "lms": transport.privateKey: the private key cannot be read (not an OpenSSH/PEM key, or a wrong or missing passphrase)',
      );
    } finally {
      delete process.env['PIFU_TEST_SFTP_WRONG_PASSPHRASE'];
    }
  });

  it('refuses for good when the remote directory does not exist', async () => {
    const error = await rejected(transport({ directory: '/nowhere' }).deliver(writeFeed(spool)));
    expect(error.code).toBe('PIFU_TRANSPORT_REJECTED');
    expect(error.message).toContain('the remote directory /nowhere does not exist');
  });

  it('retries a server that is not there', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await rejected(transport({ port }).deliver(writeFeed(spool)));
    expect(error.code).toBe('PIFU_TRANSPORT_FAILED');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('gives up, retryably, on a server that accepts the connection and never speaks', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const error = await rejected(
        transport({ port: (silent.address() as AddressInfo).port, timeoutSeconds: 0.5 }).deliver(
          writeFeed(spool),
        ),
      );
      expect(error.code).toBe('PIFU_TRANSPORT_FAILED');
      expect(error.message).toMatch(
        /no SSH handshake within timeoutSeconds \(0\.5 s\)|no progress for timeoutSeconds/,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      silent.close();
    }
  });

  it('stops promptly when the signal aborts while connecting', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const started = Date.now();
      const error = await rejected(
        transport({ port: (silent.address() as AddressInfo).port, timeoutSeconds: 60 }).deliver(
          writeFeed(spool),
          { signal: controller.signal },
        ),
      );
      expect(error.code).toBe('PIFU_TRANSPORT_FAILED');
      expect(error.message).toMatch(/: aborted$/);
      // Far below the 60 s handshake timeout, with room for a loaded machine.
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      silent.close();
    }
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
    const controller = new AbortController();
    controller.abort();
    const error = await rejected(transport().deliver(writeFeed(spool), { signal: controller.signal }));
    expect(error.code).toBe('PIFU_TRANSPORT_FAILED');
    expect(error.message).toMatch(/: aborted$/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

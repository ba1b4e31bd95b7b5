import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTransport } from '../../../connectors/transports/registry.js';
import type { FeedFile, Transport } from '../../../src/ports/index.js';
import { makeTestPki, startRecipient, type Recipient } from './https-fixture.js';
import { makeKey, startSftpServer, type TestKey, type TestSftpServer } from './sftp-fixture.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/**
 * Transport.confirm: after a crash between a delivery and its acknowledgement, does the recipient hold
 * the transfer's feed? Each transport answers from what its recipient has, and clears what an
 * interrupted delivery left behind.
 */
function writeFeed(dir: string): FeedFile {
  const transferId = `tr-${randomUUID()}`;
  const content = `<?xml version="1.0" encoding="UTF-8"?>\n<enterprise>\n${'<person recstatus="1"/>\n'.repeat(20_000)}</enterprise>\n`;
  const path = join(dir, `${transferId}.xml`);
  writeFileSync(path, content);
  return {
    transferId,
    recipientId: 'lms',
    path,
    fileName: `pifu-lms-${transferId}.xml`,
    sizeBytes: Buffer.byteLength(content),
    sha256Hex: createHash('sha256').update(content).digest('hex'),
    attempt: 2,
  };
}

const confirm = (transport: Transport, feed: FeedFile) => {
  if (transport.confirm === undefined) throw new Error(`${transport.kind} cannot confirm`);
  return transport.confirm(feed);
};

const spool = scratchDir('pifu-confirm-spool-');

describe('file drop confirm', () => {
  let drop: string;
  let transport: Transport;
  beforeEach(() => {
    drop = scratchDir('pifu-confirm-drop-');
    transport = createTransport({ kind: 'file-drop', directory: drop } as { kind: string }, 'lms');
  });

  it('holds a feed copied under its name with its sha-256, completes a missing .sha256 and clears partial copies', async () => {
    const feed = writeFeed(spool);
    await transport.deliver(feed);
    rmSync(join(drop, `${feed.fileName}.sha256`));
    writeFileSync(join(drop, `${feed.fileName}.4242.1.partial`), '<?xml');
    writeFileSync(join(drop, 'someone-elses.xml.1.2.partial'), 'keep');

    await expect(confirm(transport, feed)).resolves.toEqual({ location: join(drop, feed.fileName) });
    expect(readdirSync(drop).sort()).toEqual(
      [feed.fileName, `${feed.fileName}.sha256`, 'someone-elses.xml.1.2.partial'].sort(),
    );
    expect(readFileSync(join(drop, `${feed.fileName}.sha256`), 'utf8')).toBe(
      `${feed.sha256Hex}  ${feed.fileName}\n`,
    );
  });

  it('does not hold a file of the same name and size with other content, nor a missing one; partials go', async () => {
    const feed = writeFeed(spool);
    const other = readFileSync(feed.path, 'utf8').replace('recstatus="1"', 'recstatus="2"');
    writeFileSync(join(drop, feed.fileName), other);
    await expect(confirm(transport, feed)).resolves.toBeUndefined();

    rmSync(join(drop, feed.fileName));
    writeFileSync(join(drop, `${feed.fileName}.4242.1.partial`), '<?xml');
    await expect(confirm(transport, feed)).resolves.toBeUndefined();
    expect(readdirSync(drop)).toEqual([]);
  });
});

describe('sftp confirm against an in-process SSH server on loopback', () => {
  let hostKey: TestKey;
  let clientKey: TestKey;
  let server: TestSftpServer;
  let inbound: string;
  let transport: Transport;
  beforeAll(async () => {
    hostKey = makeKey('host');
    clientKey = makeKey('client');
    server = await startSftpServer({ hostKey, user: 'pifu', authorizedKey: clientKey });
    inbound = join(server.root, 'inbound');
    mkdirSync(inbound);
    transport = createTransport(
      {
        kind: 'sftp',
        host: '127.0.0.1',
        port: server.port,
        username: 'pifu',
        privateKey: { file: clientKey.privateKeyPath },
        hostKey: hostKey.fingerprint,
        directory: '/inbound',
        timeoutSeconds: 5,
      } as { kind: string },
      'lms',
    );
  });
  afterAll(async () => server.close());
  beforeEach(() => {
    for (const name of readdirSync(inbound)) rmSync(join(inbound, name));
  });

  it('holds a file of the feed size under its name (stat), completes the checksum file and removes temporary uploads', async () => {
    const feed = writeFeed(spool);
    await transport.deliver(feed);
    rmSync(join(inbound, `${feed.fileName}.sha256`));
    writeFileSync(join(inbound, `.${feed.fileName}.0badf00d.partial`), 'half');
    server.requests.length = 0;

    await expect(confirm(transport, feed)).resolves.toEqual({
      location: `sftp://127.0.0.1:${server.port}/inbound/${feed.fileName}`,
    });
    expect(readdirSync(inbound).sort()).toEqual([feed.fileName, `${feed.fileName}.sha256`]);
    expect(readFileSync(join(inbound, `${feed.fileName}.sha256`), 'utf8')).toBe(
      `${feed.sha256Hex}  ${feed.fileName}\n`,
    );
    // Only the checksum file was read and written: the feed itself was not uploaded again.
    const opened = server.requests.filter((request) => request.startsWith('OPEN '));
    expect(opened.length).toBeGreaterThan(0);
    expect(opened.filter((request) => !request.includes('.sha256'))).toEqual([]);
  });

  it('does not hold a truncated copy or a missing file, and uploads nothing', async () => {
    const feed = writeFeed(spool);
    writeFileSync(join(inbound, feed.fileName), '<?xml version="1.0"?><enter');
    await expect(confirm(transport, feed)).resolves.toBeUndefined();
    rmSync(join(inbound, feed.fileName));
    writeFileSync(join(inbound, `.${feed.fileName}.0badf00d.partial`), 'half');
    server.requests.length = 0;
    await expect(confirm(transport, feed)).resolves.toBeUndefined();
    expect(readdirSync(inbound)).toEqual([]);
    expect(server.requests.filter((request) => request.startsWith('OPEN '))).toEqual([]);
  });
});

describe('https-push confirm against a real HTTPS server on loopback', () => {
  let recipient: Recipient;
  let transport: Transport;
  beforeAll(async () => {
    const pki = makeTestPki();
    recipient = await startRecipient(pki);
    transport = createTransport(
      { kind: 'https-push', url: recipient.url, ca: { file: pki.caCert } } as { kind: string },
      'lms',
    );
  });
  afterAll(async () => recipient.close());

  it('repeats the delivery with the same Idempotency-Key: a 409 "already have it" counts, even from a first try', async () => {
    const feed = writeFeed(spool);
    await transport.deliver(feed);
    recipient.respond = () => ({ status: 409, body: 'duplicate' });

    await expect(confirm(transport, { ...feed, attempt: 1 })).resolves.toEqual({ location: recipient.url });
    expect(recipient.requests.map((request) => request.headers['idempotency-key'])).toEqual([
      feed.transferId,
      feed.transferId,
    ]);
    expect(recipient.requests[1]!.bodySha256Hex).toBe(feed.sha256Hex);
  });

  it('cannot tell when the recipient fails: the error comes back, nothing is claimed', async () => {
    recipient.respond = () => ({ status: 503 });
    await expect(confirm(transport, writeFeed(spool))).rejects.toMatchObject({
      code: 'PIFU_TRANSPORT_FAILED',
    });
  });
});

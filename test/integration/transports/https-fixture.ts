import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { scratchDir } from '../../helpers/scratch-dir.js';

/** Paths of throwaway PEM files made with the openssl CLI: a CA, a server and client cert it signed, and a stranger. */
export interface TestPki {
  readonly dir: string;
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A client certificate from a CA the server does not know. */
  readonly strangerCert: string;
  readonly strangerKey: string;
}

export function makeTestPki(): TestPki {
  const dir = scratchDir('pifu-pki-');
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('/usr/bin/openssl', args, { cwd: dir, stdio: 'pipe' });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string, cn: string) =>
    openssl(
      'req',
      '-x509',
      ...newKey,
      '-keyout',
      at(`${name}.key`),
      '-out',
      at(`${name}.crt`),
      '-subj',
      `/CN=${cn}`,
      '-days',
      '2',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
  const leaf = (name: string, cn: string, signer: string, extensions: string) => {
    writeFileSync(at(`${name}.ext`), extensions);
    openssl('req', ...newKey, '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`), '-subj', `/CN=${cn}`);
    openssl(
      'x509',
      '-req',
      '-in',
      at(`${name}.csr`),
      '-CA',
      at(`${signer}.crt`),
      '-CAkey',
      at(`${signer}.key`),
      '-CAcreateserial',
      '-out',
      at(`${name}.crt`),
      '-days',
      '2',
      '-extfile',
      at(`${name}.ext`),
    );
  };
  ca('ca', 'pifu-test-ca');
  ca('stranger-ca', 'somebody-else');
  leaf(
    'server',
    '127.0.0.1',
    'ca',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  leaf('client', 'pifu-hub', 'ca', 'extendedKeyUsage=clientAuth\n');
  leaf('stranger', 'pifu-hub', 'stranger-ca', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caCert: at('ca.crt'),
    serverCert: at('server.crt'),
    serverKey: at('server.key'),
    clientCert: at('client.crt'),
    clientKey: at('client.key'),
    strangerCert: at('stranger.crt'),
    strangerKey: at('stranger.key'),
  };
}

/** One request as the recipient saw it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly bodySha256Hex: string;
  readonly bodySha256Base64: string;
  /** The verified client certificate's CN, when the server asked for one. */
  readonly clientCn: string | undefined;
}

export type Reply = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

/** A recipient on 127.0.0.1: records every request, answers what `respond` says for it. */
export interface Recipient {
  readonly url: string;
  readonly requests: RecordedRequest[];
  respond: (request: RecordedRequest, index: number) => Reply;
  close(): Promise<void>;
}

export async function startRecipient(
  pki: TestPki,
  options: { requireClientCert?: boolean; respond?: Recipient['respond'] } = {},
): Promise<Recipient> {
  const requests: RecordedRequest[] = [];
  const recipient: Recipient & { server?: Server } = {
    url: '',
    requests,
    respond: options.respond ?? (() => ({ status: 200 })),
    close: async () => undefined,
  };
  const server = createServer(
    {
      key: readFileSync(pki.serverKey),
      cert: readFileSync(pki.serverCert),
      ca: readFileSync(pki.caCert),
      requestCert: options.requireClientCert === true,
      rejectUnauthorized: options.requireClientCert === true,
    },
    (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const socket = request.socket as TLSSocket;
        const peer = options.requireClientCert === true ? socket.getPeerCertificate() : undefined;
        const recorded: RecordedRequest = {
          method: request.method ?? '',
          path: request.url ?? '',
          headers: request.headers,
          body,
          bodySha256Hex: createHash('sha256').update(body).digest('hex'),
          bodySha256Base64: createHash('sha256').update(body).digest('base64'),
          clientCn: typeof peer?.subject?.CN === 'string' ? peer.subject.CN : undefined,
        };
        requests.push(recorded);
        const reply = recipient.respond(recorded, requests.length - 1);
        if (reply === 'hang') return;
        response.writeHead(reply.status, { 'Content-Type': 'text/plain', ...reply.headers });
        response.end(reply.body ?? '');
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(recipient, {
    url: `https://127.0.0.1:${port}/pifu/inbound`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkTransportConfig, createTransport } from '../../../connectors/transports/registry.js';
import { excerpt } from '../../../connectors/transports/https-push/index.js';
import { hostKeyFingerprint } from '../../../connectors/transports/sftp/index.js';
import { readSecret, secretSourceSchema } from '../../../src/config/index.js';
import { HubError } from '../../../src/errors/index.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const fingerprint = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';
const https = { kind: 'https-push', url: 'https://lms.example.no/pifu' };
const sftp = {
  kind: 'sftp',
  host: 'sftp.example.no',
  username: 'pifu',
  privateKey: { file: '/run/secrets/sftp-key' },
  hostKey: fingerprint,
  directory: '/inbound',
};

describe('secret sources', () => {
  it('accepts { env } or { file } and refuses a literal without repeating it', () => {
    expect(secretSourceSchema.parse({ env: 'LMS_TOKEN' })).toEqual({ env: 'LMS_TOKEN' });
    expect(secretSourceSchema.parse({ file: '/run/secrets/token' })).toEqual({ file: '/run/secrets/token' });
    const literal = secretSourceSchema.safeParse('s3cr3t-literal');
    expect(literal.success).toBe(false);
    const message = literal.error!.issues.map((issue) => issue.message).join('; ');
    expect(message).toContain('a secret never goes in the config file');
    expect(message).toContain('{ "env": "VARIABLE_NAME" } or { "file": "/path/to/secret" }');
    expect(message).not.toContain('s3cr3t-literal');
    expect(secretSourceSchema.safeParse({ env: 'A', file: 'b' }).success).toBe(false);
    expect(secretSourceSchema.safeParse({ env: 'lower case' }).success).toBe(false);
  });

  it('reads an environment variable or file as text, without the whitespace around it', async () => {
    const dir = scratchDir('pifu-secret-');
    writeFileSync(join(dir, 'token'), ' from-a-file\t\r\n\n');
    process.env['PIFU_TEST_SECRET_SOURCE'] = 'from-the-environment \n';
    try {
      expect((await readSecret({ env: 'PIFU_TEST_SECRET_SOURCE' }, 'x')).toString()).toBe(
        'from-the-environment',
      );
      expect((await readSecret({ file: join(dir, 'token') }, 'x')).toString()).toBe('from-a-file');
    } finally {
      delete process.env['PIFU_TEST_SECRET_SOURCE'];
    }
  });

  it('names the variable or file, never a value, when the secret is missing or empty', async () => {
    const dir = scratchDir('pifu-secret-');
    writeFileSync(join(dir, 'empty'), '\n');
    const failure = async (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: unknown) => error,
      );

    const unset = await failure(
      readSecret({ env: 'PIFU_TEST_UNSET_SECRET' }, 'recipient "lms": transport.bearerToken'),
    );
    expect(unset).toBeInstanceOf(HubError);
    expect((unset as HubError).code).toBe('PIFU_CONFIG_INVALID');
    expect((unset as HubError).message).toBe(
      'PIFU_CONFIG_INVALID: recipient "lms": transport.bearerToken: environment variable PIFU_TEST_UNSET_SECRET is not set or empty; set it to the secret',
    );
    expect(((await failure(readSecret({ file: join(dir, 'missing') }, 'k'))) as HubError).message).toBe(
      `PIFU_CONFIG_INVALID: k: cannot read secret file ${join(dir, 'missing')} (ENOENT)`,
    );
    expect(((await failure(readSecret({ file: join(dir, 'empty') }, 'k'))) as HubError).message).toBe(
      `PIFU_CONFIG_INVALID: k: secret file ${join(dir, 'empty')} is empty`,
    );
  });
});

describe('https-push config', () => {
  it('accepts a full config and fills in the timeouts', () => {
    expect(
      checkTransportConfig({
        ...https,
        bearerToken: { env: 'LMS_TOKEN' },
        clientCertificate: {
          cert: { file: '/etc/pifu/client.crt' },
          key: { file: '/run/secrets/client.key' },
        },
        ca: { file: '/etc/pifu/recipient-ca.pem' },
        headers: { 'X-Customer': 'oslo' },
      } as { kind: string }),
    ).toEqual([]);
    expect(createTransport(https, 'lms').kind).toBe('https-push');
  });

  it.each([
    [
      'plain http (R7)',
      { ...https, url: 'http://lms.example.no/pifu' },
      'transport.url: plain http:// is refused: feeds travel encrypted only (docs/requirements.md#r7)',
    ],
    ['ftp', { ...https, url: 'ftp://lms.example.no/' }, 'transport.url: ftp: is not supported here'],
    ['not a URL', { ...https, url: 'lms.example.no' }, 'transport.url: an absolute URL'],
    ['missing URL', { kind: 'https-push' }, 'transport.url: is required'],
    [
      'literal bearer token',
      { ...https, bearerToken: 'abc-literal' },
      'transport.bearerToken: a secret never goes in the config file',
    ],
    [
      'literal token key',
      { ...https, token: 'abc-literal' },
      'transport.token: "token" looks like a secret, and secrets never go in the config file: use "bearerToken": { "env"',
    ],
    [
      'password',
      { ...https, password: 'abc-literal' },
      'transport.password: "password" looks like a secret, and secrets never go in the config file: password authentication is not supported',
    ],
    [
      'literal client key',
      {
        ...https,
        clientCertificate: { cert: { file: '/c' }, key: '-----BEGIN PRIVATE KEY-----abc-literal' },
      },
      'transport.clientCertificate.key: a secret never goes in the config file',
    ],
    [
      'credentials in the URL',
      { ...https, url: 'https://user:abc-literal@lms.example.no/' },
      'transport.url: credentials in the URL are refused',
    ],
    [
      'token in the query',
      { ...https, url: 'https://lms.example.no/?access_token=abc-literal' },
      'transport.url: the query parameter "access_token" looks like a credential',
    ],
    [
      'Authorization header',
      { ...https, headers: { Authorization: 'Bearer abc-literal' } },
      'transport.headers.Authorization: set by the transport from "bearerToken"',
    ],
    [
      'API key header',
      { ...https, headers: { 'X-Api-Key': 'abc-literal' } },
      'transport.headers.X-Api-Key: looks like a credential',
    ],
    [
      'protocol header',
      { ...https, headers: { 'Idempotency-Key': 'x' } },
      'transport.headers.Idempotency-Key: set by the transport',
    ],
    ['zero timeout', { ...https, timeoutSeconds: 0 }, 'transport.timeoutSeconds:'],
    [
      'unknown key',
      { ...https, retries: 3 },
      'transport.retries: "retries" is not a setting here; use kind, url, bearerToken',
    ],
  ])('refuses %s with a transport.<path> line that never repeats a secret', (_name, config, expected) => {
    const problems = checkTransportConfig(config as { kind: string });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
    expect(problems.join('\n')).not.toContain('abc-literal');
    expect(() => createTransport(config as { kind: string }, 'lms')).toThrow(
      /PIFU_RECIPIENT_INVALID: recipient "lms": transport\./,
    );
  });
});

describe('sftp config', () => {
  it('accepts a config, defaults the port and takes a list of fingerprints', () => {
    expect(checkTransportConfig(sftp)).toEqual([]);
    expect(
      checkTransportConfig({
        ...sftp,
        passphrase: { env: 'SFTP_KEY_PASSPHRASE' },
        hostKey: [fingerprint, fingerprint],
      } as { kind: string }),
    ).toEqual([]);
    expect(createTransport(sftp, 'lms').kind).toBe('sftp');
  });

  it.each([
    [
      'no host key',
      (({ hostKey: _hostKey, ...rest }) => rest)(sftp),
      'transport.hostKey: is required: the server\'s host key fingerprint as "SHA256:<base64>"',
    ],
    ['a host key that is no fingerprint', { ...sftp, hostKey: 'ssh-ed25519 AAAAC3Nz' }, 'transport.hostKey:'],
    [
      'a literal private key',
      { ...sftp, privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----abc-literal' },
      'transport.privateKey: a secret never goes in the config file',
    ],
    [
      'a literal passphrase',
      { ...sftp, passphrase: 'abc-literal' },
      'transport.passphrase: a secret never goes in the config file',
    ],
    [
      'password login',
      { ...sftp, password: 'abc-literal' },
      'transport.password: "password" looks like a secret, and secrets never go in the config file: password login is not supported (public-key only)',
    ],
    [
      'a URL for a host',
      { ...sftp, host: 'sftp://sftp.example.no/in' },
      'transport.host: a host name or IP address',
    ],
    [
      'no directory',
      (({ directory: _directory, ...rest }) => rest)(sftp),
      'transport.directory: is required',
    ],
    ['port out of range', { ...sftp, port: 70000 }, 'transport.port:'],
  ])('refuses %s', (_name, config, expected) => {
    const problems = checkTransportConfig(config as { kind: string });
    expect(problems.length).toBeGreaterThanOrEqual(1);
    expect(problems.join('\n')).toContain(expected);
    expect(problems.join('\n')).not.toContain('abc-literal');
  });

  it('fingerprints a host key the way OpenSSH prints it', () => {
    // `ssh-keygen -lf` of this ed25519 public key prints SHA256:L4oDVM9RHsM/1fNX12Q6eu99WeZ7xrMgPlI24n5SJEQ
    const blob = Buffer.from(
      'AAAAC3NzaC1lZDI1NTE5AAAAIPsxdI8Ia2Wi6nyckrlQRNOKMRRd7vbh0TU9aoD2OALb',
      'base64',
    );
    expect(hostKeyFingerprint(blob)).toBe('SHA256:L4oDVM9RHsM/1fNX12Q6eu99WeZ7xrMgPlI24n5SJEQ');
  });
});

describe('https-push error excerpts', () => {
  it('keeps one short line and drops tokens, national ids and e-mail addresses', () => {
    const body = Buffer.from(
      `invalid person 01017012345\n(kari@example.no) with header Bearer tok-123 and tok-123 again ${'x'.repeat(500)}`,
    );
    const text = excerpt(body, 'tok-123');
    expect(text).not.toMatch(/tok-123|01017012345|kari@example\.no|\n/);
    expect(text).toContain('invalid person [number]');
    expect(text.length).toBeLessThanOrEqual(201);
  });
});

import { captureLogger } from '../../helpers/hub-fixture.js';

describe('log redaction for transport secrets', () => {
  it('censors resolved tokens, keys, passphrases and Authorization headers wherever they are logged', () => {
    const { logger, lines } = captureLogger();
    const secret = 'tok-never-in-a-log';
    logger.info(
      { headers: { Authorization: `Bearer ${secret}`, authorization: `Bearer ${secret}` } },
      'request',
    );
    logger.info({ transport: { bearerToken: secret, clientCertificate: { key: secret } } }, 'config');
    logger.info({ sftp: { privateKey: secret, passphrase: secret, password: secret } }, 'sftp');
    logger.info({ request: { headers: { Authorization: `Bearer ${secret}` } } }, 'nested');
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line).not.toContain(secret);
      expect(line).toContain('[redacted]');
    }
  });
});

import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Keys never logged (docs/requirements.md#c9). Pino redacts keys, not text: person identifiers must never be
 * put into messages or error strings in the first place; a test scans real log output for fødselsnummer.
 */
const redactedPaths = [
  'nin',
  '*.nin',
  'personNIN',
  '*.personNIN',
  'ssn',
  '*.ssn',
  'password',
  '*.password',
  'token',
  '*.token',
  'privateKey',
  '*.privateKey',
  'passphrase',
  '*.passphrase',
  'headers.authorization',
  '*.headers.authorization',
  // Transports (connectors/transports): config holds only { env } / { file } references, but a resolved
  // token, key or Authorization header must never reach a log line if someone logs one.
  'headers.Authorization',
  '*.headers.Authorization',
  'bearerToken',
  '*.bearerToken',
  'clientCertificate.key',
  '*.clientCertificate.key',
  'url',
  '*.url',
];

/** The one root logger of a process; everything else gets a `.child()` of it. */
export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  const config: LoggerOptions = {
    level: options.level,
    base: { service: 'pifu-hub' },
    redact: { paths: redactedPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination === undefined
    ? pino(config, pino.destination(2))
    : pino(config, options.destination);
}

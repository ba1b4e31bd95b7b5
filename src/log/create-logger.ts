import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { build as prettyStream } from 'pino-pretty';

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

/** `json`: one JSON object per line (files, collectors, CI); `pretty`: one readable line for a person. */
export type LogFormat = 'json' | 'pretty';

/**
 * Logs go to stderr, so they never mix into a command's table or JSON on stdout. Pretty only for a
 * person at a terminal: stderr is a TTY, not under CI, and the command was not asked for `--json`.
 */
export function chooseLogFormat(where: {
  stderrIsTTY: boolean;
  ci: string | undefined;
  json: boolean;
}): LogFormat {
  const ci = where.ci !== undefined && where.ci !== '' && where.ci !== 'false' && where.ci !== '0';
  return where.stderrIsTTY && !ci && !where.json ? 'pretty' : 'json';
}

/**
 * The one root logger of a process; everything else gets a `.child()` of it. Redaction happens before
 * either format writes a line.
 */
export function createLogger(options: {
  level: string;
  format?: LogFormat;
  destination?: DestinationStream;
}): Logger {
  const config: LoggerOptions = {
    level: options.level,
    base: { service: 'pifu-hub' },
    redact: { paths: redactedPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.format === 'pretty') {
    return pino(
      config,
      prettyStream({
        destination: options.destination ?? 2,
        sync: true,
        colorize: options.destination === undefined,
        ignore: 'pid,hostname,service',
        translateTime: 'SYS:HH:MM:ss',
      }),
    );
  }
  return options.destination === undefined
    ? pino(config, pino.destination(2))
    : pino(config, options.destination);
}

import { readFileSync } from 'node:fs';

/**
 * Every environment variable the hub reads, in one place (docs/requirements.md#c5: only src/config reads
 * process.env). README's configuration table and docker-compose.yml are checked against this list by
 * a test, so they cannot drift apart.
 */
export const environmentVariables = {
  DATABASE_URL: 'PostgreSQL URL of the hub database. Unset: embedded PGlite in the data directory.',
  SOURCE_DATABASE_URL: 'PostgreSQL URL of the records store (read-only). Unset: same as DATABASE_URL.',
  REDIS_URL: 'Redis URL for the queues. Unset: a private redis-server from PATH, or in-process jobs.',
  PIFU_HUB_DATA_DIR: 'Directory for PGlite data and spool files. Default: .pifu-hub',
  PIFU_HUB_SPOOL_DIR:
    'Directory for run spools and feed files; shared by every worker. Default: DATA_DIR/spool',
  PIFU_HUB_RECIPIENTS_DIR: 'Directory of recipient config files (*.json). Default: fixtures/recipients',
  PIFU_HUB_SOURCE_NAME:
    'PIFU datasource name and sourcedid source (at most 32 characters). Default: pifu-hub',
  PIFU_HUB_QUEUE_PREFIX: 'Redis key prefix for the queues. Default: pifu-hub',
  LOG_LEVEL: 'pino log level: fatal, error, warn, info, debug, trace, silent. Default: info',
  PIFU_HUB_ROLES_FILE:
    'JSON file granting operator roles per OS user (viewer, operator, privacy-admin, config-admin). Unset: every user has every role',
  PIFU_HUB_DROP_ROOT:
    'Directory every file-drop directory must be inside. Unset: any directory outside system directories (/etc, /usr, /var/lib …)',
  PIFU_HUB_SECRETS_DIR:
    'Directory every secret file ({ "file": … }) must be inside. Unset: any file outside system directories (/etc, /root, /var/lib …), /run/secrets, /run/credentials and /etc/pifu-hub allowed',
  PIFU_HUB_SOURCE_MAX_DROP_PERCENT:
    'A run stops before any feed when the snapshot has this many percent fewer persons, groups or memberships than the last good one. Default: 10',
  PIFU_HUB_SOURCE_MAX_SCHOOL_DROP_PERCENT:
    "The same for one school's persons, groups or memberships. Default: 25",
  PIFU_HUB_SOURCE_MIN_DROP:
    'A drop of fewer objects never stops a run, whatever its percent (tiny schools). Default: 10',
  PIFU_HUB_SCOPE_CLOCK:
    "The clock that decides a run's day (ages, end dates, date windows): wall (today in Europe/Oslo), source (the records store's latest change) or auto (source for a synthetic store, wall otherwise). Default: auto",
  PIFU_HUB_RETENTION_RUN_GRACE_DAYS:
    "Days a run's roster snapshot and feed manifests are kept once every feed of the run is acknowledged or dead. Default: 2",
  PIFU_HUB_RETENTION_FEED_DAYS:
    'Days a delivered feed file is kept for re-delivery (and a failed one for retry), then deleted. Default: 7',
  PIFU_HUB_RETENTION_DISCLOSURE_YEARS:
    'Years disclosure rows name the person, then they are reduced to counts per transfer. Default: 5',
  PIFU_HUB_INPUT_MAX_BYTES:
    'Largest PIFU file validate and import read from outside, in bytes; a larger one is refused unread. Default: 1073741824 (1 GiB)',
  PIFU_HUB_INPUT_MAX_SECONDS:
    'Longest validate or import may spend reading one PIFU file from outside, in seconds. Default: 900',
  PIFU_HUB_SOURCE_PULL_FILE:
    "JSON file of `source pull`: the school system's SFTP export directory (pinned host key), the drop folder and an optional schedule. Unset: no pull",
  PIFU_HUB_IMPORT_LENIENT:
    'Lenient modes import, source watch and source pull use when --lenient is not given (before these, a source pull uses its own "lenient"): comma-separated mode names, all, or none alone. Default: none',
  PIFU_HUB_NOTIFY_WEBHOOK_URL:
    'http(s) URL the scheduler POSTs operator notifications to, as signed JSON. Unset: no webhook',
  PIFU_HUB_NOTIFY_WEBHOOK_SECRET:
    'The HMAC-SHA256 key that signs each webhook body (at least 32 characters). Required with the webhook URL',
  PIFU_HUB_NOTIFY_SMTP_URL:
    'smtp:// or smtps:// URL (user and password in it) of the mail server for operator notifications. Unset: no e-mail',
  PIFU_HUB_NOTIFY_MAIL_FROM: 'Sender address of notification e-mails. Required with the SMTP URL',
  PIFU_HUB_NOTIFY_MAIL_TO:
    'Comma-separated operator addresses notifications go to. Required with the SMTP URL',
  PIFU_HUB_NOTIFY_STALE_HOURS:
    'Notify when a recipient has not been delivered to for this many hours. Default: 26',
} as const;

/**
 * Variables that hold credentials. Each may instead be given as `NAME_FILE`, the path of a file holding
 * the value (a Docker or Kubernetes secret), so no credential needs to be in a compose file or an
 * environment listing.
 */
export const secretVariables = [
  'DATABASE_URL',
  'SOURCE_DATABASE_URL',
  'REDIS_URL',
  'PIFU_HUB_NOTIFY_WEBHOOK_SECRET',
  'PIFU_HUB_NOTIFY_SMTP_URL',
] as const satisfies readonly (keyof typeof environmentVariables)[];

/**
 * The variables as set, with each secret read from its `NAME_FILE` when that is given instead. Only the
 * file's path is ever named in an error, never what it holds.
 */
export function pickVariables(env: NodeJS.ProcessEnv): {
  picked: Record<string, string>;
  problems: string[];
} {
  const problems: string[] = [];
  const picked: Record<string, string> = {};
  for (const name of Object.keys(environmentVariables)) {
    const value = env[name];
    if (value !== undefined && value !== '') picked[name] = value;
  }
  for (const name of secretVariables) {
    const file = env[`${name}_FILE`];
    if (file === undefined || file === '') continue;
    if (picked[name] !== undefined) {
      problems.push(`${name}_FILE: set either ${name} or ${name}_FILE, not both`);
      continue;
    }
    try {
      const text = readFileSync(file, 'utf8').trim();
      if (text === '') problems.push(`${name}_FILE: ${file} is empty`);
      else picked[name] = text;
    } catch (error) {
      problems.push(
        `${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  return { picked, problems };
}

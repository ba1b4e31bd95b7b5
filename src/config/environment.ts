import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { HubError } from '../errors/index.js';
import type { DatabaseLocation } from '../db/index.js';
import {
  defaultRetentionPolicy,
  retentionBounds,
  type RetentionPolicy,
} from '../retention/retention-policy.js';
import { defaultInputLimits, type InputLimits } from '../pifu/input-limits.js';
import { lenientModeHelp, parseLenientModes, type LenientMode } from '../ports/roster-file.js';
import { scopeClocks, type ScopeClock } from '../run/scope-date.js';
import { pickVariables } from './environment-variables.js';
import { defaultSourceDropLimits, type SourceDropLimits } from './source-drop-limits.js';

/** A directory config paths must stay inside: `/` would confine nothing, so it is refused. */
const confinement = z
  .string()
  .refine((path) => !path.includes('\0'), 'a directory path without NUL')
  .refine((path) => !/^\/+$/.test(path), 'a directory other than / itself');
/** 100 turns a check off: no count can fall by more than all of it. */
const percent = z.coerce.number().min(0).max(100);
/** A whole number of days or years within bounds. */
const days = (bounds: { min: number; max: number }) =>
  z.coerce.number().int('must be a whole number').min(bounds.min).max(bounds.max);

const schema = z.object({
  DATABASE_URL: z.string().startsWith('postgres', 'must be a postgres:// or postgresql:// URL').optional(),
  SOURCE_DATABASE_URL: z
    .string()
    .startsWith('postgres', 'must be a postgres:// or postgresql:// URL')
    .optional(),
  REDIS_URL: z.string().startsWith('redis', 'must be a redis:// or rediss:// URL').optional(),
  PIFU_HUB_DATA_DIR: z.string().min(1).default('.pifu-hub'),
  PIFU_HUB_SPOOL_DIR: z.string().min(1).optional(),
  PIFU_HUB_RECIPIENTS_DIR: z.string().min(1).default('fixtures/recipients'),
  PIFU_HUB_SOURCE_NAME: z.string().min(1).max(32).default('pifu-hub'),
  PIFU_HUB_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only')
    .default('pifu-hub'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PIFU_HUB_ROLES_FILE: z.string().min(1).optional(),
  PIFU_HUB_DROP_ROOT: confinement.optional(),
  PIFU_HUB_SECRETS_DIR: confinement.optional(),
  PIFU_HUB_SOURCE_MAX_DROP_PERCENT: percent.default(defaultSourceDropLimits.maxDropPercent),
  PIFU_HUB_SOURCE_MAX_SCHOOL_DROP_PERCENT: percent.default(defaultSourceDropLimits.maxSchoolDropPercent),
  PIFU_HUB_SOURCE_MIN_DROP: z.coerce
    .number()
    .int('must be a whole number')
    .min(0)
    .max(1_000_000)
    .default(defaultSourceDropLimits.minDropCount),
  PIFU_HUB_SCOPE_CLOCK: z.enum(scopeClocks as [ScopeClock, ...ScopeClock[]]).default('auto'),
  PIFU_HUB_RETENTION_RUN_GRACE_DAYS: days(retentionBounds.runGraceDays).default(
    defaultRetentionPolicy.runGraceDays,
  ),
  PIFU_HUB_RETENTION_FEED_DAYS: days(retentionBounds.feedDays).default(defaultRetentionPolicy.feedDays),
  PIFU_HUB_RETENTION_DISCLOSURE_YEARS: days(retentionBounds.disclosureYears).default(
    defaultRetentionPolicy.disclosureYears,
  ),
  PIFU_HUB_INPUT_MAX_BYTES: z.coerce
    .number()
    .int('must be a whole number')
    .min(1024)
    .max(64 * 1024 ** 3)
    .default(defaultInputLimits.maxBytes),
  PIFU_HUB_INPUT_MAX_SECONDS: z.coerce
    .number()
    .int('must be a whole number')
    .min(1)
    .max(86_400)
    .default(defaultInputLimits.maxSeconds),
  PIFU_HUB_SOURCE_PULL_FILE: z.string().min(1).optional(),
  PIFU_HUB_IMPORT_LENIENT: z
    .string()
    .transform((text, context) => {
      const modes = parseLenientModes([text]);
      if (modes === undefined) context.addIssue({ code: 'custom', message: lenientModeHelp });
      return modes ?? [];
    })
    .optional(),
  PIFU_HUB_NOTIFY_WEBHOOK_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .optional(),
  PIFU_HUB_NOTIFY_WEBHOOK_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  PIFU_HUB_NOTIFY_SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' })
    .optional(),
  PIFU_HUB_NOTIFY_MAIL_FROM: z.email('an e-mail address').optional(),
  PIFU_HUB_NOTIFY_MAIL_TO: z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((address) => address.trim())
        .filter((address) => address !== ''),
    )
    .pipe(z.array(z.email('comma-separated e-mail addresses')).min(1, 'at least one address'))
    .optional(),
  PIFU_HUB_NOTIFY_STALE_HOURS: z.coerce.number().int('must be a whole number').min(1).max(8760).default(26),
});

/** Where operator notifications go (jobs/notifications sends them; src/notify decides what). */
export interface NotificationSettings {
  readonly webhook?: { readonly url: string; readonly secret: string };
  readonly mail?: { readonly smtpUrl: string; readonly from: string; readonly to: readonly string[] };
  /** A recipient not delivered to for this long is reported. */
  readonly staleHours: number;
}

export interface HubEnvironment {
  readonly hubDatabase: DatabaseLocation;
  /** Undefined: the records store is the hub database itself (one PGlite, or one PostgreSQL). */
  readonly sourceDatabaseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  readonly dataDir: string;
  readonly spoolDir: string;
  readonly recipientsDir: string;
  readonly sourceName: string;
  readonly queuePrefix: string;
  readonly logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  /** Undefined: no role file, so every operator holds every role (a single-admin installation). */
  readonly rolesFile: string | undefined;
  /** Absolute; undefined: file-drop directories only have to be outside system directories. */
  readonly dropRoot: string | undefined;
  /** Absolute; undefined: secret files only have to be outside system directories. */
  readonly secretsDir: string | undefined;
  readonly sourceDropLimits: SourceDropLimits;
  readonly scopeClock: ScopeClock;
  readonly retention: RetentionPolicy;
  /** How much of a PIFU file from outside the hub reads (validate, import). */
  readonly inputLimits: InputLimits;
  /** Absolute; the source pull's settings (connectors/transports/sftp), read by the commands that pull. */
  readonly sourcePullFile: string | undefined;
  /** The lenient modes of PIFU files from this source, where an import names none (`--lenient`). */
  readonly importLenient: readonly LenientMode[];
  readonly notifications: NotificationSettings;
}

/** Parses the environment once, at process start, reporting every problem in one error. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): HubEnvironment {
  const { picked, problems } = pickVariables(env);
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  if (problems.length > 0 || !parsed.success) {
    throw new HubError('PIFU_CONFIG_INVALID', `environment: ${problems.join('; ')}`);
  }
  const value = parsed.data;
  const notifications = notificationSettings(value);
  const dataDir = absolute(value.PIFU_HUB_DATA_DIR, cwd);
  const hubDatabase: DatabaseLocation =
    value.DATABASE_URL === undefined
      ? { kind: 'pglite', dataDir: resolve(dataDir, 'pglite') }
      : { kind: 'postgres', url: value.DATABASE_URL };
  return Object.freeze({
    hubDatabase,
    sourceDatabaseUrl: value.SOURCE_DATABASE_URL,
    redisUrl: value.REDIS_URL,
    dataDir,
    spoolDir: absolute(value.PIFU_HUB_SPOOL_DIR ?? resolve(dataDir, 'spool'), cwd),
    recipientsDir: absolute(value.PIFU_HUB_RECIPIENTS_DIR, cwd),
    sourceName: value.PIFU_HUB_SOURCE_NAME,
    queuePrefix: value.PIFU_HUB_QUEUE_PREFIX,
    logLevel: value.LOG_LEVEL,
    rolesFile: value.PIFU_HUB_ROLES_FILE === undefined ? undefined : absolute(value.PIFU_HUB_ROLES_FILE, cwd),
    dropRoot: value.PIFU_HUB_DROP_ROOT === undefined ? undefined : absolute(value.PIFU_HUB_DROP_ROOT, cwd),
    secretsDir:
      value.PIFU_HUB_SECRETS_DIR === undefined ? undefined : absolute(value.PIFU_HUB_SECRETS_DIR, cwd),
    sourceDropLimits: Object.freeze({
      maxDropPercent: value.PIFU_HUB_SOURCE_MAX_DROP_PERCENT,
      maxSchoolDropPercent: value.PIFU_HUB_SOURCE_MAX_SCHOOL_DROP_PERCENT,
      minDropCount: value.PIFU_HUB_SOURCE_MIN_DROP,
    }),
    scopeClock: value.PIFU_HUB_SCOPE_CLOCK,
    retention: Object.freeze({
      runGraceDays: value.PIFU_HUB_RETENTION_RUN_GRACE_DAYS,
      feedDays: value.PIFU_HUB_RETENTION_FEED_DAYS,
      disclosureYears: value.PIFU_HUB_RETENTION_DISCLOSURE_YEARS,
    }),
    inputLimits: Object.freeze({
      ...defaultInputLimits,
      maxBytes: value.PIFU_HUB_INPUT_MAX_BYTES,
      maxSeconds: value.PIFU_HUB_INPUT_MAX_SECONDS,
    }),
    sourcePullFile:
      value.PIFU_HUB_SOURCE_PULL_FILE === undefined
        ? undefined
        : absolute(value.PIFU_HUB_SOURCE_PULL_FILE, cwd),
    importLenient: Object.freeze(value.PIFU_HUB_IMPORT_LENIENT ?? []),
    notifications,
  });
}

/** A channel is on when its URL is set, and then needs the rest of its settings. */
function notificationSettings(value: z.infer<typeof schema>): NotificationSettings {
  const problems: string[] = [];
  let webhook: NotificationSettings['webhook'];
  if (value.PIFU_HUB_NOTIFY_WEBHOOK_URL !== undefined) {
    if (value.PIFU_HUB_NOTIFY_WEBHOOK_SECRET === undefined) {
      problems.push(
        'PIFU_HUB_NOTIFY_WEBHOOK_SECRET: required with PIFU_HUB_NOTIFY_WEBHOOK_URL (bodies are signed)',
      );
    } else {
      webhook = { url: value.PIFU_HUB_NOTIFY_WEBHOOK_URL, secret: value.PIFU_HUB_NOTIFY_WEBHOOK_SECRET };
    }
  }
  let mail: NotificationSettings['mail'];
  if (value.PIFU_HUB_NOTIFY_SMTP_URL !== undefined) {
    const from = value.PIFU_HUB_NOTIFY_MAIL_FROM;
    const to = value.PIFU_HUB_NOTIFY_MAIL_TO;
    if (from === undefined)
      problems.push('PIFU_HUB_NOTIFY_MAIL_FROM: required with PIFU_HUB_NOTIFY_SMTP_URL');
    if (to === undefined) problems.push('PIFU_HUB_NOTIFY_MAIL_TO: required with PIFU_HUB_NOTIFY_SMTP_URL');
    if (from !== undefined && to !== undefined) mail = { smtpUrl: value.PIFU_HUB_NOTIFY_SMTP_URL, from, to };
  }
  if (problems.length > 0) throw new HubError('PIFU_CONFIG_INVALID', `environment: ${problems.join('; ')}`);
  return Object.freeze({
    ...(webhook === undefined ? {} : { webhook }),
    ...(mail === undefined ? {} : { mail }),
    staleHours: value.PIFU_HUB_NOTIFY_STALE_HOURS,
  });
}

function absolute(path: string, cwd: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

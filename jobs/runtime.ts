import type { Kysely } from 'kysely';
import {
  createRecordsDbSource,
  migrateRecordsStore,
  type SourceDatabase,
} from '../connectors/sources/records-db/index.js';
import { checkTransportConfig, createTransport } from '../connectors/transports/registry.js';
import {
  loadRecipientConfigs,
  readEnvironment,
  type HubEnvironment,
  type RecipientChecks,
  type RecipientConfig,
  checkRecipientFiles,
  type RecipientFileResult,
} from '../src/config/index.js';
import { migrateHub, openDatabase, type HubDatabase, type OpenDatabase } from '../src/db/index.js';
import { HubError } from '../src/errors/index.js';
import { createLogger, type Logger } from '../src/log/index.js';
import { findRedisServer, startEmbeddedRedis, type EmbeddedRedis } from '../src/queue/index.js';
import type { OperationContext } from '../src/operations/index.js';
import type { RunExecutor } from '../src/ports/index.js';
import type { HubContext } from '../src/run/index.js';
import { resolve } from 'node:path';
import { bullmqQueueInspector, inProcessRunExecutor, queueRunExecutor } from './run-executors.js';

/**
 * The composition root: the one place that reads the environment and picks concrete databases,
 * source, transports and queue backend, then hands the core a HubContext.
 */
export interface Runtime {
  readonly env: HubEnvironment;
  readonly logger: Logger;
  readonly hub: OpenDatabase<HubDatabase>;
  /** The records store (the hub database itself unless SOURCE_DATABASE_URL is set). */
  readonly records: OpenDatabase<unknown>;
  readonly recipients: readonly RecipientConfig[];
  readonly context: HubContext;
  /** The context every operation (src/operations) runs in: the core's, plus how runs execute here. */
  readonly operations: OperationContext;
  /** Redis for the queues: REDIS_URL, else a private redis-server, else undefined (in-process). */
  queueUrl(): Promise<string | undefined>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Deliver every feed to a file drop under `outDir/<recipient-id>/` instead of its own transport. */
  readonly outDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
  /** Only these recipient files (validate), instead of the recipients directory. */
  readonly recipients?: readonly RecipientConfig[];
}

/** How recipient files are checked in this environment: the transports' own checks, the path rules. */
export function recipientChecks(env: Pick<HubEnvironment, 'dropRoot' | 'secretsDir'>): RecipientChecks {
  const paths = { dropRoot: env.dropRoot, secretsDir: env.secretsDir };
  return { checkTransport: (transport) => checkTransportConfig(transport, paths), paths };
}

export async function openRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const env = readEnvironment(options.env ?? process.env);
  const logger = options.logger ?? createLogger({ level: env.logLevel });
  const checks = recipientChecks(env);
  if (options.recipients !== undefined) {
    const problems = options.recipients.flatMap((recipient) =>
      (checks.checkTransport?.(recipient.transport) ?? []).map((problem) => `${recipient.id}: ${problem}`),
    );
    if (problems.length > 0) throw new HubError('PIFU_RECIPIENT_INVALID', problems.join('; '));
  }
  const recipients = (options.recipients ?? loadRecipientConfigs(env.recipientsDir, checks)).map(
    (recipient) =>
      options.outDir === undefined
        ? recipient
        : {
            ...recipient,
            transport: { kind: 'file-drop', directory: resolve(options.outDir, recipient.id) },
          },
  );

  const hub = await openDatabase<HubDatabase>(env.hubDatabase);
  let records: OpenDatabase<unknown> = hub as unknown as OpenDatabase<unknown>;
  let embeddedRedis: EmbeddedRedis | undefined;
  try {
    await migrateHub(hub.db as unknown as Kysely<unknown>);
    if (env.sourceDatabaseUrl !== undefined) {
      records = await openDatabase<unknown>({ kind: 'postgres', url: env.sourceDatabaseUrl });
    }
  } catch (error) {
    await hub.close();
    throw error;
  }
  const context: HubContext = {
    db: hub.db,
    source: createRecordsDbSource(records.db as Kysely<SourceDatabase>, { source: env.sourceName }),
    recipients: new Map(recipients.map((recipient) => [recipient.id, recipient])),
    transportFor: createTransport,
    spoolDir: env.spoolDir,
    logger,
    now: () => new Date(),
    sourceDropLimits: env.sourceDropLimits,
    scopeClock: env.scopeClock,
    retention: env.retention,
  };
  let queueDecided = false;
  const queueUrl = async (): Promise<string | undefined> => {
    if (env.redisUrl !== undefined) return env.redisUrl;
    if (!queueDecided) {
      queueDecided = true;
      const binary = findRedisServer();
      if (binary === undefined) {
        logger.warn('no REDIS_URL and no redis-server on PATH: running jobs in this process, without queues');
        return undefined;
      }
      embeddedRedis = await startEmbeddedRedis(binary);
      logger.info({ pid: embeddedRedis.pid }, 'started a private redis-server for this process');
    }
    return embeddedRedis?.url;
  };
  const prefix = env.queuePrefix;
  const shared =
    env.redisUrl === undefined
      ? undefined
      : queueRunExecutor(context, async () => ({ redisUrl: env.redisUrl!, prefix }), { shared: true });
  const executor: RunExecutor = shared ?? {
    detachable: false,
    async execute(runId, options) {
      const url = await queueUrl();
      const local =
        url === undefined
          ? inProcessRunExecutor(context)
          : queueRunExecutor(context, async () => ({ redisUrl: url, prefix }), { shared: false });
      await local.execute(runId, options);
    },
    enqueue: (runId) => inProcessRunExecutor(context).enqueue(runId),
  };
  return {
    env,
    logger,
    hub,
    records,
    recipients,
    context,
    operations: {
      ...context,
      executor,
      queues:
        env.redisUrl === undefined ? undefined : bullmqQueueInspector({ redisUrl: env.redisUrl, prefix }),
    },
    queueUrl,
    close: async () => {
      await embeddedRedis?.stop();
      if (records !== (hub as unknown)) await records.close();
      await hub.close();
    },
  };
}

/** Creates or updates the records store's reference schema (only where the hub owns it: demo, tests). */
export async function migrateRecords(runtime: Runtime): Promise<void> {
  await migrateRecordsStore(runtime.records.db);
}

/**
 * The configuration alone, for commands that read it without opening a database or a queue (recipients
 * list/show/validate/diff, scheduler --plan): the environment, the configured recipients with this
 * environment's transport and path checks, and the same checks for any set of recipient files.
 */
export interface Configuration {
  readonly env: HubEnvironment;
  readonly checks: RecipientChecks;
  recipients(): RecipientConfig[];
  checkFiles(paths: readonly string[]): RecipientFileResult[];
}

export function readConfiguration(env: NodeJS.ProcessEnv = process.env): Configuration {
  const hubEnv = readEnvironment(env);
  const checks = recipientChecks(hubEnv);
  return {
    env: hubEnv,
    checks,
    recipients: () => loadRecipientConfigs(hubEnv.recipientsDir, checks),
    checkFiles: (paths) => checkRecipientFiles(paths, checks),
  };
}

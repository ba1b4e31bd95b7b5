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
  type RecipientConfig,
} from '../src/config/index.js';
import { migrateHub, openDatabase, type HubDatabase, type OpenDatabase } from '../src/db/index.js';
import { HubError } from '../src/errors/index.js';
import { createLogger, type Logger } from '../src/log/index.js';
import { findRedisServer, startEmbeddedRedis, type EmbeddedRedis } from '../src/queue/index.js';
import { recoverRuns, type HubContext, type RecoveryReport, type RunExecution } from '../src/run/index.js';
import { resolve } from 'node:path';
import { sharedRunQueue } from './shared-run-queue.js';

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
  /** Redis for the queues: REDIS_URL, else a private redis-server, else undefined (in-process). */
  queueUrl(): Promise<string | undefined>;
  /** How this process carries out a run, by the same choice as queueUrl() (without starting anything). */
  runExecution(): RunExecution;
  /** What the crash recovery at opening found and did (see recoverRuns). */
  readonly recovery: RecoveryReport;
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

export async function openRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const env = readEnvironment(options.env ?? process.env);
  const logger = options.logger ?? createLogger({ level: env.logLevel });
  const recipients = (options.recipients ?? loadRecipientConfigs(env.recipientsDir)).map((recipient) =>
    options.outDir === undefined
      ? recipient
      : { ...recipient, transport: { kind: 'file-drop', directory: resolve(options.outDir, recipient.id) } },
  );
  const problems = recipients.flatMap((recipient) =>
    checkTransportConfig(recipient.transport).map((problem) => `${recipient.id}: ${problem}`),
  );
  if (problems.length > 0) throw new HubError('PIFU_RECIPIENT_INVALID', problems.join('; '));

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
  };
  let recovery: RecoveryReport;
  const sharedQueue =
    env.redisUrl === undefined
      ? undefined
      : sharedRunQueue({ redisUrl: env.redisUrl, prefix: env.queuePrefix });
  try {
    recovery = await recoverRuns(context, sharedQueue === undefined ? {} : { queue: sharedQueue });
  } catch (error) {
    if (records !== (hub as unknown)) await records.close();
    await hub.close();
    throw error;
  } finally {
    await sharedQueue?.close();
  }
  let queueDecided = false;
  return {
    recovery,
    runExecution: () =>
      env.redisUrl !== undefined
        ? 'shared-queue'
        : findRedisServer() === undefined
          ? 'in-process'
          : 'private-queue',
    env,
    logger,
    hub,
    records,
    recipients,
    context,
    queueUrl: async () => {
      if (env.redisUrl !== undefined) return env.redisUrl;
      if (!queueDecided) {
        queueDecided = true;
        const binary = findRedisServer();
        if (binary === undefined) {
          logger.warn(
            'no REDIS_URL and no redis-server on PATH: running jobs in this process, without queues',
          );
          return undefined;
        }
        embeddedRedis = await startEmbeddedRedis(binary);
        logger.info({ pid: embeddedRedis.pid }, 'started a private redis-server for this process');
      }
      return embeddedRedis?.url;
    },
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

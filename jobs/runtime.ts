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
import type { HubContext } from '../src/run/index.js';
import { resolve } from 'node:path';

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
  /**
   * With a private redis-server: resolves, with a sentence for an operator, if it stops before close().
   * Undefined with REDIS_URL (a shared Redis may restart; the workers reconnect) or without queues.
   */
  queueLost(): Promise<string> | undefined;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Deliver every feed to a file drop under `outDir/<recipient-id>/` instead of its own transport. */
  readonly outDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
  /** Only these recipient files (validate), instead of the recipients directory. */
  readonly recipients?: readonly RecipientConfig[];
  /**
   * The command only reads: on the embedded database it may wait a few seconds for another process to
   * let go of the data directory, where a command that changes things is refused at once.
   */
  readonly readOnly?: boolean;
  /** What this process is doing, as a second process is told; default: the command words of argv. */
  readonly command?: string;
}

/** How long a read-only command waits for the embedded data directory before it gives up. */
export const readOnlyLockWaitMs = 5_000;

/**
 * `pifu-hub run show` from `pifu-hub run show RUN-ID --json`: the leading words, at most two, so that
 * option values (a person key, a reason) never reach the lock file; a second word may be a run or
 * transfer id (`retry ID`), which is fine to show.
 */
export function commandWords(argv: readonly string[] = process.argv): string {
  const words = [];
  for (const word of argv.slice(2)) {
    if (word.startsWith('-') || words.length === 2) break;
    words.push(word);
  }
  return ['pifu-hub', ...words].join(' ');
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

  const hub = await openDatabase<HubDatabase>(env.hubDatabase, {
    lock: {
      command: options.command ?? commandWords(),
      waitMs: options.readOnly === true ? readOnlyLockWaitMs : 0,
    },
  });
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
  let queueDecided = false;
  return {
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
        logger.info(
          { pid: embeddedRedis.pid, port: embeddedRedis.port, guard: embeddedRedis.guard },
          'started a private redis-server for this process',
        );
      }
      return embeddedRedis?.url;
    },
    queueLost: () => embeddedRedis?.lost,
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

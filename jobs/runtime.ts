import type { Kysely } from 'kysely';
import { createPifuFileReader } from '../connectors/sources/pifu-file/index.js';
import { createRecordsDbSource, type SourceDatabase } from '../connectors/sources/records-db/index.js';
import { checkTransportConfig, createTransport } from '../connectors/transports/registry.js';
import {
  loadRecipientConfigs,
  readEnvironment,
  type HubEnvironment,
  type RecipientChecks,
  type RecipientConfig,
  checkRecipientFiles,
  type RecipientFileResult,
  requireSharedServices,
} from '../src/config/index.js';
import { migrateHub, openDatabase, type HubDatabase, type OpenDatabase } from '../src/db/index.js';
import { HubError } from '../src/errors/index.js';
import { chooseLogFormat, createLogger, type Logger } from '../src/log/index.js';
import { findRedisServer, startEmbeddedRedis, type EmbeddedRedis } from '../src/queue/index.js';
import type { OperationContext } from '../src/operations/index.js';
import type { RunExecutor } from '../src/ports/index.js';
import { recoverRuns, type HubContext, type RecoveryReport } from '../src/run/index.js';
import { resolve } from 'node:path';
import { bullmqQueueInspector, inProcessRunExecutor, queueRunExecutor } from './run-executors.js';
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
  /** The context every operation (src/operations) runs in: the core's, plus how runs execute here. */
  readonly operations: OperationContext;
  /** Redis for the queues: REDIS_URL, else a private redis-server, else undefined (in-process). */
  queueUrl(): Promise<string | undefined>;
  /**
   * With a private redis-server: resolves, with a sentence for an operator, if it stops before close().
   * Undefined with REDIS_URL (a shared Redis may restart; the workers reconnect) or without queues.
   */
  queueLost(): Promise<string> | undefined;
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
  /**
   * The command only reads: on the embedded database it may wait a few seconds for another process to
   * let go of the data directory, where a command that changes things is refused at once.
   */
  readonly readOnly?: boolean;
  /** What this process is doing, as a second process is told; default: the command words of argv. */
  readonly command?: string;
}

/** How long a read-only command waits for the embedded data directory before it gives up. */
const readOnlyLockWaitMs = 5_000;

/**
 * `pifu-hub run show` from `pifu-hub run show RUN-ID --json`: the leading words, at most two, so that
 * option values (a person key, a reason) never reach the lock file; a second word may be a run or
 * transfer id (`retry ID`), which is fine to show.
 */
function commandWords(argv: readonly string[] = process.argv): string {
  const words = [];
  for (const word of argv.slice(2)) {
    if (word.startsWith('-') || words.length === 2) break;
    words.push(word);
  }
  return ['pifu-hub', ...words].join(' ');
}

/** How recipient files are checked in this environment: the transports' own checks, the path rules. */
export function recipientChecks(env: Pick<HubEnvironment, 'dropRoot' | 'secretsDir'>): RecipientChecks {
  const paths = { dropRoot: env.dropRoot, secretsDir: env.secretsDir };
  return { checkTransport: (transport) => checkTransportConfig(transport, paths), paths };
}

export async function openRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const env = readEnvironment(options.env ?? process.env);
  const given = options.env ?? process.env;
  const logger =
    options.logger ??
    createLogger({
      level: env.logLevel,
      // The command line as typed: any command's `--json` asks for machine-readable output everywhere.
      format: chooseLogFormat({
        stderrIsTTY: process.stderr.isTTY === true,
        ci: given['CI'],
        json: process.argv.includes('--json'),
      }),
    });
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
    source: createRecordsDbSource(
      records.db as Kysely<SourceDatabase>,
      { source: env.sourceName },
      records.kind === 'postgres' ? { pool: records.pool } : undefined,
    ),
    recipients: new Map(recipients.map((recipient) => [recipient.id, recipient])),
    transportFor: createTransport,
    spoolDir: env.spoolDir,
    logger,
    now: () => new Date(),
    sourceDropLimits: env.sourceDropLimits,
    scopeClock: env.scopeClock,
    retention: env.retention,
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
  /** A redis-server of this process's own, started on first use; undefined when there is none on PATH. */
  const privateQueueUrl = async (): Promise<string | undefined> => {
    if (!queueDecided) {
      queueDecided = true;
      const binary = findRedisServer();
      if (binary === undefined) {
        logger.warn('no redis-server on PATH: running jobs in this process, without queues');
        return undefined;
      }
      embeddedRedis = await startEmbeddedRedis(binary);
      logger.info(
        { pid: embeddedRedis.pid, port: embeddedRedis.port, guard: embeddedRedis.guard },
        'started a private redis-server for this process',
      );
    }
    return embeddedRedis?.url;
  };
  const queueUrl = async (): Promise<string | undefined> => env.redisUrl ?? privateQueueUrl();
  const prefix = env.queuePrefix;
  const queueLost = (): Promise<string> | undefined => embeddedRedis?.lost;
  // The shared queue only with the shared database: a run recorded in an embedded database and put on a
  // shared Redis would be taken by pool workers that cannot see it.
  const shared =
    env.redisUrl === undefined || env.hubDatabase.kind !== 'postgres'
      ? undefined
      : queueRunExecutor(context, async () => ({ redisUrl: env.redisUrl!, prefix }), { shared: true });
  const executor: RunExecutor = shared ?? {
    detachable: false,
    // The same choice execute() makes, without starting anything.
    execution: () => (findRedisServer() === undefined ? 'in-process' : 'private-queue'),
    async execute(runId, options) {
      const url = env.redisUrl === undefined ? await queueUrl() : await privateQueueUrl();
      const local =
        url === undefined
          ? inProcessRunExecutor(context)
          : queueRunExecutor(context, async () => ({ redisUrl: url, prefix }), {
              shared: false,
              lost: queueLost,
            });
      await local.execute(runId, options);
    },
    enqueue: (runId) => inProcessRunExecutor(context).enqueue(runId),
  };
  return {
    recovery,
    env,
    logger,
    hub,
    records,
    recipients,
    context,
    operations: {
      ...context,
      executor,
      stuckRuns: recovery.stuck,
      rosterFiles: createPifuFileReader({ db: hub.db, limits: env.inputLimits, sourceName: env.sourceName }),
      queues:
        env.redisUrl === undefined ? undefined : bullmqQueueInspector({ redisUrl: env.redisUrl, prefix }),
    },
    queueUrl,
    queueLost,
    close: async () => {
      await embeddedRedis?.stop();
      if (records !== (hub as unknown)) await records.close();
      await hub.close();
    },
  };
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

/**
 * Refuses, before anything opens, a command that hands work to other processes (`worker`,
 * `scheduler`, `export --detach`) where there is no shared Redis and PostgreSQL; returns REDIS_URL.
 */
export function requireWorkerPool(
  who: string,
  options: { withoutThem: string },
  env: NodeJS.ProcessEnv = process.env,
): string {
  return requireSharedServices(readEnvironment(env), who, options);
}

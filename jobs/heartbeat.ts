import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { redactUrl } from '../src/db/open-database.js';
import { HubError } from '../src/errors/index.js';
import type { Logger } from '../src/log/index.js';
import { connectQueueRedis, connectQueueRedisOnce } from './queue-redis.js';

/**
 * Heartbeats of the long-running processes that have no port (`worker`, `scheduler`), so a container
 * health check can ask more than "is PID 1 there": `pifu-hub health --role R` answers 0 only when
 * PostgreSQL answers, Redis answers, and this instance's process wrote its heartbeat into Redis lately
 * (docs/deployment.md#health-checks). The process writes it only while it is doing its work — a worker
 * while every queue worker runs, a scheduler while its minute tick keeps starting — through its own
 * Redis connection, so a process that hangs, stops or lost Redis goes stale.
 */
export const processRoles = ['worker', 'scheduler'] as const;
export type ProcessRole = (typeof processRoles)[number];

/** How often a process writes its heartbeat. */
const heartbeatIntervalMs = 10_000;
/** What `health` accepts by default: three missed beats make a process stale. */
export const defaultHeartbeatMaxAgeMs = 3 * heartbeatIntervalMs;
/** The key outlives a dead writer long enough for `health` to say how old the last beat is. */
const heartbeatKeepMs = 10 * 60_000;

/** One instance per container by default: the container's host name (compose gives each its own). */
export function defaultInstance(): string {
  return hostname();
}

export function heartbeatKey(prefix: string, role: ProcessRole, instance: string): string {
  return `${prefix}:heartbeat:${role}:${instance}`;
}

interface Beat {
  readonly at: number;
  readonly pid: number;
}

export interface Heartbeat {
  /** Stops beating and removes the key, so `health` fails at once rather than after the max age. */
  stop(): Promise<void>;
}

export interface HeartbeatOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly role: ProcessRole;
  readonly instance: string;
  /** Whether the process is doing its work now; no beat is written while it is not. */
  readonly working: () => boolean;
  readonly logger: Logger;
  readonly intervalMs?: number;
}

/** Writes the heartbeat now and every interval while `working()` says so (a beat at most in flight). */
export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const redis: Redis = connectQueueRedis(options.redisUrl);
  const key = heartbeatKey(options.prefix, options.role, options.instance);
  let warned = false;
  redis.on('error', (error: Error) => {
    if (warned) return;
    warned = true;
    options.logger.warn({ err: error.message }, 'heartbeat: Redis unreachable; health checks will fail');
  });
  let pending: Promise<unknown> | undefined;
  const beat = (): void => {
    if (pending !== undefined || !options.working()) return;
    const value: Beat = { at: Date.now(), pid: process.pid };
    pending = redis
      .set(key, JSON.stringify(value), 'PX', heartbeatKeepMs)
      .then(() => (warned = false))
      .catch(() => undefined)
      .finally(() => (pending = undefined));
  };
  beat();
  const timer = setInterval(beat, options.intervalMs ?? heartbeatIntervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await pending;
      await Promise.race([
        redis.del(key),
        new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
      ]).catch(() => undefined);
      redis.disconnect();
    },
  };
}

export interface HealthCheckOptions {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly prefix: string;
  readonly role: ProcessRole;
  readonly instance: string;
  readonly maxAgeMs: number;
  /** The records store, for a worker (its snapshots read it); the same database when undefined. */
  readonly recordsUrl?: string | undefined;
}

export interface HealthReport {
  /** Age of the last heartbeat, in milliseconds. */
  readonly heartbeatAgeMs: number;
}

/**
 * The readiness of a worker or scheduler, checked from beside it: PostgreSQL (and a worker's records
 * store) answers `SELECT 1`, Redis answers `PING`, and the instance's heartbeat is at most `maxAgeMs`
 * old. The first failure is thrown as one HubError; each check gives up after a few seconds.
 */
export async function checkProcessHealth(options: HealthCheckOptions): Promise<HealthReport> {
  await checkPostgres(options.databaseUrl, 'PIFU_DATABASE_FAILED', 'DATABASE_URL');
  if (options.recordsUrl !== undefined && options.recordsUrl !== options.databaseUrl) {
    await checkPostgres(options.recordsUrl, 'PIFU_SOURCE_UNAVAILABLE', 'SOURCE_DATABASE_URL');
  }
  const redis = await connectQueueRedisOnce(options.redisUrl, { purpose: ' for the health check' });
  let text: string | null;
  try {
    await redis.ping();
    text = await redis.get(heartbeatKey(options.prefix, options.role, options.instance));
  } catch (error) {
    throw new HubError(
      'PIFU_QUEUE_UNAVAILABLE',
      `Redis at ${redactUrl(options.redisUrl)} (REDIS_URL) did not answer the health check: ${messageOf(error)}`,
      { cause: error },
    );
  } finally {
    redis.disconnect();
  }
  const who = `${options.role} "${options.instance}"`;
  if (text === null) {
    throw new HubError(
      'PIFU_HEARTBEAT_STALE',
      `no heartbeat from ${who} in Redis (prefix ${options.prefix}): it is not running, is stopping, ` +
        'or runs with another --instance or PIFU_HUB_QUEUE_PREFIX',
    );
  }
  const beat = JSON.parse(text) as Beat;
  const age = Math.max(0, Date.now() - beat.at);
  if (age > options.maxAgeMs) {
    throw new HubError(
      'PIFU_HEARTBEAT_STALE',
      `the heartbeat of ${who} (pid ${beat.pid}) is ${Math.round(age / 1000)} s old, over the ` +
        `${Math.round(options.maxAgeMs / 1000)} s allowed: it hangs, lost Redis, or died`,
    );
  }
  return { heartbeatAgeMs: age };
}

async function checkPostgres(
  url: string,
  code: 'PIFU_DATABASE_FAILED' | 'PIFU_SOURCE_UNAVAILABLE',
  variable: string,
): Promise<void> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 3_000,
    query_timeout: 3_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new HubError(
      code,
      `PostgreSQL at ${redactUrl(url)} (${variable}) did not answer the health check: ${messageOf(error)}`,
      { cause: error },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

import { HubError } from '../errors/index.js';
import type { HubEnvironment } from './environment.js';

/**
 * A command that hands work to other processes (`worker`, `scheduler`, `export --detach`) needs what
 * those processes share: Redis for the queues (REDIS_URL) and PostgreSQL for the hub's rows
 * (DATABASE_URL). The embedded database belongs to the one process that opened it, so a run recorded
 * there is unknown to every other worker, and one enqueued elsewhere is unknown here.
 * Checked before anything starts: no private redis-server, no database opened, no run recorded.
 */
export function requireSharedServices(
  env: HubEnvironment,
  who: string,
  options: { withoutThem: string },
): string {
  if (env.redisUrl === undefined) {
    throw new HubError(
      'PIFU_QUEUE_UNAVAILABLE',
      `${who} needs the worker pool's shared Redis and REDIS_URL is not set: set REDIS_URL and ` +
        `DATABASE_URL, or ${options.withoutThem}`,
      { retryable: false },
    );
  }
  if (env.hubDatabase.kind === 'pglite') {
    throw new HubError(
      'PIFU_CONFIG_INVALID',
      `${who} shares the queues on REDIS_URL with other processes, but DATABASE_URL is not set and the ` +
        'embedded database belongs to one process, so they would never see each other’s runs: set ' +
        `DATABASE_URL to the PostgreSQL every hub process uses, or ${options.withoutThem}`,
    );
  }
  return env.redisUrl;
}

import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { queueNames } from '../src/queue/index.js';
import { buildHttpApp } from './http/app.js';
import { recipientChecks, type Runtime } from './runtime.js';

export interface HttpServerOptions {
  readonly host: string;
  /** 0 picks a free port (tests, the load benchmark). */
  readonly port: number;
  readonly publicMetrics?: boolean;
}

export interface HttpServer {
  /** Where it listens, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  readonly app: FastifyInstance;
  /** Stops taking connections and resolves once the requests under way are answered. */
  close(): Promise<void>;
}

/**
 * `pifu-hub serve`'s process: the HTTP face (jobs/http) over the runtime's operations, listening. Kept
 * beside the worker and scheduler entry points, so the CLI starts it without importing jobs/http.
 */
export async function startHttpServer(runtime: Runtime, options: HttpServerOptions): Promise<HttpServer> {
  const board =
    runtime.env.redisUrl === undefined
      ? undefined
      : boardQueues(runtime.env.redisUrl, runtime.env.queuePrefix);
  const app = await buildHttpApp({
    ops: runtime.operations,
    logger: runtime.logger,
    recipientChecks: recipientChecks(runtime.env),
    publicMetrics: options.publicMetrics === true,
    ...(board === undefined ? {} : { boardQueues: board.queues }),
  });
  let url: string;
  try {
    url = await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await app.close();
    await board?.close();
    throw error;
  }
  runtime.logger.info({ url, publicMetrics: options.publicMetrics === true }, 'http api listening');
  return {
    url,
    app,
    close: async () => {
      await app.close();
      await board?.close();
    },
  };
}

/**
 * The shared queues for the queue board (/queues/), on one connection of their own that keeps trying
 * while Redis is away: the board shows the error, the rest of the server does not notice.
 */
function boardQueues(redisUrl: string, prefix: string): { queues: Queue[]; close(): Promise<void> } {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true });
  redis.on('error', () => undefined); // the board reports what it cannot read; no unhandled error event
  const queues = Object.values(queueNames).map((name) => new Queue(name, { connection: redis, prefix }));
  return {
    queues,
    close: async () => {
      await Promise.allSettled(queues.map((queue) => queue.close()));
      redis.disconnect();
    },
  };
}

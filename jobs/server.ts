import type { FastifyInstance } from 'fastify';
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
  const app = await buildHttpApp({
    ops: runtime.operations,
    logger: runtime.logger,
    recipientChecks: recipientChecks(runtime.env),
    publicMetrics: options.publicMetrics === true,
  });
  const url = await app.listen({ host: options.host, port: options.port });
  runtime.logger.info({ url, publicMetrics: options.publicMetrics === true }, 'http api listening');
  return { url, app, close: () => app.close() };
}

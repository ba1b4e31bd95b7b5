import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { Queue } from 'bullmq';
import Fastify, { LogController, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { hubVersion, type Logger } from '../../src/operations/index.js';
import { bearerToken, installAuthentication, type TokenReader } from './authentication.js';
import { dashboardRoutes } from './dashboard/index.js';
import { dashboardSession } from './dashboard/session.js';
import { queueBoardPrefix, queueBoardRoutes } from './queue-board.js';
import { failedSignIns, type FailedSignIns } from './failed-sign-ins.js';
import { errorBody, replyWithError } from './http-errors.js';
import { requestValidation } from './request-validation.js';
import { feedRoutes } from './routes/feeds.js';
import { healthRoutes } from './routes/health.js';
import { holdRoutes } from './routes/holds.js';
import { metricsRoutes } from './routes/metrics.js';
import { privacyRoutes } from './routes/privacy.js';
import { reportRoutes } from './routes/reports.js';
import { queueRoutes } from './routes/queues.js';
import { recipientRoutes } from './routes/recipients.js';
import { runStartRoutes } from './routes/run-starts.js';
import { runRoutes } from './routes/runs.js';
import type { HttpDependencies } from './schemas.js';

export interface HttpAppOptions extends HttpDependencies {
  readonly logger: Logger;
  /** Serve /metrics without a token (a scraper on a closed network). Default: a token of any role. */
  readonly publicMetrics?: boolean;
  /**
   * Where tokens are read from, in order; default the Authorization header (Bearer), then the
   * dashboard's session cookie (on dashboard pages only).
   */
  readonly tokenReaders?: readonly TokenReader[];
  /**
   * Route groups registered after the API's, behind the same sign-in (e.g. the dashboard): each gets the
   * dependencies, and `request.actor` on every route not marked `config: { auth: 'public' }`.
   */
  readonly plugins?: readonly FastifyPluginAsync<HttpDependencies>[];
  readonly failedSignIns?: FailedSignIns;
  /** The shared queues for the queue board at /queues/; undefined without REDIS_URL. */
  readonly boardQueues?: readonly Queue[];
}

/**
 * The HTTP face of the hub (docs/api.md): one Fastify plugin per route group, each route a thin caller
 * of one operation in src/operations; JSON schemas on every route, served as OpenAPI at /openapi.json;
 * every error as `{ code, message, hint }`. Built, not started: the caller listens (jobs/server.ts) or
 * injects (tests).
 */
export async function buildHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger.child({ face: 'http' }),
    // Fastify's own request lines carry the raw URL, which may hold what a caller typed (a person key
    // in the path, or a national identity number by mistake); the route pattern is logged instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1_048_576,
    // Closing ends every connection, a slow feed download too: a pulled feed is offered again until it
    // is acknowledged, and every operation a request starts is transactional or recovered, so a stop
    // need not wait for a client that stopped reading.
    forceCloseConnections: true,
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(requestValidation());
  const deps: HttpDependencies = { ops: options.ops, recipientChecks: options.recipientChecks };

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'pifu-hub API',
        version: hubVersion(),
        description:
          'Runs, transfers, recipients, holds, privacy answers, and the pull endpoint. See docs/api.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  // Cookies are parsed before sign-in, which reads the dashboard's session from one.
  await app.register(cookie);
  installAuthentication(app, {
    ops: options.ops,
    readers: options.tokenReaders ?? [bearerToken, dashboardSession],
    failures: options.failedSignIns ?? failedSignIns(),
  });
  app.setErrorHandler((error, request, reply) => replyWithError(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(
        errorBody(
          'PIFU_ROUTE_UNKNOWN',
          `no route ${request.method} ${request.routeOptions.url ?? 'here'}; GET /openapi.json lists them`,
        ),
      ),
  );
  app.addHook('onSend', async (request, reply) => {
    if (request.routeOptions.config.auth !== 'public' && !reply.hasHeader('cache-control')) {
      reply.header('cache-control', 'no-store');
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? '(unknown)',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        actor: request.actor?.name,
      },
      'request answered',
    );
  });

  await app.register(healthRoutes, deps);
  await app.register(metricsRoutes, { ...deps, publicMetrics: options.publicMetrics === true });
  await app.register(runRoutes, deps);
  await app.register(runStartRoutes, deps);
  await app.register(recipientRoutes, deps);
  await app.register(holdRoutes, deps);
  await app.register(privacyRoutes, deps);
  await app.register(reportRoutes, deps);
  await app.register(queueRoutes, deps);
  await app.register(feedRoutes, deps);
  await app.register(dashboardRoutes, deps);
  await app.register(queueBoardRoutes(options.boardQueues), { ...deps, prefix: queueBoardPrefix });
  for (const plugin of options.plugins ?? []) await app.register(plugin, deps);
  app.get('/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () => app.swagger());
  return app;
}

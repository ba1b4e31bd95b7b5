import type { FastifyPluginAsync } from 'fastify';
import { readMetrics, type Actor } from '../../../src/operations/index.js';
import { actorOf } from '../authentication.js';
import { renderMetrics } from '../metrics-registry.js';
import type { HttpDependencies } from '../schemas.js';

/**
 * `GET /metrics` for Prometheus. Token-protected (any role) unless the server was started with public
 * metrics (`serve --public-metrics`, for a scraper on a closed network): the numbers carry recipient ids
 * and volumes, never personal data, but say a lot about the hub.
 */
export const metricsRoutes: FastifyPluginAsync<HttpDependencies & { publicMetrics: boolean }> = async (
  app,
  { ops, publicMetrics },
) => {
  app.get(
    '/metrics',
    {
      config: { auth: publicMetrics ? 'public' : 'token' },
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics, read from the database and the queues at scrape time',
        ...(publicMetrics ? {} : { security: [{ bearer: [] }] }),
        response: { 200: { type: 'string', description: 'Prometheus text format 0.0.4' } },
      },
    },
    async (request, reply) => {
      const actor: Actor = publicMetrics
        ? { name: 'metrics-scraper', roles: new Set(['viewer']), source: request.ip, roleHint: '' }
        : actorOf(request);
      const { contentType, text } = await renderMetrics(await readMetrics(ops, actor));
      return reply.header('content-type', contentType).header('cache-control', 'no-store').send(text);
    },
  );
};

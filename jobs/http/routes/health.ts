import type { FastifyPluginAsync } from 'fastify';
import { checkReadiness } from '../../../src/operations/index.js';
import type { HttpDependencies } from '../schemas.js';

const check = { type: 'string', enum: ['ok', 'failed', 'not configured'] } as const;

/** Liveness and readiness, for a container runtime or a load balancer: no token, no details. */
export const healthRoutes: FastifyPluginAsync<HttpDependencies> = async (app, { ops }) => {
  app.get(
    '/healthz',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['health'],
        summary: 'liveness: the process answers',
        response: { 200: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } } },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  const readiness = {
    type: 'object',
    properties: { ready: { type: 'boolean' }, database: check, queue: check, spool: check },
  } as const;
  app.get(
    '/readyz',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['health'],
        summary: 'readiness: PostgreSQL answers, Redis answers (when configured), the spool takes a file',
        response: { 200: readiness, 503: readiness },
      },
    },
    async (_request, reply) => {
      const answer = await checkReadiness(ops);
      return reply.code(answer.ready ? 200 : 503).send(answer);
    },
  );
};

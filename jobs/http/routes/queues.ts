import type { FastifyPluginAsync } from 'fastify';
import { countQueues, jobStates } from '../../../src/operations/index.js';
import { actorOf } from '../authentication.js';
import { answers, listAnswer, tokenSecurity, type HttpDependencies } from '../schemas.js';

/** Jobs per state in each queue (viewer). */
export const queueRoutes: FastifyPluginAsync<HttpDependencies> = async (app, { ops }) => {
  app.get(
    '/queues',
    {
      schema: {
        tags: ['runs'],
        summary: 'jobs per state in each queue (run, feed, deliver) on the shared Redis (viewer)',
        security: tokenSecurity,
        response: answers(
          {
            200: listAnswer('a queue', {
              queue: { type: 'string' },
              ...Object.fromEntries(jobStates.map((state) => [state, { type: 'integer' }])),
            }),
          },
          [503],
        ),
      },
    },
    async (request) => countQueues(ops, actorOf(request)),
  );
};

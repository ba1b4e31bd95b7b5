import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyPluginAsync } from 'fastify';
import { isHubError, openQueueBoard } from '../../src/operations/index.js';
import { bearerToken } from './authentication.js';
import { sessionCookie } from './dashboard/session.js';
import { replyWithError } from './http-errors.js';
import type { HttpDependencies } from './schemas.js';

/** Where the board is mounted: `/queues/` (the JSON counts stay at `GET /queues`). */
export const queueBoardPrefix = '/queues/';

/**
 * The queue view (operator and above): @bull-board's board over the hub's queues, read-only, behind the
 * dashboard's session (or a bearer token). The board answers its own errors, so sign-in and the role
 * check run here, before it: a visitor without a session is sent to sign in, anyone else without the
 * operator role gets the catalogue's 403. Its page names a web font on a CDN; the link is dropped, so
 * the board works offline like the rest of the dashboard.
 */
export function queueBoardRoutes(queues: readonly Queue[] | undefined): FastifyPluginAsync<HttpDependencies> {
  return async (app, { ops }) => {
    app.addHook('onRoute', (route) => {
      route.config = { ...route.config, auth: 'public', face: 'dashboard' };
      route.schema = { ...route.schema, hide: true };
    });
    app.addHook('onRequest', async (request, reply) => {
      try {
        const actor = await app.signInWithToken(
          request,
          request.cookies[sessionCookie] ?? bearerToken(request),
        );
        await openQueueBoard(ops, actor);
        request.actor = actor;
      } catch (error) {
        if (isHubError(error) && error.code === 'PIFU_UNAUTHENTICATED' && request.method === 'GET') {
          return reply.redirect('/sign-in', 303);
        }
        return replyWithError(error, request, reply);
      }
    });
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('x-frame-options', 'DENY');
      return typeof payload === 'string'
        ? payload.replace(/<link [^>]*href="https:\/\/fonts\.[^"]*"[^>]*>/g, '')
        : payload;
    });
    if (queues === undefined) {
      app.get('/', async (_request, reply) =>
        reply
          .type('text/html; charset=utf-8')
          .send(
            '<!doctype html><title>Queues · pifu-hub</title><p>No shared queue here: REDIS_URL is not set, ' +
              'so runs execute in the process that starts them. <a href="/">Back to the overview</a></p>',
          ),
      );
      return;
    }
    const adapter = new FastifyAdapter();
    adapter.setBasePath(queueBoardPrefix);
    createBullBoard({
      queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: true, allowRetries: false })),
      serverAdapter: adapter,
      options: { uiConfig: { boardTitle: 'pifu-hub queues' } },
    });
    await app.register(adapter.registerPlugin());
  };
}

import type { FastifyPluginAsync } from 'fastify';
import {
  cancelRun,
  listRuns,
  listTransfers,
  retryTransfer,
  showRun,
  transferStatuses,
} from '../../../src/operations/index.js';
import { actorOf } from '../authentication.js';
import {
  answers,
  idText,
  limit,
  listAnswer,
  objectAnswer,
  recipientId,
  runProperties,
  tokenSecurity,
  transferId,
  type HttpDependencies,
} from '../schemas.js';

/** Runs and transfers: status for viewers, a retry for operators. */
export const runRoutes: FastifyPluginAsync<HttpDependencies> = async (app, { ops }) => {
  app.get<{ Querystring: { limit: number } }>(
    '/runs',
    {
      schema: {
        tags: ['runs'],
        summary: 'runs, newest first, with their transfers counted by outcome (viewer)',
        security: tokenSecurity,
        querystring: { type: 'object', additionalProperties: false, properties: { limit } },
        response: answers({ 200: listAnswer('a run', runProperties) }),
      },
    },
    async (request) => listRuns(ops, actorOf(request), { limit: request.query.limit }),
  );

  app.get<{ Params: { run: string } }>(
    '/runs/:run',
    {
      schema: {
        tags: ['runs'],
        summary: 'one run: snapshot counts, source check, one line per transfer (viewer)',
        security: tokenSecurity,
        params: { type: 'object', required: ['run'], properties: { run: idText } },
        response: answers(
          {
            200: objectAnswer('a run with its transfers', {
              ...runProperties,
              transfers: { type: 'array', items: { type: 'object', additionalProperties: true } },
            }),
          },
          [404],
        ),
      },
    },
    async (request) => showRun(ops, actorOf(request), { run: request.params.run }),
  );

  app.post<{ Params: { run: string }; Body: { reason: string } }>(
    '/runs/:run/cancel',
    {
      schema: {
        tags: ['runs'],
        summary: 'end a running run: it and its pending transfers fail with the reason (operator)',
        security: tokenSecurity,
        params: { type: 'object', required: ['run'], properties: { run: idText } },
        body: {
          type: 'object',
          required: ['reason'],
          additionalProperties: false,
          properties: { reason: { type: 'string', maxLength: 500 } },
        },
        response: answers({ 200: objectAnswer('the run outcome') }, [404, 409]),
      },
    },
    async (request) =>
      cancelRun(ops, actorOf(request), { run: request.params.run, reason: request.body.reason }),
  );

  app.get<{ Querystring: { recipient?: string; status?: string; since?: string; limit: number } }>(
    '/transfers',
    {
      schema: {
        tags: ['runs'],
        summary: 'transfers, newest first, by recipient, status and time (viewer)',
        security: tokenSecurity,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            recipient: recipientId,
            status: { type: 'string', enum: [...transferStatuses] },
            since: { type: 'string', format: 'date-time', description: 'recorded at or after' },
            limit,
          },
        },
        response: answers(
          {
            200: listAnswer('a transfer', {
              id: { type: 'string' },
              recipientId: { type: 'string' },
              status: { type: 'string', enum: [...transferStatuses] },
              error: {
                type: ['string', 'null'],
                description: 'a rejection quotes a reason: withheld from viewers',
              },
            }),
          },
          [404],
        ),
      },
    },
    async (request) => {
      const { recipient, status, since } = request.query;
      return listTransfers(ops, actorOf(request), {
        limit: request.query.limit,
        ...(recipient === undefined ? {} : { recipient }),
        ...(status === undefined ? {} : { status: status as (typeof transferStatuses)[number] }),
        ...(since === undefined ? {} : { since }),
      });
    },
  );

  app.post<{ Params: { transfer: string } }>(
    '/transfers/:transfer/retry',
    {
      schema: {
        tags: ['runs'],
        summary: 'deliver a failed transfer again: same id, same feed file (operator)',
        security: tokenSecurity,
        params: { type: 'object', required: ['transfer'], properties: { transfer: transferId } },
        response: answers(
          { 200: objectAnswer('the delivery, and the run closed again') },
          [404, 409, 410, 502, 503],
        ),
      },
    },
    async (request) => retryTransfer(ops, actorOf(request), { transfer: request.params.transfer }),
  );
};

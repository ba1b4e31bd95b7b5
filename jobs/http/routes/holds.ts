import type { FastifyPluginAsync } from 'fastify';
import { decideHold, listHolds, showHold } from '../../../src/operations/index.js';
import { actorOf } from '../authentication.js';
import {
  answers,
  listAnswer,
  objectAnswer,
  reason,
  tokenSecurity,
  transferId,
  type HttpDependencies,
} from '../schemas.js';

const holdProperties = {
  transferId: { type: 'string' },
  recipientId: { type: 'string' },
  added: { type: 'integer' },
  changed: { type: 'integer' },
  deleted: { type: 'integer' },
  decision: { type: ['string', 'null'], enum: ['approved', 'rejected', 'superseded', null] },
  decisionReason: { type: ['string', 'null'], description: 'withheld from viewers (operator free text)' },
} as const;

/** Deltas held by a safety threshold: review them (viewer and up), approve or reject them (operator). */
export const holdRoutes: FastifyPluginAsync<HttpDependencies> = async (app, { ops }) => {
  app.get<{ Querystring: { all?: boolean } }>(
    '/holds',
    {
      schema: {
        tags: ['holds'],
        summary: 'undecided holds, or every hold with all=true (viewer)',
        security: tokenSecurity,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { all: { type: 'boolean' } },
        },
        response: answers({ 200: listAnswer('a hold', holdProperties) }),
      },
    },
    async (request) => listHolds(ops, actorOf(request), { all: request.query.all === true }),
  );

  app.get<{ Params: { transfer: string }; Querystring: { limit?: number } }>(
    '/holds/:transfer',
    {
      schema: {
        tags: ['holds'],
        summary:
          'what a held delta would do: counts (viewer); the objects, names masked (operator) or plain (privacy-admin), audited',
        security: tokenSecurity,
        params: { type: 'object', required: ['transfer'], properties: { transfer: transferId } },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 200 } },
        },
        response: answers(
          {
            200: objectAnswer('the held delta', {
              hold: objectAnswer('the hold', holdProperties),
              counts: { type: 'object', additionalProperties: true },
              objects: { type: 'array', items: { type: 'object', additionalProperties: true } },
              truncated: { type: 'boolean' },
            }),
          },
          [404, 410],
        ),
      },
    },
    async (request) =>
      showHold(ops, actorOf(request), {
        transfer: request.params.transfer,
        ...(request.query.limit === undefined ? {} : { limit: request.query.limit }),
      }),
  );

  for (const decision of ['approve', 'reject'] as const) {
    app.post<{ Params: { transfer: string }; Body: { reason: string } }>(
      `/holds/:transfer/${decision}`,
      {
        schema: {
          tags: ['holds'],
          summary:
            decision === 'approve'
              ? 'approve a held delta: delivers exactly the held file (operator)'
              : 'reject a held delta: delivers nothing, delivered state stays as it was (operator)',
          security: tokenSecurity,
          params: { type: 'object', required: ['transfer'], properties: { transfer: transferId } },
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['reason'],
            properties: { reason },
          },
          response: answers(
            { 200: objectAnswer('the decided hold, and the delivery when approved') },
            [404, 409, 502, 503],
          ),
        },
      },
      async (request) =>
        decideHold(ops, actorOf(request), {
          transfer: request.params.transfer,
          decision,
          reason: request.body.reason,
        }),
    );
  }
};

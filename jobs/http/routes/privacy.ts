import type { FastifyPluginAsync } from 'fastify';
import { listAudit, listDisclosures } from '../../../src/operations/index.js';
import { actorOf } from '../authentication.js';
import {
  answers,
  limit,
  listAnswer,
  objectAnswer,
  tokenSecurity,
  type HttpDependencies,
} from '../schemas.js';

const personKey = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  description: 'a hub person key (a uuid)',
} as const;

/** A person's disclosure history and the audit trail (privacy-admin; both audited). */
export const privacyRoutes: FastifyPluginAsync<HttpDependencies> = async (app, { ops }) => {
  app.get<{ Params: { person: string } }>(
    '/persons/:person/disclosures',
    {
      schema: {
        tags: ['privacy'],
        summary:
          "every recipient that received a person's data: when, which categories, which transfer (privacy-admin)",
        security: tokenSecurity,
        params: { type: 'object', required: ['person'], properties: { person: personKey } },
        response: answers(
          {
            200: objectAnswer('the disclosure answer (GDPR Art. 15(1)(c))', {
              personKey: { type: 'string' },
              disclosures: { type: 'array', items: { type: 'object', additionalProperties: true } },
            }),
          },
          [404],
        ),
      },
    },
    async (request) => listDisclosures(ops, actorOf(request), { person: request.params.person }),
  );

  app.get<{ Querystring: { person?: string; subject?: string; limit: number } }>(
    '/audit',
    {
      schema: {
        tags: ['privacy'],
        summary: 'the operator audit trail, newest first: all, one person, or one subject (privacy-admin)',
        security: tokenSecurity,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            person: personKey,
            subject: {
              type: 'string',
              maxLength: 200,
              description: 'a transfer, run, token or recipient id',
            },
            limit,
          },
        },
        response: answers({
          200: listAnswer('an audit row', {
            at: { type: 'string', format: 'date-time' },
            actor: { type: 'string' },
            action: { type: 'string' },
            outcome: { type: 'string', enum: ['done', 'refused', 'denied'] },
          }),
        }),
      },
    },
    async (request) => {
      const { person, subject } = request.query;
      return listAudit(ops, actorOf(request), {
        limit: request.query.limit,
        ...(person === undefined ? {} : { person }),
        ...(subject === undefined ? {} : { subject }),
      });
    },
  );
};

import type { FastifyPluginAsync } from 'fastify';
import {
  compareRecipients,
  validateRecipientConfig,
  viewRecipient,
  viewRecipients,
} from '../../../src/operations/index.js';
import { actorOf } from '../authentication.js';
import {
  answers,
  listAnswer,
  objectAnswer,
  recipientId,
  tokenSecurity,
  type HttpDependencies,
} from '../schemas.js';

/** The configured recipients: list, describe and compare (viewer); check a config before it lands (config-admin). */
export const recipientRoutes: FastifyPluginAsync<HttpDependencies> = async (
  app,
  { ops, recipientChecks },
) => {
  app.get(
    '/recipients',
    {
      schema: {
        tags: ['recipients'],
        summary: 'every configured recipient with what it receives per population (viewer)',
        security: tokenSecurity,
        response: answers({
          200: listAnswer('a recipient', { id: { type: 'string' }, kind: { type: 'string' } }),
        }),
      },
    },
    async (request) => viewRecipients(ops, actorOf(request)),
  );

  app.get<{ Params: { recipient: string } }>(
    '/recipients/:recipient',
    {
      schema: {
        tags: ['recipients'],
        summary: 'one recipient: effective profile, legal basis, processing; its contact for operator roles',
        security: tokenSecurity,
        params: { type: 'object', required: ['recipient'], properties: { recipient: recipientId } },
        response: answers({ 200: objectAnswer('a recipient', { id: { type: 'string' } }) }, [404]),
      },
    },
    async (request) => viewRecipient(ops, actorOf(request), { recipient: request.params.recipient }),
  );

  app.get<{ Params: { recipient: string; other: string } }>(
    '/recipients/:recipient/diff/:other',
    {
      schema: {
        tags: ['recipients'],
        summary: "how two recipients' effective profiles, legal basis and processing differ (viewer)",
        security: tokenSecurity,
        params: {
          type: 'object',
          required: ['recipient', 'other'],
          properties: { recipient: recipientId, other: recipientId },
        },
        response: answers(
          { 200: objectAnswer('the differences, key by key', { identical: { type: 'boolean' } }) },
          [404],
        ),
      },
    },
    async (request) =>
      compareRecipients(ops, actorOf(request), { a: request.params.recipient, b: request.params.other }),
  );

  // The config is checked as the JSON text it is (duplicate keys are an error, as in a file), so this
  // route's JSON bodies reach the operation unparsed.
  await app.register(async (raw) => {
    raw.removeContentTypeParser('application/json');
    raw.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: 1_048_576 },
      (_request, body, done) => done(null, body),
    );
    raw.post<{ Body: string; Querystring: { name?: string } }>(
      '/recipients/validate',
      {
        schema: {
          tags: ['recipients'],
          summary:
            'check a recipient config (the request body, JSON) as the hub would load it; nothing is written (config-admin)',
          security: tokenSecurity,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              name: { type: 'string', maxLength: 120, description: 'the file name problems start with' },
            },
          },
          body: { type: 'string', description: 'the recipient config file, as JSON' },
          response: answers({
            200: objectAnswer('the verdict', {
              valid: { type: 'boolean' },
              id: { type: ['string', 'null'] },
              problems: { type: 'array', items: { type: 'string' } },
            }),
          }),
        },
      },
      async (request) =>
        validateRecipientConfig(
          ops,
          actorOf(request),
          { text: request.body, ...(request.query.name === undefined ? {} : { name: request.query.name }) },
          recipientChecks,
        ),
    );
  });
};

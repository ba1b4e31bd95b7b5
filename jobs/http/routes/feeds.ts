import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import {
  acknowledgePull,
  fetchPullFeed,
  nextPullFeed,
  type PullAnswer,
  type PullFeed,
} from '../../../src/operations/index.js';
import { actorOf } from '../authentication.js';
import {
  answers,
  objectAnswer,
  recipientId,
  tokenSecurity,
  transferId,
  type HttpDependencies,
} from '../schemas.js';

function feedHeaders(reply: FastifyReply, feed: PullFeed): FastifyReply {
  return reply
    .header('etag', feed.etag)
    .header('content-location', feed.location)
    .header('cache-control', 'no-store');
}

/** A fetch as HTTP: 204 nothing waits, 304 the client has it, 200 the feed streamed from the spool. */
function sendAnswer(reply: FastifyReply, answer: PullAnswer): FastifyReply {
  if (answer.status === 'none') return reply.code(204).header('cache-control', 'no-store').send();
  const { feed } = answer;
  if (answer.status === 'not-modified') return feedHeaders(reply, feed).code(304).send();
  return feedHeaders(reply, feed)
    .code(200)
    .header('content-type', 'application/xml; charset=utf-8')
    .header('content-length', String(feed.sizeBytes))
    .header('content-digest', `sha-256=:${Buffer.from(feed.sha256Hex, 'hex').toString('base64')}:`)
    .header('content-disposition', `attachment; filename="${feed.fileName}"`)
    .header('x-pifu-transfer', feed.transferId)
    .header('x-pifu-feed-type', feed.feedType)
    .send(answer.body);
}

const feedAnswers = {
  200: { type: 'string', description: 'the PIFU-IMS 1.3 feed (application/xml), streamed' },
  204: { type: 'null', description: 'nothing waits for this recipient' },
  304: { type: 'null', description: 'If-None-Match names this feed: the client has it' },
} as const;

const ifNoneMatchHeader = {
  type: 'object',
  properties: { 'if-none-match': { type: 'string', maxLength: 2000 } },
} as const;

/**
 * The pull endpoint (a recipient's own token): the oldest unacknowledged feed, a feed by transfer id,
 * and the acknowledgement that makes it delivered. Another token gets 404, never 403: it must not learn
 * that a feed exists. HEAD is not offered: every fetch of a feed is an audited look at personal data.
 */
export const feedRoutes: FastifyPluginAsync<HttpDependencies> = async (app, { ops }) => {
  app.get<{ Params: { recipient: string }; Headers: { 'if-none-match'?: string } }>(
    '/feeds/:recipient/next',
    {
      exposeHeadRoute: false,
      schema: {
        tags: ['pull'],
        summary: 'the oldest feed not acknowledged yet (the same one until it is); ETag = sha-256',
        security: tokenSecurity,
        params: { type: 'object', required: ['recipient'], properties: { recipient: recipientId } },
        headers: ifNoneMatchHeader,
        response: answers(feedAnswers, [404, 410]),
      },
    },
    async (request, reply) =>
      sendAnswer(
        reply,
        await nextPullFeed(ops, actorOf(request), {
          recipient: request.params.recipient,
          ifNoneMatch: request.headers['if-none-match'],
        }),
      ),
  );

  app.get<{ Params: { recipient: string; transfer: string }; Headers: { 'if-none-match'?: string } }>(
    '/feeds/:recipient/:transfer',
    {
      exposeHeadRoute: false,
      schema: {
        tags: ['pull'],
        summary: 'one feed by its transfer id, offered or already acknowledged',
        security: tokenSecurity,
        params: {
          type: 'object',
          required: ['recipient', 'transfer'],
          properties: { recipient: recipientId, transfer: transferId },
        },
        headers: ifNoneMatchHeader,
        response: answers(feedAnswers, [404, 410]),
      },
    },
    async (request, reply) =>
      sendAnswer(
        reply,
        await fetchPullFeed(ops, actorOf(request), {
          recipient: request.params.recipient,
          transfer: request.params.transfer,
          ifNoneMatch: request.headers['if-none-match'],
        }),
      ),
  );

  app.post<{ Params: { recipient: string; transfer: string } }>(
    '/feeds/:recipient/:transfer/ack',
    {
      schema: {
        tags: ['pull'],
        summary:
          'the recipient holds the feed: it becomes delivered (disclosures, delivered state) in one transaction; a repeat changes nothing',
        security: tokenSecurity,
        params: {
          type: 'object',
          required: ['recipient', 'transfer'],
          properties: { recipient: recipientId, transfer: transferId },
        },
        response: answers(
          {
            200: objectAnswer('the acknowledgement', {
              acknowledged: { type: 'boolean', description: 'false: it was acknowledged before' },
              feed: { type: 'object', additionalProperties: true },
              catchUp: { type: 'object', additionalProperties: true },
            }),
          },
          [404, 409, 503],
        ),
      },
    },
    async (request) =>
      acknowledgePull(ops, actorOf(request), {
        recipient: request.params.recipient,
        transfer: request.params.transfer,
      }),
  );
};

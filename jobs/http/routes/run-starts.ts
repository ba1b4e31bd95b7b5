import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { resyncRecipient, startExport, type RunReport } from '../../../src/operations/index.js';
import { actorOf } from '../authentication.js';
import {
  answers,
  reason,
  recipientId,
  runReportAnswer,
  tokenSecurity,
  wait,
  type HttpDependencies,
} from '../schemas.js';

interface ExportBody {
  recipients?: string[];
  all?: boolean;
  feedType?: 'full' | 'delta';
  reason?: string;
  acceptSourceDropReason?: string;
  wait?: boolean;
}

interface ResyncBody {
  reason: string;
  school?: string;
  person?: string;
  wait?: boolean;
}

/** 202 when the run was handed to the worker pool, 200 when it ran to its end in this request. */
function sendReport(reply: FastifyReply, report: RunReport): FastifyReply {
  return reply.code(report.status === 'enqueued' ? 202 : 200).send(report);
}

/** Starting runs (operator): an export now, or a resync of one recipient, each with who and why. */
export const runStartRoutes: FastifyPluginAsync<HttpDependencies> = async (app, { ops }) => {
  // Without a worker pool a run can only execute inside the request; with one, a request does not wait.
  const detachByDefault = ops.executor.detachable;

  app.post<{ Body: ExportBody }>(
    '/exports',
    {
      schema: {
        tags: ['runs'],
        summary: 'write and deliver feeds now: full or delta, to some or all recipients (operator)',
        security: tokenSecurity,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            recipients: { type: 'array', maxItems: 200, items: recipientId },
            all: { type: 'boolean' },
            feedType: { type: 'string', enum: ['full', 'delta'], default: 'full' },
            reason: { ...reason, description: 'why this export now; kept with the run' },
            acceptSourceDropReason: {
              ...reason,
              description: 'let a source drop the guard would stop through, saying why',
            },
            wait,
          },
        },
        response: answers({ 200: runReportAnswer, 202: runReportAnswer }, [404, 409, 503]),
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const report = await startExport(ops, actorOf(request), {
        ...(body.recipients === undefined ? {} : { recipients: body.recipients }),
        ...(body.all === undefined ? {} : { all: body.all }),
        ...(body.feedType === undefined ? {} : { feedType: body.feedType }),
        ...(body.reason === undefined ? {} : { reason: body.reason }),
        ...(body.acceptSourceDropReason === undefined
          ? {}
          : { acceptSourceDrop: { reason: body.acceptSourceDropReason } }),
        detach: body.wait === undefined ? detachByDefault : !body.wait,
      });
      return sendReport(reply, report);
    },
  );

  app.post<{ Params: { recipient: string }; Body: ResyncBody }>(
    '/recipients/:recipient/resync',
    {
      schema: {
        tags: ['runs'],
        summary: 'send again what a recipient holds: all, one school, or one person (operator)',
        security: tokenSecurity,
        params: { type: 'object', required: ['recipient'], properties: { recipient: recipientId } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['reason'],
          properties: {
            reason,
            school: { type: 'string', maxLength: 64, description: 'organisation number or NSR id' },
            person: { type: 'string', maxLength: 64, description: 'a hub person key' },
            wait,
          },
        },
        response: answers({ 200: runReportAnswer, 202: runReportAnswer }, [404, 503]),
      },
    },
    async (request, reply) => {
      const { reason: why, school, person } = request.body;
      const report = await resyncRecipient(ops, actorOf(request), {
        recipient: request.params.recipient,
        reason: why,
        ...(school === undefined ? {} : { school }),
        ...(person === undefined ? {} : { person }),
        detach: request.body.wait === undefined ? detachByDefault : !request.body.wait,
      });
      return sendReport(reply, report);
    },
  );
};

import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import {
  readRecipientsReport,
  renderAccessReport,
  renderRecipientsReport,
  reportAccess,
  reportLanguages,
  type AccessReportFormat,
  type RecipientsReportFormat,
  type ReportLanguage,
} from '../../../src/operations/index.js';
import { actorOf } from '../authentication.js';
import { answers, objectAnswer, tokenSecurity, type HttpDependencies } from '../schemas.js';

const mediaTypes: Record<AccessReportFormat | RecipientsReportFormat, string> = {
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  md: 'text/markdown; charset=utf-8',
};

const lang = { type: 'string', enum: [...reportLanguages], default: 'nb' } as const;

/** A rendered report: never cached on the way, since an access report is a person's data. */
function sendRendered(
  reply: FastifyReply,
  format: AccessReportFormat | RecipientsReportFormat,
  body: string | Buffer,
): FastifyReply {
  return reply.header('cache-control', 'no-store').type(mediaTypes[format]).send(body);
}

/**
 * The privacy reports over the API, the same use cases as `pifu-hub report access|recipients`
 * (docs/privacy.md): a person's Art. 15 answer (privacy-admin, audited) and the live recipient list.
 */
export const reportRoutes: FastifyPluginAsync<HttpDependencies> = async (app, { ops }) => {
  app.get<{
    Params: { person: string };
    Querystring: { lang: ReportLanguage; format: AccessReportFormat; values: boolean };
  }>(
    '/persons/:person/access-report',
    {
      schema: {
        tags: ['privacy'],
        summary:
          "a person's GDPR Art. 15 answer as HTML, PDF or JSON, in bokmål or English (privacy-admin; audited)",
        security: tokenSecurity,
        params: {
          type: 'object',
          required: ['person'],
          properties: { person: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            lang,
            format: { type: 'string', enum: ['html', 'pdf', 'json'], default: 'html' },
            values: {
              type: 'boolean',
              default: false,
              description: 'include the values the school system holds, not only their categories',
            },
          },
        },
        response: answers({ 200: objectAnswer('the report (a document unless format=json)') }, [404]),
      },
    },
    async (request, reply) => {
      const { format, values } = request.query;
      const report = await reportAccess(ops, actorOf(request), { person: request.params.person, values });
      return sendRendered(reply, format, await renderAccessReport(report, request.query));
    },
  );

  app.get<{ Querystring: { lang: ReportLanguage; format: RecipientsReportFormat } }>(
    '/reports/recipients',
    {
      schema: {
        tags: ['privacy'],
        summary:
          'the live list of recipients a privacy declaration publishes: purpose, legal basis, data, country, relays',
        security: tokenSecurity,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            lang,
            format: { type: 'string', enum: ['md', 'html', 'json'], default: 'json' },
          },
        },
        response: answers({ 200: objectAnswer('the report (a document unless format=json)') }),
      },
    },
    async (request, reply) => {
      const report = await readRecipientsReport(ops, actorOf(request));
      return sendRendered(reply, request.query.format, renderRecipientsReport(report, request.query));
    },
  );
};

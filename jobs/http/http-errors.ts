import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorCodes, isHubError, type ErrorCode } from '../../src/operations/index.js';

/**
 * The HTTP status of each error code, in one table: a new code does not compile until it has one.
 * 4xx: the caller can fix it; 409: the hub's state refuses it now; 502/503: a dependency failed.
 */
export const httpStatusOf: Record<ErrorCode, number> = {
  PIFU_CONFIG_INVALID: 500,
  PIFU_RECIPIENT_UNKNOWN: 404,
  PIFU_RECIPIENT_INVALID: 400,
  PIFU_SOURCE_UNAVAILABLE: 503,
  PIFU_SOURCE_INVALID: 500,
  PIFU_SOURCE_DROP: 409,
  PIFU_FEED_INVALID: 500,
  PIFU_XML_UNREADABLE: 400,
  PIFU_MODEL_INVALID: 500,
  PIFU_TRANSPORT_FAILED: 502,
  PIFU_TRANSPORT_REJECTED: 502,
  PIFU_SPOOL_MISSING: 410,
  PIFU_DATABASE_FAILED: 503,
  PIFU_QUEUE_UNAVAILABLE: 503,
  PIFU_HEARTBEAT_STALE: 503,
  PIFU_SEED_INVALID: 400,
  PIFU_RUN_UNKNOWN: 404,
  PIFU_RUN_FINISHED: 409,
  PIFU_DATA_DIR_LOCKED: 503,
  PIFU_TRANSFER_UNKNOWN: 404,
  PIFU_FEED_UNKNOWN: 404,
  PIFU_HOLD_UNKNOWN: 404,
  PIFU_PERSON_UNKNOWN: 404,
  PIFU_SCHOOL_UNKNOWN: 404,
  PIFU_USAGE_INVALID: 400,
  PIFU_RETRY_REFUSED: 409,
  PIFU_FILE_UNREADABLE: 400,
  PIFU_FILE_REFUSED: 400,
  PIFU_IMPORT_REFUSED: 400,
  PIFU_STORE_NOT_SYNTHETIC: 409,
  PIFU_ERASURE_PENDING: 409,
  PIFU_RESTRICTION_PENDING: 409,
  PIFU_RESTRICTION_UNKNOWN: 404,
  PIFU_FORBIDDEN: 403,
  PIFU_HOLD_DECIDED: 409,
  PIFU_TRANSFER_STALE: 409,
  PIFU_RECIPIENT_BUSY: 503,
  PIFU_UNAUTHENTICATED: 401,
  PIFU_AUTH_RATE_LIMITED: 429,
  PIFU_TOKEN_UNKNOWN: 404,
  PIFU_TOKEN_NAME_TAKEN: 409,
  PIFU_ROUTE_UNKNOWN: 404,
  PIFU_INTERNAL: 500,
};

/** The body of every error answer: the code, the one-line message (without the code), and a hint. */
interface ErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
  /** What the code means in general (the catalogue's line; docs/errors.md says what to do). */
  readonly hint: string;
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  const line = (message.split('\n')[0] ?? '').replace(new RegExp(`^${code}: `), '');
  return { code, message: line, hint: `${errorCodes[code].summary} See docs/errors.md.` };
}

export const errorResponseSchema = {
  type: 'object',
  required: ['code', 'message', 'hint'],
  properties: {
    code: { type: 'string', description: 'a PIFU_ code from docs/errors.md' },
    message: { type: 'string', description: 'one line: what went wrong and what to do' },
    hint: { type: 'string' },
  },
} as const;

/**
 * Fastify's own validation error as one PIFU_USAGE_INVALID line naming every field, as the operations'
 * own input checks do (`body.reason: …`). Values are never echoed: one typed into the wrong field may be
 * personal data.
 */
function validationMessage(error: FastifyError): string {
  const where = error.validationContext ?? 'request';
  const problems = (error.validation ?? []).map((issue) => {
    const params = issue.params as Record<string, unknown>;
    const field = [
      ...issue.instancePath.split('/').filter((part) => part !== ''),
      ...(typeof params['missingProperty'] === 'string' ? [params['missingProperty']] : []),
      ...(typeof params['additionalProperty'] === 'string' ? [params['additionalProperty']] : []),
    ];
    const name = [where, ...field].join('.');
    if (typeof params['additionalProperty'] === 'string') return `${name}: not a known field`;
    return `${name}: ${issue.message ?? 'invalid'}`;
  });
  return problems.length === 0 ? `${where}: invalid` : problems.join('; ');
}

/**
 * Every error becomes `{ code, message, hint }` with its status, never a stack trace. A HubError keeps
 * its code; Fastify's own 4xx (validation, a malformed or oversized body) is PIFU_USAGE_INVALID; anything
 * else is PIFU_INTERNAL, logged once here with its stack, answered without it. The dashboard renders the
 * same answer as a page.
 */
export function errorAnswer(error: unknown, request: FastifyRequest): { status: number; body: ErrorBody } {
  if (isHubError(error)) {
    const status = httpStatusOf[error.code];
    if (status >= 500) request.log.error({ code: error.code, err: error.message }, 'request failed');
    return { status, body: errorBody(error.code, error.message) };
  }
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation !== undefined) {
    return {
      status: 400,
      body: errorBody('PIFU_USAGE_INVALID', validationMessage(fastifyError as FastifyError)),
    };
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    const message = (fastifyError.message ?? 'bad request').replace(/\d{11}/g, '***********');
    return { status, body: errorBody('PIFU_USAGE_INVALID', `request: ${message}`) };
  }
  // Library text may quote values (a driver error): eleven-digit runs are blanked, as the CLI does.
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  request.log.error(
    { err: text.replace(/\d{11}/g, '***********'), stack: error instanceof Error ? error.stack : undefined },
    'unexpected error',
  );
  return {
    status: 500,
    body: errorBody('PIFU_INTERNAL', 'unexpected; the server log has the details (no personal data)'),
  };
}

export function replyWithError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body } = errorAnswer(error, request);
  // A busy or unavailable dependency: a minute is a fair first wait (the rate limiter sets its own).
  if (status === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', '60');
  return reply.code(status).send(body);
}

import type { OperationContext, RecipientChecks } from '../../src/operations/index.js';
import { errorResponseSchema } from './http-errors.js';

/** What every route plugin is registered with. */
export interface HttpDependencies {
  readonly ops: OperationContext;
  /** This environment's recipient checks (transport and path rules), for validating a config. */
  readonly recipientChecks: RecipientChecks;
}

/**
 * JSON schemas shared by the routes. They check shape (types, lengths, known fields) and document the
 * API (GET /openapi.json); the operations check meaning (a recipient id's form, a reason's words), so
 * the CLI and the API refuse bad input with the same field-named messages.
 */
export const idText = { type: 'string', minLength: 1, maxLength: 200 } as const;
export const recipientId = { ...idText, description: 'a recipient id, e.g. websak' } as const;
export const transferId = {
  ...idText,
  description: 'a transfer id, e.g. transfer-20261127T020000Z-1a2b3c-websak',
} as const;
export const reason = {
  type: 'string',
  maxLength: 500,
  description: 'why, in words; never a national identity number (give the case)',
} as const;
export const limit = { type: 'integer', minimum: 1, maximum: 1000, default: 50 } as const;
export const wait = {
  type: 'boolean',
  description:
    'wait for the run to finish (200) instead of handing it to the worker pool (202); default: wait only when there is no pool',
} as const;

/** An object answer: the listed fields are documented, any others pass through as they are. */
export function objectAnswer(description: string, properties: Record<string, unknown> = {}) {
  return { type: 'object', description, properties, additionalProperties: true } as const;
}

export function listAnswer(description: string, properties: Record<string, unknown> = {}) {
  return { type: 'array', description, items: objectAnswer(description, properties) } as const;
}

const nullableString = { type: ['string', 'null'] } as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;

export const runProperties = {
  id: { type: 'string' },
  trigger: { type: 'string', enum: ['schedule', 'operator', 'resync'] },
  status: { type: 'string', enum: ['running', 'completed', 'failed'] },
  requestedBy: nullableString,
  reason: { ...nullableString, description: 'withheld from viewers (operator free text)' },
  createdAt: { type: 'string', format: 'date-time' },
  finishedAt: nullableTime,
  delivered: { type: 'integer' },
  failed: { type: 'integer' },
  held: { type: 'integer' },
  skipped: { type: 'integer' },
  pending: { type: 'integer' },
  offered: { type: 'integer' },
  stuck: { ...nullableString, description: 'why, when its owner is gone and it could not be settled' },
} as const;

export const runReportAnswer = objectAnswer('a run and its feeds', {
  runId: { type: 'string' },
  status: { type: 'string', enum: ['running', 'completed', 'failed', 'enqueued'] },
  feeds: { type: 'array', items: { type: 'object', additionalProperties: true } },
});

/** The error answers a token-only route can give, beside its own. */
export function answers(ok: Record<number, unknown>, errors: readonly number[] = []) {
  const all = [400, 401, 403, 429, ...errors];
  return {
    ...ok,
    ...Object.fromEntries(all.map((status) => [status, errorResponseSchema])),
  };
}

export const tokenSecurity = [{ bearer: [] }] as const;

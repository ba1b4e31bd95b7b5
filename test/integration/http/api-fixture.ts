import type { FastifyInstance } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { buildHttpApp, type HttpAppOptions } from '../../../jobs/http/app.js';
import { checkTransportConfig } from '../../../connectors/transports/registry.js';
import { createApiToken, type OperationContext, type OperatorRole } from '../../../src/operations/index.js';
import { createLogger } from '../../../src/log/index.js';
import { testActor } from '../../helpers/hub-fixture.js';

/** The tokens a suite signs in with: one per role, and pull tokens by recipient. */
export type Tokens = Record<OperatorRole, string> & { pull: Record<string, string> };

/** Makes a token per role, and a pull token for each pull recipient, through the operation the CLI uses. */
export async function makeTokens(ops: OperationContext, pullRecipients: readonly string[]): Promise<Tokens> {
  const admin = testActor(['config-admin'], 'test:token-admin');
  const roles: OperatorRole[] = ['viewer', 'operator', 'privacy-admin', 'config-admin'];
  const tokens = {} as Record<OperatorRole, string>;
  for (const role of roles) {
    tokens[role] = (await createApiToken(ops, admin, { name: `api-${role}`, role })).token;
  }
  const pull: Record<string, string> = {};
  for (const id of pullRecipients) {
    pull[id] = (await createApiToken(ops, admin, { name: `pull-${id}`, recipient: id })).token;
  }
  return { ...tokens, pull };
}

/** The API over `ops`, silent, with the transports' own config checks, listening on loopback. */
export interface TestApi {
  readonly app: FastifyInstance;
  readonly url: string;
  close(): Promise<void>;
}

export async function startApi(
  ops: OperationContext,
  options: Partial<HttpAppOptions> = {},
): Promise<TestApi> {
  const app = await buildHttpApp({
    ops,
    logger: createLogger({ level: 'silent' }),
    recipientChecks: { checkTransport: (transport) => checkTransportConfig(transport) },
    ...options,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url, close: () => app.close() };
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** One request over real HTTP, as a client makes it, with a bearer token when given. */
export async function call(
  api: TestApi,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: {
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text, json: () => JSON.parse(text) };
}

/** The audit rows written after `afterId`, oldest first. */
export async function auditSince(
  db: Kysely<unknown>,
  afterId: number,
): Promise<
  { actor: string; action: string; outcome: string; subject: string | null; source: string | null }[]
> {
  const { rows } = await sql<{
    actor: string;
    action: string;
    outcome: string;
    subject: string | null;
    source: string | null;
  }>`SELECT actor, action, outcome, subject, source FROM hub.audit WHERE id > ${afterId} ORDER BY id`.execute(
    db,
  );
  return rows;
}

export async function lastAuditId(db: Kysely<unknown>): Promise<number> {
  const { rows } = await sql<{ id: number }>`SELECT coalesce(max(id), 0)::int AS id FROM hub.audit`.execute(
    db,
  );
  return rows[0]?.id ?? 0;
}

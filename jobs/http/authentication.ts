import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  HubError,
  authenticateApiToken,
  isHubError,
  type Actor,
  type OperationContext,
} from '../../src/operations/index.js';
import type { FailedSignIns } from './failed-sign-ins.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking, once signed in; null on public routes. */
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** `public`: no token needed (health, readiness, the OpenAPI document). */
    auth?: 'token' | 'public';
    /** `dashboard`: a browser page, which may sign in with the dashboard's session cookie. */
    face?: 'api' | 'dashboard';
  }
  interface FastifyInstance {
    /**
     * Signs a request in with a token it sent some other way (the dashboard's sign-in form): counted
     * against the client address like every failed sign-in, and refused while the address waits.
     */
    signInWithToken(request: FastifyRequest, token: string | undefined): Promise<Actor>;
  }
}

/** Where a request may carry its token; a dashboard adds a session cookie reader here. */
export type TokenReader = (request: FastifyRequest) => string | undefined;

export const bearerToken: TokenReader = (request) => {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
};

/**
 * Signs every request in before it is parsed or validated, so a caller without a valid token learns
 * nothing about the route's input: routes are token-only unless their config says `auth: 'public'`. The
 * first reader that finds a token decides. Failures are counted per client address (failed-sign-ins.ts)
 * and logged with the address, never with the token.
 */
export function installAuthentication(
  app: FastifyInstance,
  options: { ops: OperationContext; readers: readonly TokenReader[]; failures: FailedSignIns },
): void {
  app.decorateRequest('actor', null);
  const signIn = async (request: FastifyRequest, token: string | undefined): Promise<Actor> => {
    const address = request.ip;
    const wait = options.failures.retryAfterSeconds(address);
    if (wait > 0) {
      throw new HubError(
        'PIFU_AUTH_RATE_LIMITED',
        `too many failed sign-ins from this address; try again in ${wait} s with a valid token`,
      );
    }
    try {
      return await authenticateApiToken(options.ops, { token, source: address });
    } catch (error) {
      if (isHubError(error) && error.code === 'PIFU_UNAUTHENTICATED') {
        options.failures.recordFailure(address);
        request.log.warn({ source: address, route: request.routeOptions.url }, 'sign-in failed');
      }
      throw error;
    }
  };
  app.decorate('signInWithToken', signIn);
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.auth === 'public') return;
    // No route, nothing to protect: a browser's /favicon.ico must not count as a failed sign-in.
    if (request.is404) return;
    const token = options.readers.map((read) => read(request)).find((found) => found !== undefined);
    try {
      request.actor = await signIn(request, token);
    } catch (error) {
      if (isHubError(error) && error.code === 'PIFU_AUTH_RATE_LIMITED') {
        reply.header('retry-after', String(options.failures.retryAfterSeconds(request.ip)));
      }
      throw error;
    }
  });
}

/** The signed-in actor of a token-only route. */
export function actorOf(request: FastifyRequest): Actor {
  if (request.actor === null) {
    throw new HubError('PIFU_UNAUTHENTICATED', 'this route needs an API token');
  }
  return request.actor;
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HubError, isHubError, type Actor } from '../../../src/operations/index.js';
import type { TokenReader } from '../authentication.js';
import { html } from './html.js';
import { csrfField, page, paths } from './layout.js';

/**
 * The dashboard's session: signing in with an API token sets it as an HttpOnly, SameSite=Strict cookie,
 * read back only on dashboard pages (never by the JSON API, which keeps to the Authorization header).
 * The hub keeps no session of its own, so revoking the token ends every session made with it at once.
 */
export const sessionCookie = 'pifu_session';

const cookieOptions = {
  path: '/',
  httpOnly: true,
  sameSite: 'strict',
  // Secure whenever the request came over TLS; behind a TLS proxy the browser only sees https anyway.
  secure: 'auto',
} as const;

export const dashboardSession: TokenReader = (request) =>
  request.routeOptions.config.face === 'dashboard' ? request.cookies[sessionCookie] : undefined;

function signInPage(csrf: string, problem?: string): string {
  return page(
    { title: 'Sign in', actor: null, csrf },
    html`${problem === undefined ? '' : html`<p class="error" role="alert">${problem}</p>`}
      <form class="panel" method="post" action="${paths.signIn}">
        ${csrfField(csrf)}
        <label
          >API token
          <input type="password" name="token" autocomplete="off" required size="50" placeholder="pifu_…"
        /></label>
        <button type="submit">Sign in</button>
      </form>
      <p class="muted">
        A config-admin makes tokens on the hub's host:
        <code>pifu-hub tokens create --role operator --name NAME</code>. The token is kept in an HttpOnly
        cookie for this browser session.
      </p>`,
  );
}

interface SignInBody {
  token?: string;
}

export function sessionRoutes(app: FastifyInstance): void {
  app.get(paths.signIn, { config: { auth: 'public' } }, async (_request, reply) =>
    reply.type('text/html').send(signInPage(reply.generateCsrf())),
  );

  app.post<{ Body: SignInBody }>(
    paths.signIn,
    {
      config: { auth: 'public' },
      preHandler: app.csrfProtection,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { token: { type: 'string', maxLength: 200 }, _csrf: { type: 'string' } },
        },
      },
    },
    async (request, reply) => {
      let actor: Actor;
      try {
        actor = await app.signInWithToken(request, request.body.token);
        if (actor.recipientId !== undefined) {
          throw new HubError(
            'PIFU_FORBIDDEN',
            `${actor.name} is a recipient's pull token; use an operator token`,
          );
        }
      } catch (error) {
        if (!isHubError(error)) throw error;
        const status =
          error.code === 'PIFU_AUTH_RATE_LIMITED' ? 429 : error.code === 'PIFU_FORBIDDEN' ? 403 : 401;
        const why = error.message.split(';')[0] ?? error.message;
        return reply
          .code(status)
          .type('text/html')
          .send(signInPage(reply.generateCsrf(), `${error.code}: ${why}`));
      }
      request.log.info({ actor: actor.name, source: request.ip }, 'dashboard sign-in');
      return reply
        .setCookie(sessionCookie, request.body.token ?? '', cookieOptions)
        .redirect(paths.overview, 303);
    },
  );

  app.post(
    paths.signOut,
    { config: { auth: 'public' }, preHandler: app.csrfProtection },
    async (_request, reply) => reply.clearCookie(sessionCookie, cookieOptions).redirect(paths.signIn, 303),
  );
}

/** The signed-in actor of a dashboard page. */
export function dashboardActor(request: FastifyRequest): Actor {
  if (request.actor === null) throw new HubError('PIFU_UNAUTHENTICATED', 'sign in with an API token');
  return request.actor;
}

import csrfProtection from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { errorAnswer } from '../http-errors.js';
import type { HttpDependencies } from '../schemas.js';
import { html } from './html.js';
import { paths, styleSheet } from './layout.js';
import { disclosurePages } from './pages/disclosures.js';
import { holdPages } from './pages/holds.js';
import { overviewPage } from './pages/overview.js';
import { recipientPages } from './pages/recipients.js';
import { runPages } from './pages/runs.js';
import { sendPage } from './render.js';
import { sessionCookie, sessionRoutes } from './session.js';

/**
 * The web dashboard (docs/api.md#dashboard): server-rendered pages, no scripts, nothing from another
 * origin. Each page is a thin caller of the operations the API routes call (the same role checks and
 * audit rows); forms are CSRF-protected (a token in a hidden field, checked against a SameSite=Strict,
 * HttpOnly cookie) and answered with a redirect.
 */
export const dashboardRoutes: FastifyPluginAsync<HttpDependencies> = async (app, deps) => {
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, face: 'dashboard' };
    route.schema = { ...route.schema, hide: true };
  });
  await app.register(formbody, { bodyLimit: 16_384 });
  await app.register(csrfProtection, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'pifu_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure: 'auto', signed: false },
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header(
      'content-security-policy',
      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    reply.header('x-frame-options', 'DENY');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });
  app.setErrorHandler((error, request, reply) => renderError(error, request, reply));

  app.get(paths.style, { config: { auth: 'public' } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(styleSheet),
  );
  sessionRoutes(app);
  overviewPage(app, deps);
  runPages(app, deps);
  holdPages(app, deps);
  recipientPages(app, deps);
  disclosurePages(app, deps);
};

function isCsrfError(error: unknown): boolean {
  const code = (error as Partial<FastifyError>).code;
  return typeof code === 'string' && code.startsWith('FST_CSRF_');
}

/** An error on a page is a page: sign in again, or what went wrong in the catalogue's words. */
function renderError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body } = isCsrfError(error)
    ? {
        status: 403,
        body: {
          code: 'PIFU_FORBIDDEN',
          message: 'this form expired or was not sent from the dashboard; reload the page and send it again',
          hint: '',
        },
      }
    : errorAnswer(error, request);
  if (body.code === 'PIFU_UNAUTHENTICATED' && request.method === 'GET') {
    if (request.cookies[sessionCookie] !== undefined) reply.clearCookie(sessionCookie, { path: '/' });
    return reply.redirect(paths.signIn, 303);
  }
  if (status === 429) reply.header('retry-after', '60');
  return sendPage(
    request,
    reply,
    status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : 'Something went wrong',
    () =>
      html`<p class="error" role="alert"><strong>${body.code}</strong>: ${body.message}</p>
        <p class="muted">${body.hint}</p>
        <p><a href="${paths.overview}">Back to the overview</a></p>`,
    status,
  );
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Html } from './html.js';
import { page } from './layout.js';

/** The confirmations a page shows after a form redirected to it: fixed text, never the input echoed. */
const notices = {
  signedIn: 'Signed in.',
  approved: 'Hold approved: the held file was delivered as it is.',
  rejected: 'Hold rejected: nothing was delivered.',
  export: 'Export started.',
  resync: 'Resync started.',
  retried: 'Transfer delivered again.',
} as const;
export type Notice = keyof typeof notices;

/** Sends one dashboard page: the frame around `content`, which gets this response's form token. */
export function sendPage(
  request: FastifyRequest,
  reply: FastifyReply,
  title: string,
  content: (csrf: string) => Html,
  status = 200,
): FastifyReply {
  const csrf = reply.generateCsrf();
  const asked = (request.query as { done?: unknown } | undefined)?.done;
  const notice =
    typeof asked === 'string' && Object.hasOwn(notices, asked) ? notices[asked as Notice] : undefined;
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(page({ title, actor: request.actor, csrf, notice }, content(csrf)));
}

/** The `done` query a form's redirect carries, so the page it lands on confirms what happened. */
export function done(path: string, notice: Notice): string {
  return `${path}${path.includes('?') ? '&' : '?'}done=${notice}`;
}
